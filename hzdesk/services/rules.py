"""The office's rules, each written once: every surface (概览, 报表, tables, PDFs, workbooks, the
binder, `stats`) asks these functions and never restates a rule.

Where a rule is needed both in SQL (a filter over 100,000 rows) and in Python (a row already read),
its two forms stand side by side here, and `tests/test_rules.py` checks that they agree.
hzdesk/help/统计口径.md says the same rules in words for the clerk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_

from hzdesk.periods import Window
from hzdesk.vocab import ProblemState as S

# ---------------------------------------------------------------- problems

#: States a problem is still being worked on in (not closed, not parked).
OPEN_STATES = (S.REGISTERED, S.RECTIFYING, S.AWAITING_CHECK)
#: 超期 is not a state but a fact: waiting to be assigned or being fixed, past the deadline.
#: 待验收 is the unit's work done (the office's turn); 挂账 has its own, later plan.
OVERDUE_STATES = (S.REGISTERED, S.RECTIFYING)


def is_overdue(state: S | str | None, deadline: dt.date | None, as_of: dt.date) -> bool:
    """超期 on `as_of`: in an overdue state on that day and its deadline is before that day
    (the deadline day itself is still in time)."""
    if state is None or deadline is None:
        return False
    return S(state) in OVERDUE_STATES and deadline < as_of


def overdue_sql(as_of: dt.date, state: Any, deadline: Any) -> Any:
    """The SQL form of `is_overdue` for the current state column (a table of today's problems)."""
    return and_(state.in_(OVERDUE_STATES), deadline.is_not(None), deadline < as_of)


def open_sql(state: Any) -> Any:
    return state.in_(OPEN_STATES)


# ---------------------------------------------------------------- patrols

def is_late_entry(patrol_date: dt.date, entered_on: dt.date | None, late_days: int) -> bool:
    """补录: entered **more than** `late_days` days after the patrol (setting 补录判定天数);
    a record whose entry date is unknown is not late."""
    return entered_on is not None and (entered_on - patrol_date).days > late_days


def window_is_due(window: Window, start: dt.date, end: dt.date, as_of: dt.date) -> bool:
    """A rule's calendar window counts towards a period when it lies wholly inside the period and
    has ended on or before the as-of date: this month counts only its finished weeks and 旬, a
    future period has nothing due, and a window still running cannot yet be missed."""
    return window[0] >= start and window[1] <= end and window[1] <= as_of


def rule_governs(rule: Any, window: Window) -> bool:
    """A frequency rule (or any effective-dated row) governs a window that begins while it is in
    force: on or after its 生效日期 and on or before its 停止日期 (either may be empty)."""
    return ((rule.effective_from is None or rule.effective_from <= window[0])
            and (rule.effective_to is None or rule.effective_to >= window[0]))


# ---------------------------------------------------------------- people and boards

LEVELS = ("县级", "乡级", "村级")
_LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}
#: The roles a sign board prints (副总河长 included where appointed to a water body).
BOARD_ROLES = ("总河长", "副总河长", "河长", "副河长")
_ROLE_RANK = {r: i for i, r in enumerate(BOARD_ROLES)}


def level_rank(level: str | None) -> int:
    """县级 before 乡级 before 村级; anything else after them."""
    return _LEVEL_RANK.get(level or "", len(LEVELS))


def role_rank(role: str | None) -> int:
    """总河长, 副总河长, 河长, 副河长, then every other role."""
    return _ROLE_RANK.get(role or "", len(BOARD_ROLES))


def ordered_levels(levels: Any) -> list[str]:
    """The given level names in the office's order (unknown names last, as given)."""
    return sorted(dict.fromkeys(levels), key=level_rank)


def holds_on(start_on: dt.date, end_on: dt.date | None, day: dt.date) -> bool:
    """An appointment (or any dated span with an open end) covers `day`."""
    return start_on <= day and (end_on is None or end_on >= day)


def holds_on_sql(start_on: Any, end_on: Any, day: dt.date) -> Any:
    return and_(start_on <= day, or_(end_on.is_(None), end_on >= day))


def in_use_on(retired_on: dt.date | None, day: dt.date) -> bool:
    """A register entry (water body, board, person) is in use until the day it is retired."""
    return retired_on is None or retired_on > day


def in_use_on_sql(retired_on: Any, day: dt.date) -> Any:
    return or_(retired_on.is_(None), retired_on > day)
