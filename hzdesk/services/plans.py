"""一河一策 over a period (#16 point 2): the plans in force and how their tasks stand on a day.

Written once here and in 统计口径: a plan counts for a period when its own period overlaps it;
its **tasks** are its items of kind 任务 and 措施 (问题 and 目标 describe, they are not done). A task
is **done** on a day when it is marked 已完成 with a completion date on or before that day (or
none recorded); it is **overdue** on a day when its deadline has passed and it is not done.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.db.models import PlanItem, RiverPlan

TASK_KINDS = ("任务", "措施")
DONE = "已完成"


def task_done(status: str, done_on: dt.date | None, day: dt.date) -> bool:
    return status == DONE and (done_on is None or done_on <= day)


def task_overdue(status: str, done_on: dt.date | None, deadline: dt.date | None, day: dt.date) -> bool:
    return deadline is not None and deadline < day and not task_done(status, done_on, day)


def task_overdue_sql(day: dt.date):
    """`task_overdue` as a condition on plan_item rows (the 只看超期 box of the tasks' table)."""
    from sqlalchemy import and_, not_, or_

    done = and_(PlanItem.status == DONE, or_(PlanItem.done_on.is_(None), PlanItem.done_on <= day))
    return and_(PlanItem.kind.in_(TASK_KINDS), PlanItem.deadline.is_not(None), PlanItem.deadline < day, not_(done))


def plan_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """`stats --json`'s "plans": plans in force in the period, their tasks, done and overdue on
    `as_of`."""
    plans = session.scalars(select(RiverPlan.id).where(RiverPlan.period_start <= end,
                                                       RiverPlan.period_end >= start)).all()
    tasks = session.execute(select(PlanItem.status, PlanItem.done_on, PlanItem.deadline)
                            .where(PlanItem.plan_id.in_(plans), PlanItem.kind.in_(TASK_KINDS))).all() if plans else []
    return {"plans": len(plans), "tasks": len(tasks),
            "done": sum(task_done(s, d, as_of) for s, d, _deadline in tasks),
            "overdue": sum(task_overdue(s, d, deadline, as_of) for s, d, deadline in tasks)}


def overdue_task_count(session: Session, day: dt.date) -> int:
    """Tasks of every plan overdue on `day` (概览: the ones to chase, whatever the period)."""
    tasks = session.execute(select(PlanItem.status, PlanItem.done_on, PlanItem.deadline)
                            .where(PlanItem.kind.in_(TASK_KINDS), PlanItem.deadline < day)).all()
    return sum(task_overdue(s, d, deadline, day) for s, d, deadline in tasks)
