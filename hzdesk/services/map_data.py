"""What 一张图 shows on a day (#17 point 2): water bodies coloured by their problems, boards (out
of date in red), outfalls, monitoring sections by their latest class, open problems where they were
found — everything as of a date, by the same rules as the ledgers. No Qt here: the map tab and a
printed map page draw the same features."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from hzdesk.db import models as m
from hzdesk.geo.coords import Point


@dataclass
class MapWater:
    id: int
    code: str
    name: str
    lines: list[list[Point]]
    state: str            # "overdue" (an open problem past its deadline), "open", "behind" (a chief's
    open_problems: int    # patrols this month fall short of the rules), "ok" — the first that applies
    behind: list[str] = field(default_factory=list)    # its chiefs behind on patrols this month


@dataclass
class MapPoint:
    kind: str             # sign_board, outfall, section, problem
    id: int
    label: str
    at: Point
    state: str = "ok"     # boards: "stale" (shows people no longer in charge); problems: "open"/"overdue";
    note: str = ""        # sections: the latest class on the day ("" when none)


@dataclass
class MapData:
    as_of: dt.date
    waters: list[MapWater] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    unplaced: dict[str, int] = field(default_factory=dict)   # records without coordinates, by kind

    def bounds(self) -> tuple[float, float, float, float] | None:
        pts = [p for w in self.waters for line in w.lines for p in line] + [p.at for p in self.points]
        if not pts:
            return None
        return min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)


KIND_WORDS = {"sign_board": "公示牌", "outfall": "排污口", "section": "监测断面", "problem": "问题"}

# How each feature is drawn, once for the map tab and the printed map. Colours that also differ in
# lightness, so a map printed in grey still tells them apart.
WATER_COLOURS = {"ok": "#2F6DB5", "behind": "#7B1FA2", "open": "#E69A1C", "overdue": "#C62828"}
WATER_WORDS = {"ok": "河湖", "behind": "河长本月巡河未达要求", "open": "有未办结问题", "overdue": "有超期问题"}
#: Water classes as the national maps colour them (Ⅰ–Ⅱ blue … 劣Ⅴ red); "" = no result yet.
CLASS_COLOURS = {"Ⅰ": "#1565C0", "Ⅱ": "#1E88E5", "Ⅲ": "#2E7D32", "Ⅳ": "#F9A825", "Ⅴ": "#EF6C00",
                 "劣Ⅴ": "#C62828", "": "#9E9E9E"}
#: (kind, state) → (colour, shape, legend words); a section's state is its latest class.
POINT_STYLE = {("sign_board", "ok"): ("#2E7D32", "rect", "公示牌"),
               ("sign_board", "stale"): ("#C62828", "rect", "公示牌需更新"),
               ("outfall", "ok"): ("#6D4C41", "diamond", "排污口"),
               ("problem", "open"): ("#E69A1C", "triangle", "未办结问题"),
               ("problem", "overdue"): ("#C62828", "triangle", "超期问题")}
POINT_STYLE.update({("section", c): (colour, "circle", f"断面 {c}类" if c else "断面（无监测结果）")
                    for c, colour in CLASS_COLOURS.items()})


def point_style(p: "MapPoint") -> tuple[str, str, str]:
    return POINT_STYLE.get((p.kind, p.state), ("#555555", "circle", KIND_WORDS.get(p.kind, "")))


def legend(data: "MapData") -> list[tuple[str, str, str]]:
    """(colour, shape, words) for what this map shows: "line" for water bodies."""
    shown_waters = {w.state for w in data.waters}
    out = [(WATER_COLOURS[s], "line", WATER_WORDS[s]) for s in WATER_COLOURS if s in shown_waters]
    seen = []
    for key, style in POINT_STYLE.items():
        if any((p.kind, p.state) == key for p in data.points) and style not in seen:
            seen.append(style)
    return out + seen


def _placed(lon, lat) -> bool:
    return lon is not None and lat is not None and -180 <= lon <= 180 and -90 <= lat <= 90


#: Decoded water lines by (database, water body), kept while their row is unchanged: the large
#: set's lines are 40 ms of JSON to decode at every redraw of the map.
_LINE_CACHE: dict[tuple[str, int], tuple[object, list]] = {}


def _lines(session: Session) -> list[tuple[int, str, str, dt.date | None, list]]:
    """(water body id, code, name, retired on, its lines) of each water body with lines."""

    W, G = m.WaterBody, m.WaterGeometry
    where = str(session.get_bind().url)
    # a row's stamp: when it changed, its length and the size of its text (a clock frozen in a
    # test or a replacement within the same second still shows)
    stamp = (G.updated_at, G.length_m, func.length(cast(G.lines, Text)))
    rows = session.execute(select(W.id, W.code, W.name, W.retired_on, G.id, *stamp)
                           .join(G, G.water_body_id == W.id)).all()
    stale = [r[4] for r in rows if _LINE_CACHE.get((where, r[4]), (None,))[0] != tuple(r[5:])]
    for i in range(0, len(stale), 500):
        for gid, *when, lines in session.execute(select(G.id, *stamp, G.lines).where(G.id.in_(stale[i:i + 500]))):
            _LINE_CACHE[(where, gid)] = (tuple(when), lines)
    return [(wid, code, name, retired, _LINE_CACHE[(where, gid)][1]) for wid, code, name, retired, gid, *_s in rows]


def _chiefs_behind(session: Session, as_of: dt.date) -> dict[int, list[str]]:
    """water body → its chiefs (appointed there on the day) whose patrols this month, as of the
    day, fall short of the rules — the month's figure of 概览 and the statistics."""
    from hzdesk.periods import window_of
    from hzdesk.services import compliance
    from hzdesk.vocab import PeriodUnit

    first, last = window_of(PeriodUnit.MONTH, as_of)
    short = {c.person_id: c.name for c in compliance.compute(session, first, last, as_of=as_of).by_chief
             if c.credited < c.due}
    if not short:
        return {}
    A = m.Appointment
    out: dict[int, list[str]] = {}
    for person_id, wid in session.execute(select(A.person_id, A.water_body_id).where(
            A.person_id.in_(short), A.water_body_id.is_not(None), A.start_on <= as_of,
            (A.end_on.is_(None)) | (A.end_on >= as_of))):
        if short[person_id] not in out.setdefault(wid, []):
            out[wid].append(short[person_id])
    return out


