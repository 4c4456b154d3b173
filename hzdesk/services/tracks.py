"""A patrol's GPS track: read, checked against its water body's line with the office's settings
in force on the patrol's day and the patrol rules for the chief's posts, and kept with what the
check found (#17 point 3). The track replaces an earlier one of the same patrol."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.geo.coords import to_wgs
from hzdesk.geo.tracks import Requirements, TrackFacts, analyse, verdict
from hzdesk.services.compliance import patrol_minimums
from hzdesk.services.geometry import river_lines
from hzdesk.services.settings import get_setting


def requirements(session: Session, person_id: int, day: dt.date) -> Requirements:
    """What a patrol by `person_id` on `day` must show: the office's track settings in force that
    day and the patrol rules' minimums for the posts held."""
    minutes, km = patrol_minimums(session, person_id, day)
    return Requirements(min_coverage=get_setting(session, "track_min_coverage", day) / 100,
                        fast_kmh=get_setting(session, "track_fast_kmh", day), min_minutes=minutes, min_km=km,
                        radius_m=get_setting(session, "track_radius_m", day))


def attach_track(session: Session, patrol_id: int, path: str | Path, datum: str = "auto",
                 store: Path | None = None) -> m.PatrolTrack:
    """Read the track file, check it and keep it with the patrol (with `store`, the file itself
    too, as the patrol's attachment: the evidence as it came from the phone)."""
    from hzdesk.geo.files import read_geo_file
    from hzdesk.geo.store import pack

    patrol = session.get(m.Patrol, patrol_id)
    if patrol is None:
        raise ValidationError({"patrol": "巡河记录不存在"})
    line = read_geo_file(path).longest()
    if line.times and line.times[0].date() != patrol.patrol_date and line.times[-1].date() != patrol.patrol_date:
        raise ValidationError({"track": f"轨迹的日期是 {line.times[0]:%Y-%m-%d}，与巡河日期 "
                                        f"{patrol.patrol_date:%Y-%m-%d} 不符，请核对是否选错了文件"})
    need = requirements(session, patrol.person_id, patrol.patrol_date)
    facts = analyse(line.points, line.times, river_lines(session, patrol.water_body_id), datum=datum,
                    radius_m=need.radius_m, fast_kmh=need.fast_kmh)
    passed, reasons = verdict(facts, need)
    stored = session.scalar(select(m.PatrolTrack).where(m.PatrolTrack.patrol_id == patrol_id)) \
        or m.PatrolTrack(patrol_id=patrol_id)
    for key, value in track_values(facts, need, passed, reasons).items():
        setattr(stored, key, value)
    stored.source = Path(path).name[:200]
    stored.points = pack(to_wgs(line.points, facts.datum), line.times)
    session.add(stored)
    session.flush()
    if store is not None:
        from hzdesk.services.attachments import add_attachment
        add_attachment(session, store, "patrol", patrol_id, path, purpose="轨迹文件")
    return stored


def track_values(facts: TrackFacts, need: Requirements, passed: bool, reasons: list[str]) -> dict:
    """A kept track's columns from its check (the points and the file name aside)."""
    return {"n_points": facts.points, "started_at": facts.started_at, "ended_at": facts.ended_at,
            "minutes": facts.minutes, "km": round(facts.km, 3), "raw_km": round(facts.raw_km, 3),
            "coverage": facts.coverage, "coverage_needed": need.min_coverage,
            "fast_minutes": round(facts.fast_minutes, 1), "still_minutes": facts.still_minutes, "gaps": facts.gaps,
            "passed": passed, "reasons": reasons, "checked_on": clock.today(), "datum_in": facts.datum}


