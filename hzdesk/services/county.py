"""The county's figures: each township's row, the county's total and the ranking (#18 point 4).

Every figure is the township's own `period_stats` figure — made by `stats.key_figures`, the part
of the same function its own office prints its statistics with — computed in a session narrowed
to that township, so a township's row in the county's 通报 is the figure its own report shows for
the same period and day. The county's total is `period_stats` over all townships at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.orm import Session

from hzdesk.db import township as townships_of
from hzdesk.services.stats import key_figures


@dataclass(frozen=True)
class Measure:
    key: str                    # by_township's JSON key
    label: str                  # the column's heading
    path: tuple[str, str]       # where period_stats keeps it
    higher_is_better: bool = True
    ratio: bool = False


#: What the county compares townships by, in the ranking's order of precedence: patrols done as
#: the rules require, then problems rectified, then fewest overdue, then fewest boards out of date.
MEASURES = (
    Measure("patrol_rate", "巡河达标率", ("patrols", "rate"), ratio=True),
    Measure("rectification_rate", "问题整改率", ("issues", "rectification_rate"), ratio=True),
    Measure("overdue", "逾期未办结（个）", ("issues", "overdue"), higher_is_better=False),
    Measure("boards_out_of_date", "公示牌未更新（块）", ("boards", "out_of_date"), higher_is_better=False),
)
#: Counts shown beside the measures (not ranked).
COUNTS = (
    Measure("patrols", "巡河（次）", ("patrols", "done")),
    Measure("patrols_due", "应巡（次）", ("patrols", "due")),
    Measure("found", "发现问题（个）", ("issues", "found")),
    Measure("closed", "销号（个）", ("issues", "closed")),
)


def _row(figures: dict[str, Any]) -> dict[str, Any]:
    return {m.key: figures[m.path[0]][m.path[1]] for m in MEASURES + COUNTS}


def _rank_key(row: dict[str, Any]) -> tuple:
    key = []
    for m in MEASURES:
        value = row[m.key]
        if value is None:               # nothing to measure (no patrol due): after every measured one
            key.append((1, 0))
        else:
            key.append((0, -value if m.higher_is_better else value))
    return tuple(key)


def by_township(session: Session, start: dt.date, end: dt.date, as_of: dt.date,
                progress: Callable[[str], None] = lambda s: None,
                should_stop: Callable[[], bool] = lambda: False) -> list[dict[str, Any]]:
    """A row per township: its name and code, its figures and its rank (1 = best; equal figures
    share a rank), best first."""
    rows = []
    for t in townships_of.townships(session):
        if should_stop():
            break
        progress(t.name)
        # A session of its own: one narrowed to a township must not find another's rows in its
        # identity map.
        with Session(bind=session.get_bind(), info={townships_of.SCOPE: t.id}) as s:
            figures = key_figures(s, start, end, as_of)
        rows.append({"township": t.name, "code": t.code, **_row(figures)})
    rows.sort(key=_rank_key)
    for i, row in enumerate(rows):
        same = i and _rank_key(rows[i - 1]) == _rank_key(row)
        row["rank"] = rows[i - 1]["rank"] if same else i + 1
    return rows
