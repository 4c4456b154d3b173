"""Reading the track, line and point files clerks have: GPX from phone apps (两步路, 六只脚), KML/KMZ
from 奥维互动地图 and Google Earth, GeoJSON, and the county's shapefiles (.shp with its .dbf, or
all of them in a .zip). XML is read with defusedxml (no DTD, no entities); every file within size
limits, as hostile workbooks are; a file that cannot be read says why in Chinese and gives nothing.

Each format says its coordinate system: GPX, KML and GeoJSON are WGS-84 by their specifications; a
shapefile's .prj names it (CGCS2000's longitude and latitude are WGS-84's within centimetres).
Projected coordinates (高斯-克吕格 metres) are refused with a word on how to export longitude and
latitude instead: a township does not need a projection library for that."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from hzdesk.errors import HzdeskError, os_reason
from hzdesk.geo.coords import Point

MAX_FILE = 30 * 1024 * 1024          # a day's track at one fix a second is ~10 MB of GPX
MAX_UNPACKED = 100 * 1024 * 1024     # the KML inside a KMZ
MAX_RATIO = 100                      # unpacked ÷ packed: more is a zip bomb, not a track
BEIJING = dt.timezone(dt.timedelta(hours=8))


class GeoFileError(HzdeskError):
    """A track or line file that cannot be read (said in Chinese)."""


@dataclass
class Line:
    """A line (track or river) in the file's own coordinates; `times` beside the points when the
    file has them (Beijing time, naive), else empty."""

    name: str
    points: list[Point]
    times: list[dt.datetime] = field(default_factory=list)
    also: tuple[str, ...] = ()           # the feature's other attribute values (a code beside a name)


class Place(NamedTuple):
    """A named point (公示牌, 排污口, 断面 …)."""

    name: str
    at: Point
    also: tuple[str, ...] = ()


@dataclass
class GeoFile:
    lines: list[Line]
    points: list[Place]
    datum: str | None = "WGS84"          # what the file says of its coordinates (None: it does not say)

    def longest(self) -> Line:
        """The track of a track file: its line with most points."""
        if not self.lines:
            raise GeoFileError("文件里没有轨迹或线（需要 GPX 的 trk/rte，或 KML 的 LineString/gx:Track）。")
        return max(self.lines, key=lambda ln: len(ln.points))


def read_geo_file(path: str | Path) -> GeoFile:
    """A GPX, KML or KMZ file's lines and named points."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise GeoFileError(f"无法打开文件“{path.name}”：{os_reason(exc)}") from None
    if size > MAX_FILE:
        raise GeoFileError(f"文件“{path.name}”超过 {MAX_FILE // 1024 // 1024} MB，不像是一条轨迹，已拒绝。")
    suffix = path.suffix.lower()
    if suffix in (".shp", ".dbf"):
        return _shapefile(path.with_suffix(""))
    data = path.read_bytes()
    if suffix == ".zip" or (suffix != ".kmz" and data[:4] == b"PK\x03\x04" and _has_shapefile(path)):
        return _zipped_shapefile(path)
    if suffix == ".kmz" or data[:4] == b"PK\x03\x04":
        data = _kml_in_kmz(path, said_kmz=suffix == ".kmz")
        suffix = ".kml"
    if suffix in (".geojson", ".json") or data.lstrip()[:1] == b"{":
        return _geojson(data, path.name)
    root = _parse(data, path.name)
    kind = _local(root.tag)
    if kind == "gpx":
        return _gpx(root)
    if kind == "kml" or suffix == ".kml":
        return _kml(root)
    raise GeoFileError(_NOT_GEO.format(name=path.name))


_NOT_GEO = "“{name}”不是河道线或轨迹文件：可用 GPX、KML/KMZ、GeoJSON，或 shapefile（.shp 或其 .zip）。"