def map_data(session: Session, as_of: dt.date) -> MapData:
    from hzdesk.services.boards import board_statuses
    from hzdesk.services.rules import OPEN_STATES, in_use_on, is_overdue
    from hzdesk.services.stats import states_as_of

    data = MapData(as_of)
    unplaced: dict[str, int] = {}
    # problems open on the day, each in its state then
    states = states_as_of(session, as_of)
    open_by_water: dict[int, list[bool]] = {}
    P = m.Problem
    open_ids = [pid for pid, state in states.items() if state in OPEN_STATES]
    # a problem without coordinates is placed where its earliest located photo was taken
    A = m.Attachment
    photo_at: dict[int, Point] = {}
    for owner, lon, lat in session.execute(select(A.owner_id, A.longitude, A.latitude).where(
            A.owner_type == "problem", A.owner_id.in_(open_ids), A.latitude.is_not(None),
            A.longitude.is_not(None)).order_by(A.id.desc())):
        photo_at[owner] = (lon, lat)
    for pid, number, wid, lon, lat, deadline, category in session.execute(   # only the day's open ones
            select(P.id, P.number, P.water_body_id, P.longitude, P.latitude, P.deadline, P.category)
            .where(P.id.in_(open_ids), P.found_on <= as_of)):
        state = states[pid]
        late = is_overdue(state, deadline, as_of)
        open_by_water.setdefault(wid, []).append(late)
        from_photo = not _placed(lon, lat) and pid in photo_at
        if from_photo:
            lon, lat = photo_at[pid]
        if _placed(lon, lat):
            data.points.append(MapPoint("problem", pid, number, (lon, lat), "overdue" if late else "open",
                                        f"{category}，{state.value}" + ("，已超期" if late else "")
                                        + ("（位置取自照片）" if from_photo else "")))
        else:
            unplaced["problem"] = unplaced.get("problem", 0) + 1
    behind = _chiefs_behind(session, as_of)
    for wid, code, name, retired, lines in _lines(session):
        if not in_use_on(retired, as_of):
            continue
        flags, late_chiefs = open_by_water.get(wid, []), behind.get(wid, [])
        state = "overdue" if any(flags) else "open" if flags else "behind" if late_chiefs else "ok"
        data.waters.append(MapWater(wid, code, name, [[(x, y) for x, y in line] for line in lines], state,
                                    len(flags), late_chiefs))
    placed = {i: (lon, lat) for i, lon, lat in session.execute(
        select(m.SignBoard.id, m.SignBoard.longitude, m.SignBoard.latitude))}
    for st in board_statuses(session, as_of):
        lon, lat = placed[st.board_id]
        if _placed(lon, lat):
            data.points.append(MapPoint("sign_board", st.board_id, st.code, (lon, lat),
                                        "stale" if st.out_of_date else "ok",
                                        f"{st.water_body}，牌面河长：{'、'.join(st.printed) or '—'}"
                                        + ("（需更新）" if st.out_of_date else "")))
        else:
            unplaced["sign_board"] = unplaced.get("sign_board", 0) + 1
    O = m.Outfall
    for oid, code, name, lon, lat in session.execute(select(O.id, O.code, O.name, O.longitude, O.latitude)):
        if _placed(lon, lat):
            data.points.append(MapPoint("outfall", oid, code or name or "排污口", (lon, lat), note=name or ""))
        else:
            unplaced["outfall"] = unplaced.get("outfall", 0) + 1
    S, R = m.MonitoringSection, m.MonitoringResult
    latest: dict[int, tuple[dt.date, str]] = {}
    for sid, sampled, water_class in session.execute(select(R.section_id, R.sampled_on, R.water_class)
                                                     .where(R.sampled_on <= as_of).order_by(R.sampled_on)):
        latest[sid] = (sampled, water_class)
    for sid, name, target, lon, lat in session.execute(select(S.id, S.name, S.target_class, S.longitude, S.latitude)):
        if _placed(lon, lat):
            sampled, water_class = latest.get(sid, (None, ""))
            note = (f"{sampled:%Y-%m-%d} 监测 {water_class}类（目标 {target}类）" if sampled
                    else f"截至当日无监测结果（目标 {target}类）")
            data.points.append(MapPoint("section", sid, name, (lon, lat), water_class, note))
        else:
            unplaced["section"] = unplaced.get("section", 0) + 1
    data.unplaced = unplaced
    return data