def track_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """The period's patrols with a track known on `as_of`: how many, how many checked against a
    river line, below the coverage set, too fast, and not passing on any count."""
    from sqlalchemy import case

    T, P = m.PatrolTrack, m.Patrol
    counted = {"with_track": T.id.is_not(None), "checked": T.coverage.is_not(None),
               "below_coverage": T.coverage < T.coverage_needed, "too_fast": T.fast_minutes >= 1,
               "not_passed": T.passed.is_(False)}
    row = session.execute(   # one pass over the period's tracks
        select(*(func.coalesce(func.sum(case((test, 1), else_=0)), 0) for test in counted.values()))
        .select_from(T).join(P, P.id == T.patrol_id)
        .where(P.patrol_date >= start, P.patrol_date <= min(end, as_of), T.checked_on <= as_of)).one()
    return {key: int(n) for key, n in zip(counted, row)}


def doubtful_patrols(session: Session, start: dt.date, end: dt.date, as_of: dt.date
                     ) -> list[tuple[int, str, dt.date, str]]:
    """The period's patrols whose track, as known on `as_of`, does not show the patrol: (id,
    person, day, the first reason) by day — the rows of track_stats' not_passed."""
    T, P = m.PatrolTrack, m.Patrol
    rows = session.execute(select(P.id, m.Person.name, P.patrol_date, T.reasons)
                           .join(T, T.patrol_id == P.id).join(m.Person, m.Person.id == P.person_id)
                           .where(P.patrol_date >= start, P.patrol_date <= min(end, as_of), T.checked_on <= as_of,
                                  T.passed.is_(False)).order_by(P.patrol_date, P.id))
    return [(pid, name, day, (reasons or ["不符合要求"])[0]) for pid, name, day, reasons in rows]


def track_lines(session: Session, patrol_id: int) -> list[str] | None:
    """What the patrol's kept track says, in lines a clerk reads (None: no track)."""
    t = session.scalar(select(m.PatrolTrack).where(m.PatrolTrack.patrol_id == patrol_id))
    if t is None:
        return None
    names = {"WGS84": "WGS-84", "GCJ02": "GCJ-02", "BD09": "BD-09"}
    out = [("结论：符合要求" if t.passed else "结论：不符合要求") + "——" + "；".join(t.reasons),
           f"文件：{t.source or '—'}（{t.n_points} 个点，坐标系 {names.get(t.datum_in, t.datum_in)}，"
           f"{t.checked_on:%Y-%m-%d} 核对）"]
    if t.started_at is not None:
        out.append(f"时间：{t.started_at:%H:%M} 至 {t.ended_at:%H:%M}（{t.minutes} 分钟）")
    out.append(f"里程：{t.km:.1f} 公里（逐点累加 {t.raw_km:.1f} 公里）")
    out.append("覆盖河道：" + ("该河湖还没有河道线，未核对" if t.coverage is None else
                           f"{t.coverage * 100:.0f}%（要求 {t.coverage_needed * 100:.0f}%）"))
    out.append(f"速度过快 {t.fast_minutes:.0f} 分钟，基本未移动 {t.still_minutes} 分钟，中断 {t.gaps} 处")
    return out


def record_vs_track(patrol: m.Patrol, t: m.PatrolTrack) -> list[tuple[str, str, str, str]]:
    """(item, as the record says, as the track says, the difference) for start, end, duration and
    km. The record is never changed by a track: a clerk's figure that differs stays, and the
    difference is shown where the track is."""
    def hm(x) -> str:
        return f"{x:%H:%M}" if x is not None else "—"

    def minutes_of(start, end) -> int | None:
        if start is None or end is None:
            return None
        return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)

    def gap(a, b, unit: str, digits: int = 0) -> str:
        if a is None or b is None:
            return "—"
        d = round(b - a, digits)
        return "一致" if abs(d) < (0.1 if digits else 1) else f"轨迹{'多' if d > 0 else '少'} {abs(d):g} {unit}"

    def clock_gap(recorded, tracked) -> str:
        if recorded is None or tracked is None:
            return "—"
        d = minutes_of(recorded, tracked.time())
        return "一致" if abs(d) < 1 else f"轨迹{'晚' if d > 0 else '早'} {abs(d)} 分钟"

    recorded_minutes = minutes_of(patrol.start_time, patrol.end_time)
    return [("开始时间", hm(patrol.start_time), hm(t.started_at), clock_gap(patrol.start_time, t.started_at)),
            ("结束时间", hm(patrol.end_time), hm(t.ended_at), clock_gap(patrol.end_time, t.ended_at)),
            ("时长", f"{recorded_minutes} 分钟" if recorded_minutes is not None else "—",
             f"{t.minutes} 分钟" if t.minutes is not None else "—", gap(recorded_minutes, t.minutes, "分钟")),
            ("里程", f"{patrol.distance_km:g} 公里" if patrol.distance_km is not None else "—", f"{t.km:.1f} 公里",
             gap(patrol.distance_km, round(t.km, 1), "公里", 1))]


