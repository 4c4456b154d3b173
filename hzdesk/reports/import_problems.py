"""A problem row of the county workbook: what the workflow keeps (number, state, its dates and
who verified it) checked as the sheet says it, then turned into dated moves, so that the
problem's state on any past day is right for imported history too."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hzdesk.db import models as m
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services.problems import number_taken
from hzdesk.vocab import ProblemState


def problem_extras(session: Session, found_on: Any, extra: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Check what the workflow keeps (number, state, dates, verifier) as the sheet says it.

    Returns (errors by column header, values to set on the new problem)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    number = extra.get("问题编号")
    if number:
        number = str(number).strip()
        if number_taken(session, number):
            errors["问题编号"] = f"问题编号“{number}”已存在"
        values["number"] = number
    try:
        found = parse_date(found_on) if found_on is not None else None
    except ParseError:
        found = None  # reported by the service as the 发现日期 column's error
    headers = {"assigned_on": "交办日期", "rectified_on": "整改完成日期", "verified_on": "验收日期",
               "closed_on": "销号日期", "parked_on": "挂账日期"}
    for key, header in headers.items():
        try:
            values[key] = parse_date(extra[header]) if extra.get(header) is not None else None
        except ParseError as exc:
            errors[header] = str(exc)
            continue
        if values[key] is not None and found is not None and values[key] < found:
            errors[header] = "不能早于发现日期"
    returns = extra.get("退回次数")
    try:
        values["returns"] = int(float(returns)) if returns not in (None, "") else 0
        if values["returns"] < 0 or values["returns"] > 99:
            raise ValueError
    except (TypeError, ValueError):
        errors["退回次数"] = "应为 0 到 99 的整数"
    order = [("交办日期", values.get("assigned_on")), ("整改完成日期", values.get("rectified_on")),
             ("验收日期", values.get("verified_on")), ("销号日期", values.get("closed_on"))]
    known = [(h, d) for h, d in order if d is not None]
    for (h1, d1), (h2, d2) in zip(known, known[1:]):
        if d2 < d1 and h2 not in errors:
            errors[h2] = f"不能早于{h1}（{d1.isoformat()}）"
    state = ProblemState.REGISTERED
    if extra.get("状态"):
        try:
            state = ProblemState(str(extra["状态"]).strip())
        except ValueError:
            errors["状态"] = f"“{extra['状态']}”不是有效状态（可选：{'、'.join(s.value for s in ProblemState)}）"
    if state is ProblemState.CLOSED and not values.get("closed_on") and "销号日期" not in errors:
        errors["销号日期"] = "已销号的问题必须有销号日期"
    if state is not ProblemState.CLOSED and values.get("closed_on"):
        errors["销号日期"] = "未销号的问题不应有销号日期"
    values["state"] = state
    values["verifier"] = extra.get("验收人")
    return errors, values


def apply_problem_extras(session: Session, problem: m.Problem, values: dict[str, Any]) -> None:
    """Set what the workflow keeps, and turn the sheet's dates into dated moves, so that the
    problem's state on any past day (overdue or not) is right for imported history too."""
    state = values.pop("state")
    assigned, parked, returns = values.pop("assigned_on", None), values.pop("parked_on", None), values.pop("returns", 0)
    for key, value in values.items():
        setattr(problem, key, value)
    for action, before, after, day in _moves(problem, state, assigned, parked, returns):
        problem.events.append(m.ProblemEvent(action=action, from_state=before, to_state=after, on_date=day,
                                             actor=session.info.get("actor"), note="由 Excel 工作簿导入"))
    problem.state = state


def _moves(p: m.Problem, state: ProblemState, assigned, parked, returns: int):
    """The moves the sheet's dates stand for, in order; a move whose date the sheet lacks is dated
    with the nearest date it gives, and a last "导入" move reaches the stated state if need be."""
    S = ProblemState
    moves, cur = [], S.REGISTERED
    if assigned or returns or state in (S.RECTIFYING, S.AWAITING_CHECK) or (p.rectified_on and state is S.CLOSED
                                                                           and p.rectified_on != p.closed_on):
        # Worked on by a unit without a 交办日期: assigned, but the sheet does not say when. (A
        # problem closed on the day it was put right, with no 交办, was closed on the spot.)
        moves.append(("交办", cur, S.RECTIFYING, assigned or p.found_on))
        cur = S.RECTIFYING
    for _ in range(returns if cur is S.RECTIFYING else 0):
        day = p.rectified_on or p.verified_on or moves[-1][3]
        moves += [("报告整改完成", S.RECTIFYING, S.AWAITING_CHECK, day), ("验收不通过", S.AWAITING_CHECK, S.RECTIFYING, day)]
    if p.rectified_on and cur is S.RECTIFYING and state is not S.RECTIFYING:
        moves.append(("报告整改完成", cur, S.AWAITING_CHECK, p.rectified_on))
        cur = S.AWAITING_CHECK
    if parked and cur in (S.REGISTERED, S.RECTIFYING):
        moves.append(("挂账", cur, S.PARKED, parked))
        cur = S.PARKED
    if state is S.CLOSED and cur is not S.CLOSED:
        action = "验收通过" if cur is S.AWAITING_CHECK else "销号"
        moves.append((action, cur, S.CLOSED, p.closed_on))
        cur = S.CLOSED
    if cur is not state:
        last = max([d for *_x, d in moves] + [d for d in (p.found_on, p.rectified_on, p.verified_on) if d])
        moves.append(("导入", cur, state, last))
    # Dates never run backwards (states on a day are read from the last move dated by then).
    floor = p.found_on
    out = []
    for action, before, after, day in moves:
        floor = max(floor, day or floor)
        out.append((action, before, after, floor))
    return out