def basemap_pieces(session: Session, bounds: tuple[float, float, float, float], width_px: float
                   ) -> tuple[list, str]:
    """The office's basemap over `bounds` (west, south, east, north) at about `width_px` across,
    and the source line printed under a map: what it is, or why it could not be drawn."""
    from hzdesk.geo.basemap import BasemapError, open_basemap
    from hzdesk.services.settings import get_setting

    path = get_setting(session, "map_basemap").strip()
    if not path:
        return [], "底图：无（只绘本办导入的河道线和填写了经纬度的点位）；坐标系 WGS-84。"
    source = get_setting(session, "map_basemap_source").strip()
    try:
        basemap = open_basemap(path, get_setting(session, "map_basemap_datum").strip() or "WGS84")
    except BasemapError as exc:
        return [], f"底图未能绘出：{exc}"
    try:
        margin_x, margin_y = (bounds[2] - bounds[0]) * 0.1 + 1e-3, (bounds[3] - bounds[1]) * 0.1 + 1e-3
        pieces = basemap.pieces(bounds[0] - margin_x, bounds[1] - margin_y, bounds[2] + margin_x,
                                bounds[3] + margin_y, width_px)
    finally:
        basemap.close()
    said = source or basemap.attribution or "（来源未填写：设置 → 底图来源）"
    return pieces, f"底图：{basemap.name}，{said}；坐标系 WGS-84。"
