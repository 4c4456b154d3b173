"""What a clerk sees first: this month so far, problems to chase, boards to redo, late entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db.models import Patrol, Problem, WaterBody
from hzdesk.services import compliance
from hzdesk.services.boards import BoardStatus, board_statuses
from hzdesk.services.plans import overdue_task_count
from hzdesk.periods import window_of
from hzdesk.services.rules import OVERDUE_STATES, is_overdue
from hzdesk.vocab import PeriodUnit


@dataclass
class ProblemLine:
    id: int
    number: str
    water_body: str
    category: str
    responsible_unit: str | None
    deadline: dt.date
    days: int          # overdue by (positive) or due in (negative … 0)


@dataclass
class Overview:
    today: dt.date
    month: compliance.Compliance
    behind: list[compliance.ChiefRow]
    overdue: list[ProblemLine]
    due_soon: list[ProblemLine]
    boards: list[BoardStatus]
    late: list[tuple[int, str, dt.date, dt.date]]   # patrol id, person, patrol date, entered on
    plan_overdue: int = 0                            # 一河一策 tasks past their deadline, not done
    tracks: dict | None = None                       # the month's tracks, as stats --json's patrols.tracks
    doubtful: list[tuple[int, str, dt.date, str]] | None = None   # patrol id, person, day, the track's first reason


def overview(session: Session, today: dt.date | None = None) -> Overview:
    today = today or clock.today()
    # The whole month as of today: the same figure 报表 gives for this month (only the weeks and
    # 旬 that have ended are due), so the two never disagree.
    first, last = window_of(PeriodUnit.MONTH, today)
    month = compliance.compute(session, first, last, as_of=today)
    # Problems that can be overdue whose deadline has passed or comes within a week.
    rows = session.execute(
        select(Problem.id, Problem.number, WaterBody.name, Problem.category, Problem.responsible_unit,
               Problem.deadline, Problem.state)
        .join(WaterBody, WaterBody.id == Problem.water_body_id)
        .where(and_(Problem.state.in_(OVERDUE_STATES), Problem.deadline.isnot(None),
                    Problem.deadline <= today + dt.timedelta(days=7)))
        .order_by(Problem.deadline, Problem.id)).all()
    overdue, due_soon = [], []
    for *r, state in rows:
        line = ProblemLine(*r, days=(today - r[5]).days)
        (overdue if is_overdue(state, line.deadline, today) else due_soon).append(line)
    late = []
    if month.late_ids:
        from hzdesk.db.models import Person
        late = list(session.execute(
            select(Patrol.id, Person.name, Patrol.patrol_date, Patrol.entered_on)
            .join(Person, Person.id == Patrol.person_id).where(Patrol.id.in_(month.late_ids))
            .order_by(Patrol.patrol_date)).all())
    from hzdesk.services.tracks import doubtful_patrols, track_stats
    return Overview(
        tracks=track_stats(session, first, last, today), doubtful=doubtful_patrols(session, first, last, today),
        today=today, month=month,
        behind=[c for c in month.by_chief if c.credited < c.due],
        overdue=overdue, due_soon=due_soon,
        boards=[b for b in board_statuses(session, today) if b.out_of_date],
        late=[tuple(r) for r in late],
        plan_overdue=overdue_task_count(session, today))
