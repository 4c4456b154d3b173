"""Problem numbers and the registration event (the full workflow comes with the office rules)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import Problem, ProblemEvent
from hzdesk.services.settings import get_setting
from hzdesk.vocab import ProblemState


def next_problem_number(session: Session, year: int) -> str:
    """WT-2025-001, WT-2025-002 … per year of discovery; gaps are never reused."""
    prefix = f"{get_setting(session, 'problem_number_prefix')}-{year}-"
    numbers = session.scalars(select(Problem.number).where(Problem.number.startswith(prefix)))
    highest = 0
    for number in numbers:
        tail = number[len(prefix):]
        if re.fullmatch(r"\d+", tail):
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:03d}"


def record_registration(problem: Problem, actor: str | None) -> None:
    problem.events.append(ProblemEvent(
        action="登记", from_state=None, to_state=ProblemState.REGISTERED,
        on_date=problem.found_on or clock.today(), actor=actor, note=None))
