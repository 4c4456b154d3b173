"""Water bodies' lines and the places of boards, outfalls and sections from the office's files
(#17 point 1): matched to the register by code or name, previewed (matched / not in the register)
before anything is written, all or nothing; the file kept as an attachment of what it placed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import HzdeskError
from hzdesk.geo.coords import LocalProjection, Point, to_wgs

Lines = list[list[Point]]


#: Point features a file can place: ledger key → (model, what the clerk calls it).
PLACED = {"sign_board": (m.SignBoard, "公示牌"), "outfall": (m.Outfall, "排污口"),
          "monitoring_section": (m.MonitoringSection, "监测断面")}


@dataclass
class GeometryPlan:
    """What an import would do: {water body id: (its code and name, lines)}, the points matched to
    boards, outfalls and sections, and the names of the features that match nothing."""

    matched: dict[int, tuple[str, Lines]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)     # water bodies that had a line already
    places: dict[tuple[str, int], tuple[str, Point]] = field(default_factory=dict)   # (ledger, id) → (title, WGS-84)
    registered_km: dict[int, float | None] = field(default_factory=dict)   # the register's 长度(km)
    datum: str = "WGS84"
    datum_note: str = ""

    def lines(self) -> list[str]:
        out = [self.datum_note] if self.datum_note else []
        if self.matched:
            out.append(f"对上河湖 {len(self.matched)} 个（量算长度与名录所填长度）：")
            for wid, (name, lines) in self.matched.items():
                km, said = length_m(lines) / 1000, self.registered_km.get(wid)
                gap = "" if said is None else f"，名录 {said:g} 公里" + ("（相差超过两成，请核对）"
                                                                      if said and abs(km - said) > 0.2 * said else "")
                out.append(f"  {name}：量算 {km:.2f} 公里{gap}")
        if self.replaced:
            out.append(f"其中原有河道线将被替换 {len(self.replaced)} 个：" + "、".join(self.replaced))
        for key, (_model, word) in PLACED.items():
            titles = [title for (k, _i), (title, _p) in self.places.items() if k == key]
            if titles:
                out.append(f"对上{word} {len(titles)} 个（写入经纬度）：" + "、".join(titles))
        if self.unmatched:
            out.append(f"对不上的 {len(self.unmatched)} 处（名称或编码不在名录中）：" + "、".join(self.unmatched))
        return out


def length_m(lines: Lines) -> float:
    proj = LocalProjection.around(*lines)
    total = 0.0
    for line in lines:
        xy = proj.forward(line)
        total += sum(math.dist(a, b) for a, b in zip(xy, xy[1:]))
    return total


def plan_import(session: Session, path: str | Path, datum: str = "auto") -> GeometryPlan:
    """Match a file's lines to water bodies and its points to boards, outfalls and sections: by
    code, else by a name only one record has (a feature's other attributes are tried too, so a
    shapefile's 编码 column matches when its 名称 does not). Several lines of one water body make
    its line. `datum` "auto": what the file says (GPX, KML, GeoJSON: WGS-84; a shapefile's .prj)."""
    from hzdesk.geo.files import read_geo_file

    geo = read_geo_file(path)
    if not geo.lines and not geo.points:
        raise HzdeskError(f"“{Path(path).name}”里没有线或点（KML 的 LineString、Point，GPX 的轨迹、航点，"
                          "GeoJSON 或 shapefile 的要素）。")
    plan = GeometryPlan()
    if datum == "auto":
        plan.datum = geo.datum or "WGS84"
        plan.datum_note = ("坐标系：文件未说明，按 WGS-84 读取（如为高德、新版奥维导出，请指定 GCJ02）"
                           if geo.datum is None else f"坐标系：WGS-84（{_datum_source(path)}）")
    else:
        plan.datum = datum
    bodies = session.execute(select(m.WaterBody.id, m.WaterBody.code, m.WaterBody.name, m.WaterBody.length_km)).all()
    find_water = _finder((i, code, name, f"{code} {name}") for i, code, name, _km in bodies)
    plan.registered_km = {i: km for i, _c, _n, km in bodies}
    have = set(session.scalars(select(m.WaterGeometry.water_body_id)))
    for line in geo.lines:
        hit = find_water(line.name, line.also)
        if hit is None:
            plan.unmatched.append(line.name.strip() or "（无名称）")
            continue
        wid, title = hit
        plan.matched.setdefault(wid, (title, []))[1].append(to_wgs(line.points, plan.datum))
    plan.replaced = [plan.matched[w][0] for w in plan.matched if w in have]
    finders = {key: _finder((i, code, name, code or name) for i, code, name in
                            session.execute(select(model.id, model.code, _label(model))))
               for key, (model, _word) in PLACED.items()}
    for place in geo.points:
        hit = next(((key, found) for key, find in finders.items() if (found := find(place.name, place.also))), None)
        if hit is None:
            plan.unmatched.append(place.name.strip() or "（无名称的点）")
            continue
        key, (record_id, title) = hit
        plan.places[(key, record_id)] = (title, to_wgs([place.at], plan.datum)[0])
    return plan


def _label(model):
    return model.name if hasattr(model, "name") else model.code


def _datum_source(path) -> str:
    suffix = Path(path).suffix.lower()
    return "shapefile 的 .prj 文件所写" if suffix in (".shp", ".zip", ".dbf") else "该格式的规定"


def _finder(rows):
    """(name, other names) → (id, title) by a code, else by a name only one record has."""
    by_code, by_name = {}, {}
    for i, code, name, title in rows:
        if code:
            by_code[code] = (i, title)
        if name:
            by_name.setdefault(name, []).append((i, title))

    def find(name: str, also: tuple[str, ...] = ()):
        for key in (name.strip(), *also):
            if key in by_code:
                return by_code[key]
        for key in (name.strip(), *also):
            if len(by_name.get(key, ())) == 1:
                return by_name[key][0]
        return None
    return find


def apply_import(session: Session, plan: GeometryPlan, source: str, datum: str,
                 store: Path | None = None, file: str | Path | None = None) -> int:
    """Write the plan's lines (a water body's earlier line is replaced) and the places' longitude
    and latitude (through the records' own checks and trail); with `store`, the file is kept as an
    attachment of each water body, board and outfall it placed. Returns how many records it placed."""
    from hzdesk.services import records

    today = clock.today()
    existing = {g.water_body_id: g for g in session.scalars(select(m.WaterGeometry)
                                                           .where(m.WaterGeometry.water_body_id.in_(plan.matched)))}
    for wid, (_title, lines) in plan.matched.items():
        stored = [[[round(x, 7), round(y, 7)] for x, y in line] for line in lines]
        g = existing.get(wid) or m.WaterGeometry(water_body_id=wid)
        g.lines, g.length_m, g.source, g.datum_in, g.imported_on = stored, length_m(lines), source, datum, today
        session.add(g)
    for (key, record_id), (_title, (lon, lat)) in plan.places.items():
        records.update(session, key, record_id, {"longitude": round(lon, 6), "latitude": round(lat, 6)})
    session.flush()
    if store is not None and file is not None:
        _keep_source(session, store, Path(file), [("water_body", w) for w in plan.matched] + list(plan.places))
    return len(plan.matched) + len(plan.places)


def _keep_source(session: Session, store: Path, file: Path, owners: list[tuple[str, int]]) -> None:
    """The imported file as an attachment of each record it placed (one copy on disk): a shapefile
    with its .dbf, .prj … zipped together, as it came."""
    import tempfile
    import zipfile

    from hzdesk.services.attachments import OWNERS, add_attachment

    with tempfile.TemporaryDirectory(prefix="hzdesk-geo-") as folder:
        kept = file
        if file.suffix.lower() in (".shp", ".dbf"):
            kept = Path(folder) / f"{file.stem}.shp.zip"
            with zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as z:
                for part in file.parent.iterdir():
                    if part.stem == file.stem and part.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                        z.write(part, part.name)
        for owner_type, owner_id in owners:
            if owner_type in OWNERS:
                add_attachment(session, store, owner_type, owner_id, kept, purpose="坐标来源",
                               caption=f"导入河道线、点位的源文件 {file.name}")


def river_lines(session: Session, water_body_id: int) -> Lines:
    """The lines a patrol of this water body is checked against: its own, or — for a river whose
    segments carry the lines — its segments' (and theirs, down the tree)."""
    wanted, seen, out = [water_body_id], set(), []
    while wanted:
        wid = wanted.pop()
        if wid in seen:
            continue
        seen.add(wid)
        g = session.scalar(select(m.WaterGeometry).where(m.WaterGeometry.water_body_id == wid))
        if g is not None:
            out += [[(x, y) for x, y in line] for line in g.lines]
        else:
            wanted += session.scalars(select(m.WaterBody.id).where(m.WaterBody.parent_id == wid))
    return out