def _kml_in_kmz(path: Path, *, said_kmz: bool) -> bytes:
    """The KML inside a KMZ; a zip of something else (a workbook, a Word file) is no geo file."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [i for i in z.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise GeoFileError(f"“{path.name}”里没有 KML 文件。" if said_kmz else _NOT_GEO.format(name=path.name))
            info = next((i for i in names if i.filename.lower() == "doc.kml"), names[0])
            if info.file_size > MAX_UNPACKED or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise GeoFileError(f"“{path.name}”解压后过大，已拒绝。")
            return z.read(info)
    except zipfile.BadZipFile:
        raise GeoFileError(f"“{path.name}”已损坏，无法作为 KMZ 读取。") from None


def _parse(data: bytes, name: str):
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise GeoFileError(f"“{name}”含有不安全的 XML 内容（DTD 或实体定义），已拒绝。") from None
    except ParseError as exc:
        line, column = exc.position
        raise GeoFileError(f"“{name}”不是有效的 XML 文件（第 {line} 行第 {column + 1} 个字符处出错）。") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem, name: str):
    return [c for c in elem if _local(c.tag) == name]


def _text(elem, name: str) -> str:
    for c in elem:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return ""


def _gpx(root) -> GeoFile:
    lines, points = [], []
    for elem in root.iter():
        kind = _local(elem.tag)
        if kind in ("trkseg", "rte"):
            fixes = _children(elem, "trkpt" if kind == "trkseg" else "rtept")
            name = _text(elem, "name")
            pts, times = [], []
            for p in fixes:
                pts.append(_lonlat(p.get("lon"), p.get("lat")))
                when = _text(p, "time")
                times.append(parse_time(when) if when else None)
            if pts:
                lines.append(Line(name, pts, times if all(times) else []))
        elif kind == "wpt":
            points.append(Place(_text(elem, "name"), _lonlat(elem.get("lon"), elem.get("lat"))))
    return GeoFile(lines, points)


def _kml(root) -> GeoFile:
    lines, points = [], []
    for mark in (e for e in root.iter() if _local(e.tag) == "Placemark"):
        name = _text(mark, "name")
        for geom in mark.iter():
            kind = _local(geom.tag)
            if kind == "LineString":
                pts = _coordinates(_text(geom, "coordinates"))
                if pts:
                    lines.append(Line(name, pts))
            elif kind == "Track":     # gx:Track: <when> beside <gx:coord>lon lat alt</gx:coord>
                whens = [parse_time((w.text or "").strip()) for w in geom if _local(w.tag) == "when"]
                coords = [(c.text or "").split() for c in geom if _local(c.tag) == "coord"]
                pts = [_lonlat(c[0], c[1]) for c in coords if len(c) >= 2]
                if pts:
                    lines.append(Line(name, pts, whens if len(whens) == len(pts) else []))
            elif kind == "Point":
                pts = _coordinates(_text(geom, "coordinates"))
                if pts:
                    points.append(Place(name, pts[0]))
    return GeoFile(lines, points)


def _coordinates(text: str) -> list[Point]:
    out = []
    for tuple_text in text.split():
        parts = tuple_text.split(",")
        if len(parts) >= 2:
            out.append(_lonlat(parts[0], parts[1]))
    return out


def _lonlat(lon, lat) -> Point:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise GeoFileError(f"坐标“{lon}, {lat}”不是数字。") from None
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise GeoFileError(f"坐标“{lon}, {lat}”超出经纬度范围（像是投影坐标，如高斯-克吕格的米数）；"
                           "请在 GIS 软件中另存为经纬度（CGCS2000 或 WGS-84 地理坐标）后再导入。")
    return x, y


_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time as Beijing time (naive). A time without a zone is taken as UTC, as GPX
    and KML define it. (Python 3.10's fromisoformat does not take "Z".)"""
    m = _TIME.match(text.strip())
    if not m:
        raise GeoFileError(f"时间“{text}”无法识别。")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    when = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro)
    if zone in (None, "Z"):
        tz = dt.timezone.utc
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return when.replace(tzinfo=tz).astimezone(BEIJING).replace(tzinfo=None)


# ---------------------------------------------------------------- GeoJSON

