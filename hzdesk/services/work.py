"""工作记录 over a period (#16 point 3): what the office did, counted by kind, and its quantities.

Written once here and in 统计口径: a record counts for a period when its date is in the period and
not after the as-of date. Kinds are counted in the order of the office's list (then any kind no
longer listed); quantities are summed by their label (with the unit, as 清理垃圾(吨)).

A 督办单 that hzdesk prints is a 督办 record by itself: each problem handed over (its last 交办 or
恢复整改 — the date the sheet is signed on) in the period counts once under 督办函/督查专报, beside
the letters the office recorded by hand; `supervision_sheets` says how many of them were sheets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hzdesk.db.models import ProblemEvent, WorkRecord
from hzdesk.services.settings import choices

SUPERVISION_KIND = "督办函/督查专报"
HANDED_OVER = ("交办", "恢复整改")


def _signed(last: dt.date):
    return (select(ProblemEvent.problem_id, func.max(ProblemEvent.on_date).label("on"))
            .where(ProblemEvent.action.in_(HANDED_OVER), ProblemEvent.on_date <= last)
            .group_by(ProblemEvent.problem_id).subquery())


def supervision_sheets(session: Session, start: dt.date, last: dt.date) -> int:
    """Problems whose 督办单 is dated in [start, last]: their last hand-over on or before `last`."""
    signed = _signed(last)
    return session.scalar(select(func.count()).select_from(signed).where(signed.c.on >= start)) or 0


def supervision_sheet_numbers(session: Session, start: dt.date, last: dt.date) -> list[str]:
    """The numbers of those problems, in the order their sheets were signed (the binder's 督办单)."""
    from hzdesk.db.models import Problem

    signed = _signed(last)
    return list(session.scalars(select(Problem.number).join(signed, signed.c.problem_id == Problem.id)
                                .where(signed.c.on >= start).order_by(signed.c.on, Problem.id)))


def work_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """`stats --json`'s "work": {"by_kind", "quantities", "participants", "supervision_sheets"}."""
    last = min(end, as_of)
    rows = session.execute(select(WorkRecord.kind, WorkRecord.participants, WorkRecord.quantities)
                           .where(WorkRecord.held_on >= start, WorkRecord.held_on <= last)).all() if last >= start else []
    kinds = Counter(kind for kind, _p, _q in rows)
    sheets = supervision_sheets(session, start, last) if last >= start else 0
    if sheets:
        kinds[SUPERVISION_KIND] += sheets
    listed = choices(session, "work_kind", include_inactive=True)
    by_kind = {k: kinds[k] for k in listed if kinds[k]}
    by_kind.update({k: n for k, n in sorted(kinds.items()) if k not in by_kind and n})
    totals: dict[str, float] = {}
    for _k, _p, amounts in rows:
        for label, x in (amounts or {}).items():
            if x is not None:
                totals[label] = totals.get(label, 0.0) + float(x)
    order = {k: i for i, k in enumerate(choices(session, "work_quantity", include_inactive=True))}
    quantities = {k: round(totals[k], 3) for k in sorted(totals, key=lambda k: (order.get(k, len(order)), k))}
    return {"records": len(rows), "by_kind": by_kind, "quantities": quantities,
            "participants": sum(p or 0 for _k, p, _q in rows), "supervision_sheets": sheets}
