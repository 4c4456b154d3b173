"""The roster: reshuffles (换届/调整) that end one appointment and start the next in one step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from hzdesk.db.models import Appointment, Person
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services import records
from hzdesk.services.boards import BoardStatus, board_statuses, _chain
from hzdesk.services.rules import BOARD_ROLES, holds_on_sql, ordered_levels, role_rank


def reshuffle(session: Session, appointment_id: int, *, end_on: Any, successor_id: int | None = None,
              successor: dict[str, Any] | None = None, start_on: Any = None,
              doc_number: str | None = None, reason: str | None = None) -> tuple[Appointment, Appointment]:
    """End appointment `appointment_id` on `end_on` and appoint the successor (an existing person,
    or a new one described by `successor`) to the same role, level and water body from `start_on`
    (default: the next day). Both happen or neither."""
    old = records.get(session, "appointment", appointment_id)
    errors: dict[str, str] = {}
    try:
        end = parse_date(end_on)
    except ParseError as exc:
        raise ValidationError({"end_on": str(exc)}, {"end_on": "离任日期"}) from None
    try:
        start = parse_date(start_on) if start_on not in (None, "") else end + dt.timedelta(days=1)
    except ParseError as exc:
        raise ValidationError({"start_on": str(exc)}, {"start_on": "接任日期"}) from None
    if old.end_on is not None:
        errors["end_on"] = f"该任职已于 {old.end_on.isoformat()} 结束"
    elif end < old.start_on:
        errors["end_on"] = f"离任日期不能早于任职日期 {old.start_on.isoformat()}"
    if start <= end:
        errors["start_on"] = "接任日期应晚于原任离任日期"
    if successor_id is None and not successor:
        errors["successor"] = "请选择或填写接任人"
    if successor_id is not None and successor_id == old.person_id:
        errors["successor"] = "接任人不能是原任本人"
    if errors:
        raise ValidationError(errors, {"end_on": "离任日期", "start_on": "接任日期", "successor": "接任人"})
    with session.begin_nested():  # a refused successor must not leave the old one ended
        records.update(session, "appointment", old.id, {"end_on": end, "reason": reason or old.reason})
        if successor_id is None:
            successor_id = records.create(session, "person", successor).id
        elif session.get(Person, successor_id) is None:
            raise ValidationError({"successor": "所选接任人不存在"}, {"successor": "接任人"})
        new = records.create(session, "appointment", {
            "person_id": successor_id, "water_body_id": old.water_body_id, "role": old.role,
            "level": old.level, "start_on": start, "doc_number": doc_number, "reason": reason})
    return old, new


def open_posts(session: Session, person_id: int, on: dt.date) -> list[Appointment]:
    """The appointments a person holds on `on` (all their posts, on every water body)."""
    from sqlalchemy import select

    from hzdesk.services.rules import holds_on_sql
    return list(session.scalars(select(Appointment).where(
        Appointment.person_id == person_id, holds_on_sql(Appointment.start_on, Appointment.end_on, on))
        .order_by(Appointment.id)))


def reshuffle_person(session: Session, appointment_id: int, *, end_on: Any, successor_id: int | None = None,
                     successor: dict[str, Any] | None = None, **kw: Any) -> list[tuple[Appointment, Appointment]]:
    """Every post of the person who holds `appointment_id` handed to one successor in one step (a
    village secretary who is chief of three ditches leaves all three). All or none."""
    holder = records.get(session, "appointment", appointment_id).person_id
    try:
        day = parse_date(end_on)
    except ParseError as exc:
        raise ValidationError({"end_on": str(exc)}, {"end_on": "离任日期"}) from None
    posts = open_posts(session, holder, day)
    if not posts:
        raise ValidationError({"end_on": "这一天此人没有在任的职务"}, {"end_on": "离任日期"})
    out = []
    with session.begin_nested():
        for a in posts:
            old, new = reshuffle(session, a.id, end_on=day, successor_id=successor_id, successor=successor, **kw)
            successor_id, successor = new.person_id, None   # the same successor for every post
            out.append((old, new))
    return out


def villages(session: Session) -> list[str]:
    """The villages the register names (流经村 of every water body), in pinyin order."""
    from sqlalchemy import select

    from hzdesk.collation import sort_key
    from hzdesk.db.models import WaterBody
    names = {v.strip() for (text,) in session.execute(select(WaterBody.villages)) for v in (text or "").split("、")}
    return sorted((v for v in names if v), key=sort_key)


def village_posts(session: Session, village: str, on: dt.date) -> dict[int, list[Appointment]]:
    """The 村级 posts on water bodies lying in `village` held on `on`, by holder (person id).
    These are what a village's 两委换届 hands over."""
    from sqlalchemy import select

    from hzdesk.db.models import WaterBody
    from hzdesk.services.rules import holds_on_sql
    waters = [wid for wid, text in session.execute(select(WaterBody.id, WaterBody.villages))
              if village in [v.strip() for v in (text or "").split("、")]]
    out: dict[int, list[Appointment]] = {}
    for a in session.scalars(select(Appointment).where(
            Appointment.level == "村级", Appointment.water_body_id.in_(waters),
            holds_on_sql(Appointment.start_on, Appointment.end_on, on)).order_by(Appointment.id)):
        out.setdefault(a.person_id, []).append(a)
    return out