#: Attribute names that hold a feature's code or name, in the order they are tried for its name.
NAME_KEYS = ("编码", "河湖编码", "河流编码", "code", "CODE", "Code", "名称", "河湖名称", "河流名称", "河名",
             "name", "NAME", "Name", "MC")


def _named(properties: dict) -> tuple[str, tuple[str, ...]]:
    """(the feature's name, its other short attribute values) from its attributes."""
    values = {str(k): str(v).strip() for k, v in (properties or {}).items()
              if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip()}
    name = next((values[k] for k in NAME_KEYS if k in values), "")
    return name, tuple(v for v in values.values() if v != name and len(v) <= 80)


def _geojson(data: bytes, file_name: str) -> GeoFile:
    import json

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise GeoFileError(f"“{file_name}”不是有效的 GeoJSON 文件（{exc}）。") from None
    except RecursionError:      # nested thousands deep: a hostile file, not a map
        raise GeoFileError(f"“{file_name}”嵌套过深，不像是地图文件，已拒绝。") from None
    if not isinstance(doc, dict):
        raise GeoFileError(f"“{file_name}”不是有效的 GeoJSON 文件。")
    crs = str(((doc.get("crs") or {}).get("properties") or {}).get("name", ""))
    if crs and not any(code in crs for code in ("4326", "CRS84", "4490")):
        raise GeoFileError(f"“{file_name}”的坐标系是 {crs}，不是经纬度；请另存为 WGS-84 或 CGCS2000 经纬度后再导入。")
    out = GeoFile([], [])
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    for feature in features or []:
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry") if feature.get("type") == "Feature" else feature
        name, also = _named(feature.get("properties") if isinstance(feature.get("properties"), dict) else {})
        try:
            _geometry(out, geometry, name, also)
        except RecursionError:
            raise GeoFileError(f"“{file_name}”的几何集合嵌套过深，已拒绝。") from None
    return out


def _geometry(out: GeoFile, g, name: str, also: tuple[str, ...]) -> None:
    if not isinstance(g, dict):
        return
    kind, coords = g.get("type"), g.get("coordinates")
    try:
        if kind == "Point":
            out.points.append(Place(name, _lonlat(*coords[:2]), also))
        elif kind == "MultiPoint":
            out.points += [Place(name, _lonlat(*c[:2]), also) for c in coords]
        elif kind == "LineString":
            out.lines.append(Line(name, [_lonlat(*c[:2]) for c in coords], also=also))
        elif kind in ("MultiLineString", "Polygon"):      # a polygon's rings are drawn and checked as lines
            out.lines += [Line(name, [_lonlat(*c[:2]) for c in part], also=also) for part in coords]
        elif kind == "MultiPolygon":
            out.lines += [Line(name, [_lonlat(*c[:2]) for c in ring], also=also) for poly in coords for ring in poly]
        elif kind == "GeometryCollection":
            for part in g.get("geometries") or []:
                _geometry(out, part, name, also)
    except (TypeError, IndexError):
        raise GeoFileError(f"“{name or '（无名称）'}”的坐标格式不对。") from None


# ---------------------------------------------------------------- shapefiles

SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_GEOGRAPHIC_OK = ("WGS_1984", "WGS 84", "WGS84", "China_Geodetic_Coordinate_System_2000", "CGCS2000", "CGCS_2000")


def _shapefile(stem: Path) -> GeoFile:
    """stem.shp with its .dbf (attributes), .shx, .prj (coordinate system) and .cpg (encoding)."""
    parts = {suffix: _sibling(stem, suffix) for suffix in SHAPE_PARTS}
    if parts[".shp"] is None:
        raise GeoFileError(f"找不到“{stem.name}.shp”。")
    if parts[".dbf"] is None:
        raise GeoFileError(f"“{stem.name}.shp”缺少同名的 .dbf 属性文件（名称、编码在其中），请一并复制过来。")
    read = {k: (p.read_bytes() if p is not None else None) for k, p in parts.items()}
    return _shapes(stem.name, read)


