"""Sign boards: what is printed on them, and whether that is still true."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hzdesk.services.rules import BOARD_ROLES, holds_on, in_use_on_sql, level_rank, role_rank
from hzdesk.db.models import Appointment, BoardChief, Person, SignBoard, WaterBody
from hzdesk.db.rows import plain_rows
from hzdesk.errors import ValidationError
from hzdesk.parsing import ParseError, parse_phone
from hzdesk.services.records import get
from hzdesk.services.settings import setting_timeline


def set_printed_chiefs(session: Session, board_id: int, chiefs: list[dict[str, Any]],
                       on: dt.date | None = None) -> None:
    """The chiefs printed on a board from day `on` (name, role, level, post, phone), in print order.

    The face it replaces is kept with the day before as its last day, so a past day's report
    judges the board by what it showed then. Without `on` (a register brought in from elsewhere)
    the new face has no known first day: it counts from the board's 牌面更新日期."""
    board = get(session, "sign_board", board_id)
    errors: dict[str, str] = {}
    rows = []
    for i, c in enumerate(chiefs, start=1):
        name = str(c.get("name") or "").strip()
        if not name:
            errors[f"chief{i}"] = f"第 {i} 位河长没有填写姓名"
            continue
        phone = c.get("phone")
        if phone not in (None, ""):
            try:
                phone = parse_phone(phone)
            except ParseError as exc:
                errors[f"chief{i}"] = f"第 {i} 位河长（{name}）：{exc}"
                continue
        rows.append(BoardChief(seq=i, name=name, role=c.get("role"), level=c.get("level"),
                               post=c.get("post"), phone=phone or None))
    if errors:
        raise ValidationError(errors)
    for old in board.printed_chiefs:
        if old.printed_from is None:   # its first day is the board's 牌面更新日期, as far as known
            old.printed_from = board.content_updated_on or board.installed_on
        if on is not None and (old.printed_from is None or old.printed_from < on):
            old.printed_to = on - dt.timedelta(days=1)     # history: what it showed until then
        else:
            board.faces.remove(old)                         # replaced the same day, or history unknown
    for row in rows:
        row.printed_from = on
        board.faces.append(row)
    session.flush()


# ---------------------------------------------------------------- freshness
#
# The chiefs a board should show are the current holders of the chief roles (河长, and 副河长 /
# 总河长 / 副总河长 where appointed to a water body) of the board's water body and of every water
# body above it in the tree: a village segment's board shows the county and township chiefs of the
# river and the village chief of the segment. A board is out of date when the names printed on it
# differ from that set; "since" is the first day of the current stretch of difference; the update
# is overdue when it is still out of date more than `board_update_days` after that day.
#
# On a past day a board is judged by the face it showed that day (faces are kept with their first
# and last days). When nothing is known of that day's face — the register came in later with only
# the present face — the board is 无记录 (not judged), never guessed.

@dataclass
class ShouldPrint:
    name: str
    role: str
    level: str
    post: str | None
    phone: str | None
    water_body: str


@dataclass
class BoardStatus:
    board_id: int
    code: str
    water_body: str
    village: str | None
    place: str | None
    printed: list[str]
    should: list[ShouldPrint]
    since: dt.date | None = None
    due_by: dt.date | None = None
    overdue: bool = False
    known: bool = True                  # False: what the board showed that day is not recorded (无记录)
    printed_on: dt.date | None = None   # the first day of the face it showed that day, where known

    @property
    def out_of_date(self) -> bool:
        return self.since is not None

    @property
    def missing(self) -> list[str]:
        return [s.name for s in self.should if s.name not in self.printed]

    @property
    def stale(self) -> list[str]:
        names = {s.name for s in self.should}
        return [n for n in self.printed if n not in names]


def _chain(parents: dict[int, int | None], water_id: int) -> list[int]:
    """The water body and its ancestors, top first."""
    chain, node, seen = [], water_id, set()
    while node is not None and node not in seen:
        seen.add(node)
        chain.append(node)
        node = parents.get(node)
    return list(reversed(chain))


def _shown_on(faces: list[Any], board: Any, day: dt.date) -> list[Any]:
    """The face a board showed on `day`; a face without a first day counts from 牌面更新日期."""
    fallback = board.content_updated_on or board.installed_on
    return [f for f in faces
            if ((f.printed_from or fallback) is None or (f.printed_from or fallback) <= day)
            and (f.printed_to is None or f.printed_to >= day)]


def _wrong_since(printed: frozenset[str], chain_appts: tuple[Any, ...], names_on: Callable[[dt.date], frozenset[str]],
                 printed_since: dt.date | None, as_of: dt.date) -> dt.date:
    """The first day of the stretch, up to `as_of`, in which the printed names differ from who
    should be printed: walking back over the days the expected set changed, while it differed."""
    changes = sorted({d for a in chain_appts for d in
                      (a.start_on, a.end_on + dt.timedelta(days=1) if a.end_on else None)
                      if d is not None and d <= as_of}, reverse=True)
    since = as_of
    for change in changes:
        if printed_since is not None and change <= printed_since:
            return printed_since  # wrong from the day it was printed
        since = change
        if printed == names_on(change - dt.timedelta(days=1)):
            return since  # right until this change
    return printed_since if printed_since is not None else since