def reshuffle_village(session: Session, village: str, *, end_on: Any,
                      handovers: dict[int, int | dict[str, Any] | None], **kw: Any
                      ) -> list[tuple[Appointment, Appointment]]:
    """A village's 换届 in one step: every holder of the village's 村级 posts on `end_on` named in
    `handovers` hands all those posts to their successor (a person id, or a new person's fields);
    a holder left out, or with None, stays in office (连任). All or none."""
    try:
        day = parse_date(end_on)
    except ParseError as exc:
        raise ValidationError({"end_on": str(exc)}, {"end_on": "离任日期"}) from None
    posts = village_posts(session, village, day)
    moving = {pid: to for pid, to in handovers.items() if to not in (None, "", {})}
    if not moving:
        raise ValidationError({"successor": "请至少为一位原任填写接任人（不填的视为连任）"}, {"successor": "接任人"})
    strangers = set(moving) - set(posts)
    if strangers:
        raise ValidationError({"successor": f"有 {len(strangers)} 位原任在 {day.isoformat()} 不担任{village}的村级职务"},
                              {"successor": "接任人"})
    out = []
    with session.begin_nested():
        for holder, to in moving.items():
            successor_id, successor = (to, None) if isinstance(to, int) else (None, to)
            for a in posts[holder]:
                old, new = reshuffle(session, a.id, end_on=day, successor_id=successor_id,
                                     successor=successor, **kw)
                successor_id, successor = new.person_id, None   # one successor for all the holder's posts
                out.append((old, new))
    return out


def boards_to_redo(session: Session, appointment_ids: list[int], today: dt.date) -> list[BoardStatus]:
    """Every board the new appointments `appointment_ids` make wrong (from their first day, or
    today), each once: what a reshuffle tells the clerk to reprint."""
    seen: dict[int, BoardStatus] = {}
    for aid in appointment_ids:
        a = records.get(session, "appointment", aid)
        for b in boards_affected(session, a.water_body_id, max(today, a.start_on)):
            seen.setdefault(b.board_id, b)
    return list(seen.values())


def boards_affected(session: Session, water_body_id: int | None, as_of: dt.date) -> list[BoardStatus]:
    """Out-of-date boards whose chain of water bodies includes `water_body_id` (the boards a
    change of this water body's chief makes wrong)."""
    if water_body_id is None:
        return []
    from sqlalchemy import select

    from hzdesk.db.models import SignBoard, WaterBody
    parents = dict(session.execute(select(WaterBody.id, WaterBody.parent_id)).all())
    board_water = dict(session.execute(select(SignBoard.id, SignBoard.water_body_id)).all())
    return [b for b in board_statuses(session, as_of)
            if b.out_of_date and water_body_id in _chain(parents, board_water[b.board_id])]


def people_on(session: Session, day: dt.date) -> dict[str, Any]:
    """Who holds what on `day` (#16 point 4): distinct people per level among the chiefs (总河长,
    副总河长, 河长, 副河长) and distinct people per role, from the appointments in force that day.
    One person with posts at two levels counts once in each level, once per role."""
    in_force = holds_on_sql(Appointment.start_on, Appointment.end_on, day)
    by_level = dict(session.execute(
        select(Appointment.level, func.count(distinct(Appointment.person_id)))
        .where(in_force, Appointment.role.in_(BOARD_ROLES)).group_by(Appointment.level)).all())
    by_role = dict(session.execute(
        select(Appointment.role, func.count(distinct(Appointment.person_id)))
        .where(in_force).group_by(Appointment.role)).all())
    return {"chiefs_by_level": {level: by_level[level] for level in ordered_levels(by_level)},
            "by_role": {role: by_role[role] for role in sorted(by_role, key=lambda r: (role_rank(r), r))}}