def _sibling(stem: Path, suffix: str) -> Path | None:
    for candidate in (stem.with_name(stem.name + suffix), stem.with_name(stem.name + suffix.upper())):
        if candidate.is_file():
            if candidate.stat().st_size > MAX_FILE:
                raise GeoFileError(f"“{candidate.name}”超过 {MAX_FILE // 1024 // 1024} MB，已拒绝。")
            return candidate
    return None


def _has_shapefile(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(".shp") for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def _zipped_shapefile(path: Path) -> GeoFile:
    try:
        with zipfile.ZipFile(path) as z:
            shp = [i for i in z.infolist() if i.filename.lower().endswith(".shp")]
            if not shp:
                raise GeoFileError(f"“{path.name}”里没有 .shp 文件。")
            if len(shp) > 1:
                raise GeoFileError(f"“{path.name}”里有 {len(shp)} 个 shapefile，请一个一个导入："
                                   + "、".join(i.filename for i in shp))
            stem = shp[0].filename[:-4]
            read = {}
            for suffix in SHAPE_PARTS:
                info = next((i for i in z.infolist() if i.filename.lower() == (stem + suffix).lower()), None)
                if info is None:
                    read[suffix] = None
                    continue
                if info.file_size > MAX_UNPACKED or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise GeoFileError(f"“{path.name}”解压后过大，已拒绝。")
                read[suffix] = z.read(info)
    except zipfile.BadZipFile:
        raise GeoFileError(f"“{path.name}”已损坏，无法作为压缩包读取。") from None
    if read[".dbf"] is None:
        raise GeoFileError(f"“{path.name}”里的 shapefile 缺少 .dbf 属性文件。")
    return _shapes(Path(stem).name, read)


def _shape_datum(name: str, prj: bytes | None) -> str | None:
    if prj is None:
        return None
    text = prj.decode("latin-1")
    if text.lstrip().upper().startswith("PROJCS"):
        raise GeoFileError(f"“{name}”是投影坐标（{text[8:60].split(',')[0].strip(chr(34))}），不是经纬度；"
                           "请在 GIS 软件中另存为 CGCS2000 或 WGS-84 地理坐标后再导入。")
    if any(k.lower() in text.lower() for k in _GEOGRAPHIC_OK):
        return "WGS84"
    raise GeoFileError(f"“{name}”的坐标系不是 WGS-84 或 CGCS2000（北京54、西安80 与之相差可达百米）；"
                       "请先在 GIS 软件中转换后再导入。")


def _shapes(name: str, read: dict[str, bytes | None]) -> GeoFile:
    import io

    import shapefile   # pyshp

    encoding = (read[".cpg"] or b"GBK").decode("ascii", "replace").strip() or "GBK"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "GBK"
    datum = _shape_datum(name, read[".prj"])
    out = GeoFile([], [], datum)
    try:
        reader = shapefile.Reader(shp=io.BytesIO(read[".shp"]), dbf=io.BytesIO(read[".dbf"]),
                                  shx=io.BytesIO(read[".shx"]) if read[".shx"] else None, encoding=encoding,
                                  encodingErrors="replace")
        fields = [f[0] for f in reader.fields[1:]]
        for shape, record in zip(reader.iterShapes(), reader.iterRecords()):
            label, also = _named(dict(zip(fields, record)))
            pts = [_lonlat(x, y) for x, y, *_z in shape.points]
            if not pts:
                continue
            if shape.shapeType in (shapefile.POINT, shapefile.POINTZ, shapefile.POINTM,
                                   shapefile.MULTIPOINT, shapefile.MULTIPOINTZ, shapefile.MULTIPOINTM):
                out.points += [Place(label, p, also) for p in pts]
                continue
            bounds = list(shape.parts) + [len(pts)]
            out.lines += [Line(label, pts[a:b], also=also) for a, b in zip(bounds, bounds[1:]) if b - a >= 2]
    except shapefile.ShapefileException as exc:
        raise GeoFileError(f"“{name}”无法作为 shapefile 读取（{exc}）。") from None
    return out
