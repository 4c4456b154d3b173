"""Sample patrols: each chief patrols his water bodies about as often as his level's rule asks,
some less; staff patrols fill the scale's count; a few records are suspiciously short or fast."""

from __future__ import annotations

import datetime as dt

from hzdesk.demo import names as N
from hzdesk.periods import windows
from hzdesk.services.rules import in_use_on
from hzdesk.vocab import DEFAULT_CHECKLIST, PeriodUnit


def _patrol_row(b, person_id: int, water_id: int, day: dt.date) -> dict:
    rng = b.rng
    minutes = rng.randint(20, 120)
    start_min = rng.randint(7 * 60, 17 * 60)
    km = round(minutes / 60 * rng.uniform(1.8, 4.5), 1)
    odd = rng.random()
    if odd < 0.01:
        minutes, km = rng.randint(3, 8), round(rng.uniform(0.1, 0.4), 1)  # suspiciously short
    elif odd < 0.015:
        minutes, km = rng.randint(10, 20), round(rng.uniform(8, 20), 1)  # driving, not walking
    end_min = min(start_min + minutes, 23 * 60 + 59)
    late = rng.random() < 0.06
    entered = day + dt.timedelta(days=rng.randint(8, 45) if late else rng.choice([0, 0, 0, 1, 2, 3]))
    found = rng.random() < 0.05
    w = b.water[water_id - 1]
    vs = (w["villages"] or "").split("、")
    checklist = {code: False for code, _ in DEFAULT_CHECKLIST}
    if found:
        checklist[rng.choice(list(checklist))] = True
    return {"person_id": person_id, "water_body_id": water_id, "patrol_date": day,
            "start_time": dt.time(start_min // 60, start_min % 60),
            "end_time": dt.time(end_min // 60, end_min % 60), "distance_km": km,
            "weather": rng.choices(["晴", "多云", "阴", "小雨", "中雨", "雾"], [40, 25, 15, 12, 5, 3])[0],
            # From the pace (no extra draw: the same seed gives the same records as before);
            # the suspiciously fast ones claim nothing.
            "method": ("步行" if km <= minutes / 60 * 6 else "骑行" if km <= minutes / 60 * 15 else None),
            "route_from": f"{vs[0]}{rng.choice(['桥头', '上游', '村口'])}" if vs[0] else None,
            "route_to": f"{vs[-1]}{rng.choice(['下游', '出口', '交界处'])}" if vs[-1] else None,
            "companions": None if rng.random() < 0.7 else rng.choice(["村保洁员", "驻村干部", "网格员"]),
            "checklist": checklist,
            "findings": "发现问题，已登记" if found else rng.choice(N.FINDINGS_OK),
            "found_problem": found, "on_spot_handling": "现场劝导并通知清理" if found and rng.random() < 0.5 else None,
            "entered_on": min(entered, b.until), "notes": None}


def _water_in_use(b, water_id: int, day: dt.date) -> bool:
    """The sample never makes a patrol the entry rules would refuse (validation._check_patrol)."""
    w = b.water[water_id - 1]
    return in_use_on(w["retired_on"], day) and (w["registered_on"] is None or w["registered_on"] <= day)


def build_patrols(b) -> None:
    rng, start, until = b.rng, b.start, b.until
    unit_of = {"县级": PeriodUnit.QUARTER, "乡级": PeriodUnit.XUN, "村级": PeriodUnit.WEEK}
    by_person: dict[int, list[dict]] = {}
    for a in b.appointments:
        if a["role"] == "河长" and a["water_body_id"]:
            by_person.setdefault(a["person_id"], []).append(a)
    for pid in sorted(by_person):
        appts = by_person[pid]
        diligence = rng.choice([0.35, 0.6, 0.8, 0.9, 0.95, 0.95, 1.0, 1.0])
        level = appts[0]["level"]
        a0 = min(a["start_on"] for a in appts)
        a1 = max((a["end_on"] or until) for a in appts)
        for w0, w1 in windows(unit_of[level], max(a0, start), min(a1, until)):
            if rng.random() > diligence:
                continue
            for _ in range(2 if rng.random() < 0.12 else 1):
                day = b.day_between(w0, w1)
                held = [a for a in appts if a["start_on"] <= day and (a["end_on"] or until) >= day
                        and _water_in_use(b, a["water_body_id"], day)]
                if held:
                    b.patrols.append(_patrol_row(b, pid, rng.choice(held)["water_body_id"], day))
    staff = [a for a in b.appointments if a["role"] in ("巡河员", "民间河长", "河湖警长")]
    missing = b.sc.patrols - len(b.patrols)
    for _ in range(max(0, missing)):
        a = rng.choice(staff)
        day = b.day_between(max(a["start_on"], start), min(a["end_on"] or until, until))
        if a["water_body_id"] and _water_in_use(b, a["water_body_id"], day):
            b.patrols.append(_patrol_row(b, a["person_id"], a["water_body_id"], day))
    b.patrols.sort(key=lambda r: (r["patrol_date"], r["start_time"], r["person_id"]))
    for i, r in enumerate(b.patrols, start=1):
        r["id"] = i
