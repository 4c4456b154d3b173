"""Patrols from a folder of track files (#17 point 3): a chief hands over a phone's month of GPX
files, and each becomes a patrol — or the track of a patrol already entered — without the clerk
typing what the track already says.

Each file is matched before anything is written (the plan), and the clerk sees the plan:
- the day and the times come from the track's own clock (a track without times cannot be dated);
- the person from the file's name ("李明-0612.gpx", "2025-06-12 李明.gpx") or the track's name:
  the longest name of the roster found there; two people of that name, one holding a post that
  day, is that one;
- the water body: the one whose line the track runs closest to, among those the person was chief
  of that day, else among all lined water bodies — at most `NEAR_M` away by median distance;
- a patrol of that person, day and water body already entered takes the track (one without a
  track; a file already imported is not imported twice); otherwise a new patrol is made, with the
  track's times and km, through the same checks as one typed in.
A file that cannot be matched is named with its reason; then nothing is written unless the clerk
says to skip those files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError

SUFFIXES = (".gpx", ".kml", ".kmz")
NEAR_M = 100.0          # a track's median distance to a water body's line to be taken as a patrol of it


@dataclass
class PlannedTrack:
    file: Path
    day: dt.date | None = None
    person_id: int | None = None
    person: str = ""
    water_body_id: int | None = None
    water: str = ""
    patrol_id: int | None = None        # an entered patrol that takes the track; None: a new patrol
    start: dt.time | None = None
    end: dt.time | None = None
    km: float | None = None
    why_not: str = ""                   # why the file cannot be matched ("" when it can)
    already: bool = False               # this file is the kept track of that patrol already

    def line(self) -> str:
        head = f"{self.file.name}："
        if self.why_not:
            return head + "对不上——" + self.why_not
        what = f"{self.day:%Y-%m-%d} {self.person} {self.water}"
        if self.already:
            return head + f"已导入过（巡河记录 {self.patrol_id}），跳过"
        if self.patrol_id is not None:
            return head + f"挂到已录入的巡河记录 {self.patrol_id}（{what}）"
        return head + f"新建巡河记录：{what}，{self.start:%H:%M}—{self.end:%H:%M}，{self.km:.1f} 公里"


@dataclass
class TrackImportPlan:
    items: list[PlannedTrack] = field(default_factory=list)

    @property
    def matched(self) -> list[PlannedTrack]:
        return [i for i in self.items if not i.why_not and not i.already]

    @property
    def unmatched(self) -> list[PlannedTrack]:
        return [i for i in self.items if i.why_not]

    def lines(self) -> list[str]:
        new = sum(1 for i in self.matched if i.patrol_id is None)
        out = [f"轨迹文件 {len(self.items)} 个：新建巡河记录 {new} 条，挂到已录入记录 {len(self.matched) - new} 条，"
               f"已导入过 {sum(1 for i in self.items if i.already)} 个，对不上 {len(self.unmatched)} 个"]
        return out + ["  " + i.line() for i in self.items]


def plan_track_import(session: Session, folder: str | Path, datum: str = "auto") -> TrackImportPlan:
    from hzdesk.geo.files import read_geo_file

    folder = Path(folder)
    if folder.is_file():
        raise HzdeskError(f"“{folder}”是一个文件，这里要的是放轨迹文件的文件夹；一个文件请挂到它的巡河记录上"
                          "（巡河记录 → 轨迹…，或 hzdesk tracks attach）。")
    if not folder.is_dir():
        raise HzdeskError(f"文件夹“{folder}”不存在。")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    if not files:
        raise HzdeskError(f"文件夹“{folder}”里没有轨迹文件（.gpx、.kml、.kmz）。")
    people = _people(session)
    plan, claimed = TrackImportPlan(), set()
    for path in files:
        item = PlannedTrack(path)
        plan.items.append(item)
        try:
            line = read_geo_file(path).longest()
        except HzdeskError as exc:
            item.why_not = str(exc)
            continue
        if not line.times:
            item.why_not = "轨迹不带时间，无法确定巡河日期；请在巡河记录里用“轨迹…”手工挂上"
            continue
        item.day = line.times[0].date()
        item.start, item.end = line.times[0].time().replace(microsecond=0), line.times[-1].time().replace(microsecond=0)
        who = _person_of(session, people, f"{path.stem} {line.name}", item.day)
        if isinstance(who, str):
            item.why_not = who
            continue
        item.person_id, item.person = who
        where = _water_of(session, item.person_id, item.day, line.points, datum)
        if isinstance(where, str):
            item.why_not = where
            continue
        (item.water_body_id, item.water), item.km = where, _km(line)
        _existing(session, item, claimed)
    return plan


def apply_track_import(session: Session, plan: TrackImportPlan, datum: str = "auto",
                       store: Path | None = None) -> tuple[int, int]:
    """Write the plan's matched files: (patrols made, tracks put on entered patrols)."""
    from hzdesk.services import records
    from hzdesk.services.tracks import attach_track

    made = attached = 0
    for item in plan.matched:
        if item.patrol_id is None:
            patrol = records.create(session, "patrol", {
                "person_id": item.person_id, "water_body_id": item.water_body_id, "patrol_date": item.day,
                "start_time": item.start, "end_time": item.end, "distance_km": round(item.km, 1),
                "entered_on": clock.today(), "notes": f"由轨迹文件“{item.file.name}”生成"})
            item.patrol_id = patrol.id
            made += 1
        else:
            attached += 1
        attach_track(session, item.patrol_id, item.file, datum, store)
    return made, attached


