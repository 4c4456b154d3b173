"""Sample problems and their walk through the workflow, as far as each one's age allows."""

from __future__ import annotations

import datetime as dt

from hzdesk.demo import names as N
from hzdesk.demo.names import rng_name
from hzdesk.vocab import ProblemState


def build_problems(b) -> None:
    rng, until = b.rng, b.until
    found_patrols = [p for p in b.patrols if p["found_problem"]]
    live_waters = [w for w in b.water if w["retired_on"] is None]
    draft = [("河长巡河", p["patrol_date"], p["water_body_id"], p["id"], b.person_by_id[p["person_id"]]["name"])
             for p in found_patrols[:b.sc.problems]]
    while len(draft) < b.sc.problems:
        w = rng.choice(live_waters)
        draft.append((b.weighted(N.SOURCE_WEIGHTS), b.day_between(b.start, until), w["id"], None,
                      rng_name(rng)))
    draft.sort(key=lambda d: (d[1], d[2]))
    per_year: dict[int, int] = {}
    for pid, (source, found, wid, patrol_id, finder) in enumerate(draft, start=1):
        w = b.water[wid - 1]
        village = (w["villages"] or b.villages[0]).split("、")[0]
        category = b.weighted(N.CATEGORY_WEIGHTS)
        templates, measure = N.PROBLEM_TEMPLATES[category]
        place = f"{village}{rng.choice(['桥下', '上游', '下游', '组', '河湾处', '排水口'])}"
        per_year[found.year] = per_year.get(found.year, 0) + 1
        unit = f"{village}村委会" if rng.random() < 0.7 else rng.choice(N.DEPARTMENTS)
        row = {"id": pid, "number": f"WT-{found.year}-{per_year[found.year]:03d}",
               "title": f"{w['name']}{category}问题", "found_on": found, "water_body_id": wid,
               "place": place, "longitude": round(113.2 + rng.random() * 0.3, 6),
               "latitude": round(28.1 + rng.random() * 0.2, 6), "source": source, "category": category,
               "description": rng.choice(templates).format(place=place, n=rng.randint(2, 50)),
               "finder": finder, "patrol_id": patrol_id, "responsible_unit": None,
               "responsible_person": None, "deadline": None, "state": ProblemState.REGISTERED,
               "measures": None, "rectified_on": None, "verifier": None, "verified_on": None,
               "closed_on": None, "notes": None}
        b.problems.append(row)
        run_workflow(b, row, unit, measure)

def event(b, problem: dict, action: str, to: ProblemState, day: dt.date, actor: str, note=None):
    b.events.append({"problem_id": problem["id"], "action": action,
                        "from_state": None if action == "登记" else problem["state"],
                        "to_state": to, "on_date": day, "actor": actor, "note": note,
                        "recorded_at": dt.datetime.combine(day, dt.time(17, 0))})
    problem["state"] = to

def run_workflow(b, p: dict, unit: str, measure: str) -> None:
    """Walk a problem through the workflow as far as its age allows, keeping every move."""
    rng, until, clerk = b.rng, b.until, "河长办"
    found = p["found_on"]
    event(b, p, "登记", ProblemState.REGISTERED, found, clerk)
    if rng.random() < 0.08:  # fixed on the spot
        p.update(measures="现场整改完毕", rectified_on=found, verifier=p["finder"], verified_on=found,
                 closed_on=found)
        event(b, p, "现场整改销号", ProblemState.CLOSED, found, p["finder"], "现场处置，附照片为证")
        return
    age = (until - found).days
    assign = found + dt.timedelta(days=rng.choice([0, 1, 1, 2, 3, 5]))
    if assign > until or (age < 10 and rng.random() < 0.4):
        p["deadline"] = found + dt.timedelta(days=rng.choice([7, 15, 30]))  # proposed, not yet assigned
        return
    p.update(responsible_unit=unit, responsible_person=rng_name(rng),
             deadline=assign + dt.timedelta(days=rng.choice([7, 10, 15, 30, 60])))
    event(b, p, "交办", ProblemState.RECTIFYING, assign, clerk, f"交{unit}限期整改")
    if rng.random() < 0.03 and age > 60:
        event(b, p, "挂账", ProblemState.PARKED, assign + dt.timedelta(days=20), clerk,
                   "需列入年度项目解决，挂账督办")
        p["deadline"] = assign + dt.timedelta(days=365)
        return
    if rng.random() < 0.04:
        return  # stalled: the unit never reported back (overdue once the deadline passes)
    late = rng.random() < 0.15
    span = (p["deadline"] - assign).days
    done = assign + dt.timedelta(days=rng.randint(1, max(1, span)) + (rng.randint(5, 60) if late else 0))
    if done > until:
        return  # still being fixed (overdue if its deadline has passed)
    p.update(measures=measure, rectified_on=done)
    event(b, p, "报告整改完成", ProblemState.AWAITING_CHECK, done, p["responsible_person"])
    check = done + dt.timedelta(days=rng.randint(1, 10))
    if check > until:
        return
    if rng.random() < 0.1:
        event(b, p, "验收不通过", ProblemState.RECTIFYING, check, clerk, "现场仍有残留，退回整改")
        done = check + dt.timedelta(days=rng.randint(3, 15))
        if done > until:
            return
        p["rectified_on"] = done
        event(b, p, "报告整改完成", ProblemState.AWAITING_CHECK, done, p["responsible_person"])
        check = done + dt.timedelta(days=rng.randint(1, 7))
        if check > until:
            return
    verifier = rng_name(rng)
    p.update(verifier=verifier, verified_on=check, closed_on=check)
    event(b, p, "验收通过并销号", ProblemState.CLOSED, check, verifier)
