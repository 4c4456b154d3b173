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
    from hzdesk.db.server import hold_write_lock
    hold_write_lock(session.connection())   # two clerks on one server: never the same number
    prefix = f"{get_setting(session, 'problem_number_prefix')}-{year}-"
    return f"{prefix}{_highest(session, prefix) + 1:03d}"


def _highest(session: Session, prefix: str) -> int:
    """The highest number after `prefix` in use. A bulk import keeps it (see `note_number`):
    reading every number of the year for each new problem made 20,000 problems quadratic."""
    cache = _bulk_numbers(session)
    if cache is not None and prefix in cache:
        return cache[prefix]
    highest = 0
    for number in session.scalars(select(Problem.number).where(Problem.number.startswith(prefix))):
        tail = number[len(prefix):]
        if re.fullmatch(r"\d+", tail):
            highest = max(highest, int(tail))
    if cache is not None:
        cache[prefix] = highest
    return highest


def _bulk_numbers(session: Session) -> dict[str, int] | None:
    """{prefix: highest number} while a bulk import runs (validation.bulk_uniqueness), else None."""
    keys = session.info.get("bulk_keys")
    return None if keys is None else keys.setdefault("problem_numbers", {})


def number_taken(session: Session, number: str) -> bool:
    """Whether a problem already holds `number`. During a bulk import, against the numbers
    stored and those given so far (one read, and no flush of the rows not yet sent)."""
    from hzdesk.services.validation import bulk_taken

    taken = bulk_taken(session, "problem.number", lambda: session.scalars(select(Problem.number)), number)
    if taken is not None:
        return taken
    return session.scalar(select(Problem.id).where(Problem.number == number)) is not None


def note_number(session: Session, number: str) -> None:
    """A problem now holds `number`: during a bulk import the next automatic number goes past
    it, and no row of the workbook may give it again."""
    if session.info.get("bulk_keys") is not None:
        number_taken(session, number)   # marks it taken for the rest of the workbook
    cache = _bulk_numbers(session)
    found = re.fullmatch(r"(.*-)(\d+)", number or "")
    if cache is not None and found and found.group(1) in cache:
        cache[found.group(1)] = max(cache[found.group(1)], int(found.group(2)))


def record_registration(problem: Problem, actor: str | None) -> None:
    problem.events.append(ProblemEvent(
        action="登记", from_state=None, to_state=ProblemState.REGISTERED,
        on_date=problem.found_on or clock.today(), actor=actor, note=None))