def board_statuses(session: Session, as_of: dt.date) -> list[BoardStatus]:
    """Every board in use on `as_of`, with what it showed then, what it should have shown, and
    since when it had been wrong."""
    days = setting_timeline(session, "board_update_days")   # the deadline in force when it went wrong
    # Plain rows through the connection, not the ORM's: this runs for the overview at every start,
    # for every statistics report and for each township of a county's ranking, over every board,
    # appointment and person. Each read in one fetch (all()): row by row, a server's driver takes
    # a Python call a row.
    waters = dict(plain_rows(session, select(WaterBody.id, WaterBody.name)).all())
    parents = dict(plain_rows(session, select(WaterBody.id, WaterBody.parent_id)).all())
    on_boards = and_(Appointment.role.in_(BOARD_ROLES), Appointment.water_body_id.isnot(None),
                     Appointment.start_on <= as_of)
    appts_by_water: dict[int, list[Any]] = defaultdict(list)
    for a in plain_rows(session, select(Appointment.water_body_id, Appointment.person_id, Appointment.role,
                                        Appointment.level, Appointment.start_on, Appointment.end_on)
                        .where(on_boards)).all():
        appts_by_water[a.water_body_id].append(a)
    people = {p.id: p for p in plain_rows(session, select(Person.id, Person.name, Person.post, Person.phone)
                                          .where(Person.id.in_(select(Appointment.person_id).where(on_boards)))).all()}
    # The faces that may have been up on the day (a face taken down before it cannot have been),
    # and which boards have any face recorded at all.
    faces: dict[int, list[Any]] = defaultdict(list)
    for face in plain_rows(session, select(BoardChief.board_id, BoardChief.name, BoardChief.printed_from,
                                           BoardChief.printed_to)
                           .where(or_(BoardChief.printed_to.is_(None), BoardChief.printed_to >= as_of))
                           .order_by(BoardChief.board_id, BoardChief.seq)).all():
        faces[face.board_id].append(face)
    with_faces = set(plain_rows(session, select(BoardChief.board_id).distinct()).scalars())
    boards = plain_rows(session, select(
        SignBoard.id, SignBoard.code, SignBoard.water_body_id, SignBoard.village, SignBoard.place,
        SignBoard.content_updated_on, SignBoard.installed_on)
        .where(in_use_on_sql(SignBoard.retired_on, as_of),
               or_(SignBoard.installed_on.is_(None), SignBoard.installed_on <= as_of))
        .order_by(SignBoard.code)).all()

    @lru_cache(maxsize=None)  # boards share water bodies (600 boards, 200 water bodies)
    def expected(water_id: int) -> tuple[tuple[Any, ...], tuple[ShouldPrint, ...], frozenset[str]]:
        """The appointments up the tree, who should be printed now, and their names."""
        chain_appts = tuple(a for wid in _chain(parents, water_id) for a in appts_by_water[wid])
        current = sorted((a for a in chain_appts if holds_on(a.start_on, a.end_on, as_of)),
                         key=lambda a: (level_rank(a.level), role_rank(a.role), a.start_on))
        # A person is printed once, under the highest of the posts they hold on this chain.
        first_post = {}
        for a in current:
            first_post.setdefault(a.person_id, a)
        should = tuple(ShouldPrint(people[a.person_id].name, a.role, a.level, people[a.person_id].post,
                                   people[a.person_id].phone, waters[a.water_body_id])
                       for a in first_post.values())
        return chain_appts, should, frozenset(s.name for s in should)

    out = []
    for board in boards:
        chain_appts, should, names_now = expected(board.water_body_id)
        shown = _shown_on(faces.get(board.id, []), board, as_of)
        status = BoardStatus(board.id, board.code, waters[board.water_body_id], board.village, board.place,
                             [f.name for f in shown], list(should))
        out.append(status)
        if not shown and board.id in with_faces:
            status.known = False   # faces are recorded, but none for that day: 无记录, not a guess
            continue
        fallback = board.content_updated_on or board.installed_on
        status.printed_on = min((f.printed_from or fallback for f in shown if f.printed_from or fallback),
                                default=board.installed_on)
        if frozenset(status.printed) != names_now:
            def names_on(day: dt.date, chain=chain_appts) -> frozenset[str]:
                return frozenset(people[a.person_id].name for a in chain if holds_on(a.start_on, a.end_on, day))
            status.since = _wrong_since(frozenset(status.printed), chain_appts, names_on, status.printed_on, as_of)
            status.due_by = status.since + dt.timedelta(days=days(status.since))
            status.overdue = as_of > status.due_by
    return out
