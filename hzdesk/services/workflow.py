"""The problem workflow: 发现 → 交办 → 整改 → 验收 → 销号, with its side paths.

Each move is allowed from some states only, asks for what it needs, and leaves a `ProblemEvent`
with its date, person and note. Dates never run backwards: a move is dated no earlier than the
problem's last move (so "the state on a given day" is simply the last move dated by then).
Overdue (超期) is not a state: see `is_overdue`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import Problem, ProblemEvent
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services import rules
from hzdesk.services.records import get
from hzdesk.vocab import ProblemState as S



@dataclass(frozen=True)
class Move:
    action: str                    # the button's words
    sources: tuple[S, ...]
    target: S
    needs: tuple[str, ...]         # what the clerk must give (or the problem must already have)
    help: str


MOVES: dict[str, Move] = {m.action: m for m in (
    Move("交办", (S.REGISTERED,), S.RECTIFYING, ("responsible_unit", "deadline"),
         "把问题交给责任单位，限期整改"),
    Move("报告整改完成", (S.RECTIFYING,), S.AWAITING_CHECK, ("measures",),
         "责任单位报告已整改，等待验收"),
    Move("验收通过", (S.AWAITING_CHECK,), S.CLOSED, ("verifier",),
         "现场验收合格，销号"),
    Move("验收不通过", (S.AWAITING_CHECK,), S.RECTIFYING, ("note",),
         "验收不合格，退回继续整改"),
    Move("挂账", (S.REGISTERED, S.RECTIFYING), S.PARKED, ("note", "deadline"),
         "短期内无法解决的问题，列入计划挂账督办"),
    Move("恢复整改", (S.PARKED,), S.RECTIFYING, ("responsible_unit", "deadline"),
         "挂账问题重新交办整改"),
    Move("销号", (S.REGISTERED,), S.CLOSED, ("verifier", "measures"),
         "现场已整改的问题，凭现场证据直接销号"),
)}

NEED_LABELS = {"responsible_unit": "责任单位", "responsible_person": "责任人", "deadline": "整改时限",
               "measures": "整改措施", "verifier": "验收人", "note": "说明", "on_date": "日期"}


def allowed_moves(state: S) -> list[str]:
    """The buttons to offer for a problem in `state`, in workflow order."""
    return [m.action for m in MOVES.values() if state in m.sources]


def is_overdue(problem: Problem, as_of: dt.date) -> bool:
    """超期 for a problem in its current state (see `rules.is_overdue`)."""
    return rules.is_overdue(problem.state, problem.deadline, as_of)


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _spec_for(problem: Problem, action: str, details: dict[str, Any]) -> Move:
    """The move asked for, if this problem may make it now and `details` names only what moves take."""
    spec = MOVES.get(action)
    if spec is None:
        raise ValidationError({"action": f"没有“{action}”这一步（可用：{'、'.join(MOVES)}）"})
    if problem.state not in spec.sources:
        allowed = "、".join(allowed_moves(problem.state)) or "无"
        raise ValidationError({"action": f"问题 {problem.number} 当前为“{problem.state.value}”，"
                                         f"不能“{action}”（此时可以：{allowed}）"})
    unknown = set(details) - {"responsible_unit", "responsible_person", "deadline", "measures", "verifier"}
    if unknown:
        raise ValidationError({k: "这一步不需要这一项" for k in unknown})
    return spec


def _move_day(session: Session, problem: Problem, on_date: Any, errors: dict[str, str]) -> dt.date | None:
    """The move's date: not in the future, not before the problem was found or its last move
    (dates never run backwards, so the state on a day is the last move dated by then)."""
    try:
        day = parse_date(on_date) if on_date not in (None, "") else clock.today()
    except ParseError as exc:
        errors["on_date"] = str(exc)
        return None
    last = session.scalar(select(ProblemEvent.on_date).where(ProblemEvent.problem_id == problem.id)
                          .order_by(ProblemEvent.on_date.desc(), ProblemEvent.id.desc()).limit(1))
    if day > clock.today():
        errors["on_date"] = "日期不能晚于今天"
    elif day < problem.found_on:
        errors["on_date"] = f"日期不能早于发现日期 {problem.found_on.isoformat()}"
    elif last is not None and day < last:
        errors["on_date"] = f"日期不能早于上一步的日期 {last.isoformat()}"
    return day


def _details(details: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("responsible_unit", "responsible_person", "measures", "verifier"):
        if key in details:
            values[key] = _text(details[key])
    if details.get("deadline") not in (None, ""):
        try:
            values["deadline"] = parse_date(details["deadline"])
        except ParseError as exc:
            errors["deadline"] = str(exc)
    return values


def _check_needs(problem: Problem, spec: Move, values: dict[str, Any], note: str | None, day: dt.date | None,
                 errors: dict[str, str]) -> None:
    """What the move needs is given (or the problem already has it), and the deadline makes sense."""
    def have(key: str) -> bool:
        if key == "note":
            return note is not None
        if key == "deadline" and spec.action in ("挂账", "恢复整改", "验收不通过"):
            return "deadline" in values  # a new deadline must be given for these moves
        return (values[key] if key in values else getattr(problem, key)) is not None

    for key in spec.needs:
        if not have(key) and key not in errors:
            errors[key] = "这一步必须填写"
    deadline = values.get("deadline")
    if deadline is not None and deadline < problem.found_on:
        errors["deadline"] = "整改时限不能早于发现日期"
    if spec.action == "挂账" and deadline is not None and day is not None and deadline <= day:
        errors["deadline"] = "挂账问题应给出今后的整改时限"


def move(session: Session, problem_id: int, action: str, *, on_date: Any = None,
         actor: str | None = None, note: str | None = None, **details: Any) -> Problem:
    """Apply one workflow move. `details` may carry responsible_unit, responsible_person,
    deadline, measures, verifier. Nothing changes unless every check passes."""
    problem = get(session, "problem", problem_id)
    spec = _spec_for(problem, action, details)
    errors: dict[str, str] = {}
    day = _move_day(session, problem, on_date, errors)
    values = _details(details, errors)
    note = _text(note)
    _check_needs(problem, spec, values, note, day, errors)
    if errors:
        raise ValidationError(errors, NEED_LABELS)

    previous = problem.state
    # The history says what a move set: to whom it went and by when (the problem's own fields
    # keep only the latest).
    said = [f"{NEED_LABELS[k]}：{values[k].isoformat() if k == 'deadline' else values[k]}"
            for k in ("responsible_unit", "deadline", "verifier") if values.get(k) is not None]
    if said:
        note = "；".join(said) + (f"。{note}" if note else "")
    for key, value in values.items():
        setattr(problem, key, value)
    if spec.target is S.AWAITING_CHECK:
        problem.rectified_on = day
    if spec.target is S.CLOSED:
        problem.verified_on = day
        problem.closed_on = day
        if action == "销号" and problem.rectified_on is None:
            problem.rectified_on = day
    if action == "验收不通过":
        problem.rectified_on = None
    problem.state = spec.target
    problem.events.append(ProblemEvent(action=action, from_state=previous, to_state=spec.target,
                                       on_date=day, actor=_text(actor) or session.info.get("actor"),
                                       note=note))
    session.flush()
    return problem
