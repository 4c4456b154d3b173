"""Warnings about a patrol that is accepted all the same: the clerk should look again, but the
record may well be right (民间河长, 巡河员 and office staff patrol too; two rivers can be walked in
one afternoon). Refusals are validation's; these never stop a save or an import."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from hzdesk.db.models import Appointment, Patrol
from hzdesk.services.rules import holds_on_sql


def _appointed(person_id, day):
    return exists().where(Appointment.person_id == person_id, holds_on_sql(Appointment.start_on, Appointment.end_on, day))


def patrol_warnings(session: Session, patrol_id: int) -> list[str]:
    """What to tell the clerk about a saved patrol."""
    p = session.get(Patrol, patrol_id)
    if p is None:
        return []
    out = []
    if not session.scalar(select(_appointed(p.person_id, p.patrol_date))):
        out.append("巡河人当天没有任何任职：已保存，但不计入任何河长的应巡（民间巡河、代巡请在备注中说明）")
    if p.start_time and p.end_time:
        other = session.execute(select(Patrol.start_time, Patrol.end_time).where(
            Patrol.person_id == p.person_id, Patrol.patrol_date == p.patrol_date, Patrol.id != p.id,
            Patrol.start_time < p.end_time, Patrol.end_time > p.start_time)).first()
        if other is not None:
            out.append(f"与此人当天 {other[0]:%H:%M}—{other[1]:%H:%M} 的另一条巡河时间重叠，请核对")
    return out


def unappointed_after(session: Session, last_id: int) -> int:
    """How many patrols newer than `last_id` (those an import just added) were made by someone
    holding no appointment that day."""
    return session.scalar(select(func.count()).select_from(Patrol).where(
        Patrol.id > last_id, ~_appointed(Patrol.person_id, Patrol.patrol_date)))
