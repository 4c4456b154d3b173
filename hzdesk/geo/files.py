"""Reading the track and line files clerks have: GPX from phone apps (两步路, 六只脚), KML/KMZ from
奥维互动地图 and Google Earth. Read with defusedxml (no DTD, no entities) within size limits, as
hostile workbooks are; a file that cannot be read says why in Chinese and gives nothing."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hzdesk.errors import HzdeskError
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


@dataclass
class GeoFile:
    lines: list[Line]
    points: list[tuple[str, Point]]      # named places (公示牌, 排污口 …)

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
        raise GeoFileError(f"无法打开文件“{path.name}”：{exc.strerror or exc}") from None
    if size > MAX_FILE:
        raise GeoFileError(f"文件“{path.name}”超过 {MAX_FILE // 1024 // 1024} MB，不像是一条轨迹，已拒绝。")
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".kmz" or data[:4] == b"PK\x03\x04":
        data = _kml_in_kmz(path)
        suffix = ".kml"
    root = _parse(data, path.name)
    kind = _local(root.tag)
    if kind == "gpx":
        return _gpx(root)
    if kind == "kml" or suffix == ".kml":
        return _kml(root)
    raise GeoFileError(f"“{path.name}”不是 GPX 或 KML 文件（根元素为 {kind}）。")


def _kml_in_kmz(path: Path) -> bytes:
    try:
        with zipfile.ZipFile(path) as z:
            names = [i for i in z.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise GeoFileError(f"“{path.name}”里没有 KML 文件。")
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
        raise GeoFileError(f"“{name}”不是有效的 XML 文件（{exc}）。") from None


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
            points.append((_text(elem, "name"), _lonlat(elem.get("lon"), elem.get("lat"))))
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
                    points.append((name, pts[0]))
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
        raise GeoFileError(f"坐标“{lon}, {lat}”超出经纬度范围。")
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