def differences_line(session: Session, patrol_id: int) -> str | None:
    """"与记录对照：…" — where the record's figures and the track's differ (None: no track)."""
    t = session.scalar(select(m.PatrolTrack).where(m.PatrolTrack.patrol_id == patrol_id))
    if t is None:
        return None
    rows = record_vs_track(session.get(m.Patrol, patrol_id), t)
    differ = [f"{item}记录 {recorded}、{gap}" for item, recorded, _tracked, gap in rows if gap not in ("一致", "—")]
    return "与记录对照：" + ("；".join(differ) if differ else "时间、时长、里程与记录一致") + "（记录不因轨迹改动）"


@dataclass
class Recheck:
    """Stored tracks checked again with today's lines and settings, their kept verdicts untouched
    (what a report printed stays true): how many, and those whose verdict would now differ."""

    checked: int = 0
    differ: list[tuple[int, str, dt.date, bool, list[str]]] = field(default_factory=list)   # id, person, day, now, why

    def lines(self) -> list[str]:
        out = [f"复核轨迹 {self.checked} 条：结论不变 {self.checked - len(self.differ)} 条，按现在的河道线和设置结论会不同 "
               f"{len(self.differ)} 条"]
        out += [f"  巡河记录 {pid}（{day:%Y-%m-%d} {name}）：原为{'不符合' if now else '符合'}要求，现"
                f"{'符合' if now else '不符合'}——{'；'.join(why)}" for pid, name, day, now, why in self.differ]
        if self.differ:
            out.append("原结论保留在记录中（以往报表不变）；需要改用新结论的，在巡河记录 → 轨迹… 中重新导入该轨迹。")
        return out


def recheck_tracks(session: Session, start: dt.date, end: dt.date,
                   progress: Callable[[str], None] = lambda s: None,
                   should_stop: Callable[[], bool] = lambda: False) -> Recheck:
    """Check the period's stored tracks again against the water bodies' lines and the settings
    and rules of each patrol's day, as they stand now. Writes nothing."""
    from hzdesk.geo.store import unpack

    T, P = m.PatrolTrack, m.Patrol
    rows = session.execute(select(T.patrol_id, T.points, T.passed, P.person_id, P.water_body_id, P.patrol_date,
                                  m.Person.name).join(P, P.id == T.patrol_id).join(m.Person, m.Person.id == P.person_id)
                           .where(P.patrol_date >= start, P.patrol_date <= end).order_by(P.patrol_date, P.id))
    lines: dict[int, list] = {}
    needs: dict[tuple[int, dt.date], Requirements] = {}
    result = Recheck()
    for pid, packed, kept, person_id, water_id, day, name in rows:
        if should_stop():
            raise HzdeskError("已取消复核。")
        if water_id not in lines:
            lines[water_id] = river_lines(session, water_id)
        need = needs.get((person_id, day)) or needs.setdefault((person_id, day), requirements(session, person_id, day))
        points, times = unpack(packed)
        facts = analyse(points, times, lines[water_id], datum="WGS84", radius_m=need.radius_m, fast_kmh=need.fast_kmh)
        passed, reasons = verdict(facts, need)
        result.checked += 1
        if passed != kept:
            result.differ.append((pid, name, day, passed, reasons))
        if result.checked % 200 == 0:
            progress(f"已复核 {result.checked} 条轨迹")
    return result
