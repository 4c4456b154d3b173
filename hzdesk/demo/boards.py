"""Sample sign boards (公示牌) and every face each showed: most reprinted after each reshuffle,
some never (the boards a report finds out of date)."""

from __future__ import annotations

import datetime as dt

from hzdesk.demo import names as N


def _chiefs_on(b, water_id: int, day: dt.date) -> list[dict]:
    """The 河长 of a water body and of every water body above it, on a day (for board faces)."""
    chain, node = [], b.water[water_id - 1]
    while node is not None:
        chain.append(node["id"])
        node = b.water[node["parent_id"] - 1] if node["parent_id"] else None
    out = []
    for wid in reversed(chain):
        for a in b.appts_by_water.get(wid, []):
            if a["role"] == "河长" and a["start_on"] <= day and (a["end_on"] is None or a["end_on"] >= day):
                out.append(a)
    return out


def build_boards(b) -> None:
    rng = b.rng
    b.appts_by_water: dict[int, list[dict]] = {}
    for a in b.appointments:
        if a["water_body_id"]:
            b.appts_by_water.setdefault(a["water_body_id"], []).append(a)
    places = ["桥头", "村委会旁", "河堤入口", "码头", "水闸旁", "公路边", "渡口", "学校门口"]
    targets = [w for w in b.water if w["kind"] != "小微水体"]
    sites = [(w, v) for w in targets for v in (w["villages"] or "").split("、")[:1] if v]
    sites += [(w, rng.choice((w["villages"] or b.villages[0]).split("、")))
              for w in rng.choices(targets, k=b.sc.extra_boards)]
    for n, (w, village) in enumerate(sites, start=1):
        installed = dt.date(2018, rng.randint(1, 12), rng.randint(1, 28))
        # Most faces were reprinted after each reshuffle; some never were (out of date).
        updated = installed
        printings = [installed]
        for reshuffle in (b.town_reshuffle, b.village_reshuffle):
            if reshuffle <= b.until and rng.random() < 0.8:
                updated = min(b.until, reshuffle + dt.timedelta(days=rng.randint(3, 40)))
                printings.append(updated)
        inspected = b.day_between(max(updated, b.until - dt.timedelta(days=200)), b.until)
        board = {"id": n, "code": f"GSP-{n:04d}", "water_body_id": w["id"], "village": village,
                 "place": f"{village}{rng.choice(places)}", "longitude": round(113.2 + rng.random() * 0.3, 6),
                 "latitude": round(28.1 + rng.random() * 0.2, 6), "level": w["level"],
                 "size": "1.5m×1.0m", "installed_on": installed, "content_updated_on": updated,
                 "inspected_on": inspected,
                 "condition": rng.choices(["完好", "破损", "褪色", "倾斜", "缺失"], [80, 6, 8, 4, 2])[0],
                 "supervision_phone": "0731-5551234", "duties_text": "负责河湖管理保护，组织开展巡河，协调解决河湖问题。",
                 "targets_text": w["management_target"], "issuer": f"{N.TOWNSHIP}河长制办公室",
                 "retired_on": w["retired_on"], "notes": "河湖注销后拆除" if w["retired_on"] else None}
        b.boards.append(board)
        # Every face the board showed, with its days: a past day's report judges the board by
        # the face it had then.
        printings = sorted(set(printings))
        for i, first in enumerate(printings):
            last = printings[i + 1] - dt.timedelta(days=1) if i + 1 < len(printings) else None
            for seq, a in enumerate(_chiefs_on(b, w["id"], first), start=1):
                p = b.person_by_id[a["person_id"]]
                b.board_chiefs.append({"board_id": n, "seq": seq, "name": p["name"], "role": a["role"],
                                          "level": a["level"], "post": p["post"], "phone": p["phone"],
                                          "printed_from": first, "printed_to": last})