def _people(session: Session) -> dict[str, list[int]]:
    names: dict[str, list[int]] = {}
    for pid, name in session.execute(select(m.Person.id, m.Person.name)):
        names.setdefault(name, []).append(pid)
    return names


def _person_of(session: Session, people: dict[str, list[int]], text: str, day: dt.date):
    """(person id, name) found in `text`, or why not (a Chinese sentence)."""
    found = [name for name in people if len(name) >= 2 and name in text]
    found = [n for n in found if not any(n != other and n in other for other in found)]   # 李明 inside 李明华
    if not found:
        return "文件名和轨迹名称里没有花名册中的姓名（可把文件命名为“姓名-日期.gpx”）"
    if len(found) > 1:
        return "文件名里有几个人的姓名：" + "、".join(found)
    name = found[0]
    ids = people[name]
    if len(ids) > 1:
        A = m.Appointment
        serving = set(session.scalars(select(A.person_id).where(
            A.person_id.in_(ids), A.start_on <= day, (A.end_on.is_(None)) | (A.end_on >= day))))
        if len(serving) != 1:
            return f"花名册里有 {len(ids)} 位“{name}”，无法确定是哪一位"
        ids = list(serving)
    return ids[0], name


def _water_of(session: Session, person_id: int, day: dt.date, points, datum: str):
    """(water body id, "name（code）") the track runs along, or why not."""
    from hzdesk.geo.coords import to_wgs
    from hzdesk.geo.tracks import choose_datum, median_distance_m
    from hzdesk.services.geometry import river_lines

    A, W = m.Appointment, m.WaterBody
    own = list(dict.fromkeys(session.scalars(select(A.water_body_id).where(
        A.person_id == person_id, A.water_body_id.is_not(None), A.start_on <= day,
        (A.end_on.is_(None)) | (A.end_on >= day)))))
    lined = list(session.scalars(select(m.WaterGeometry.water_body_id)))
    sample = points[:: max(1, len(points) // 200)]
    for candidates in (own, [w for w in lined if w not in own]):
        best = None
        for wid in candidates:
            lines = river_lines(session, wid)
            if not lines:
                continue
            if datum == "auto":
                _d, median, _all = choose_datum(sample, lines)
            else:
                median = median_distance_m(to_wgs(sample, datum), lines)
            if median is not None and median <= NEAR_M and (best is None or median < best[1]):
                best = (wid, median)
        if best is not None:
            code, name = session.execute(select(W.code, W.name).where(W.id == best[0])).one()
            return best[0], f"{name}（{code}）"
    if not lined:
        return "还没有导入河道线，无法判断走的是哪条河（先用“geo import”导入河道线）"
    return f"轨迹离所有河道线都超过 {NEAR_M:g} 米，无法判断走的是哪条河"


def _km(line) -> float:
    from hzdesk.geo.tracks import analyse

    return analyse(line.points, line.times, None).km


def _existing(session: Session, item: PlannedTrack, claimed: set[int]) -> None:
    """The entered patrol this file belongs to, if any (one file each: `claimed`)."""
    P, T = m.Patrol, m.PatrolTrack
    rows = session.execute(select(P.id, T.source).outerjoin(T, T.patrol_id == P.id).where(
        P.person_id == item.person_id, P.patrol_date == item.day, P.water_body_id == item.water_body_id)
        .order_by(P.id)).all()
    for pid, source in rows:
        if source == item.file.name[:200]:
            item.patrol_id, item.already = pid, True
            return
    free = [pid for pid, source in rows if source is None and pid not in claimed]
    if free:
        item.patrol_id = free[0]
        claimed.add(free[0])
