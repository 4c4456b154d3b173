"""Coordinate systems the office's files come in, and a local projection to metres.

GPS files are WGS-84; 高德, 腾讯 and 奥维 exports since 9.3 are GCJ-02; 百度 is BD-09. The GCJ-02
offset is 29–677 m across China and varies inside one township, so no constant shift works: the
public formula forward, and its inverse by iteration (a one-step inverse leaves up to 3.7 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]          # (lon, lat) in degrees

_A = 6378245.0                       # Krasovsky 1940, as the GCJ-02 formula has it
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

#: The systems a file may be stated in, by the names the window and the command line use.
DATUMS = {"WGS84": "WGS-84（GPS、天地图、谷歌地球）", "GCJ02": "GCJ-02（高德、腾讯、新版奥维）",
          "BD09": "BD-09（百度）"}


def _outside_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(lon: float, lat: float) -> Point:
    x, y = lon - 105.0, lat - 35.0
    s = math.sin
    pi = math.pi
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * s(6.0 * x * pi) + 20.0 * s(2.0 * x * pi)) * 2.0 / 3.0
            + (20.0 * s(y * pi) + 40.0 * s(y / 3.0 * pi)) * 2.0 / 3.0
            + (160.0 * s(y / 12.0 * pi) + 320 * s(y * pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * s(6.0 * x * pi) + 20.0 * s(2.0 * x * pi)) * 2.0 / 3.0
            + (20.0 * s(x * pi) + 40.0 * s(x / 3.0 * pi)) * 2.0 / 3.0
            + (150.0 * s(x / 12.0 * pi) + 300.0 * s(x / 30.0 * pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * pi
    magic = 1 - _EE * math.sin(rad) ** 2
    root = math.sqrt(magic)
    return (dlon * 180.0 / (_A / root * math.cos(rad) * pi),
            dlat * 180.0 / ((_A * (1 - _EE)) / (magic * root) * pi))


def wgs_to_gcj(lon: float, lat: float) -> Point:
    if _outside_china(lon, lat):
        return lon, lat
    dlon, dlat = _shift(lon, lat)
    return lon + dlon, lat + dlat


def gcj_to_wgs(lon: float, lat: float) -> Point:
    """The exact inverse: iterate until the forward transform lands on the given point (three
    rounds reach 1e-9°, a millimetre)."""
    if _outside_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(10):
        g_lon, g_lat = wgs_to_gcj(w_lon, w_lat)
        d_lon, d_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if abs(d_lon) < 1e-10 and abs(d_lat) < 1e-10:
            break
    return w_lon, w_lat


def gcj_to_bd(lon: float, lat: float) -> Point:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd_to_gcj(lon: float, lat: float) -> Point:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def to_wgs(points: list[Point], datum: str) -> list[Point]:
    """`points` read in `datum` (WGS84, GCJ02, BD09), as WGS-84."""
    if datum == "WGS84":
        return list(points)
    if datum == "GCJ02":
        return [gcj_to_wgs(x, y) for x, y in points]
    if datum == "BD09":
        return [gcj_to_wgs(*bd_to_gcj(x, y)) for x, y in points]
    raise ValueError(f"不认识的坐标系“{datum}”；可选：{'、'.join(DATUMS)}")


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular metres around a centre, with the WGS-84 meridional and normal radii taken
    there: within 0.001 % on a township's rivers (measured against a geodesic library)."""

    lon0: float
    lat0: float

    @property
    def _scale(self) -> Point:
        a, e2 = 6378137.0, 0.00669437999014
        phi = math.radians(self.lat0)
        w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
        meridional = a * (1 - e2) / w ** 3
        normal = a / w
        return math.radians(1) * normal * math.cos(phi), math.radians(1) * meridional

    def forward(self, points: list[Point]) -> list[Point]:
        kx, ky = self._scale
        return [((x - self.lon0) * kx, (y - self.lat0) * ky) for x, y in points]

    def inverse(self, xy: list[Point]) -> list[Point]:
        kx, ky = self._scale
        return [(self.lon0 + x / kx, self.lat0 + y / ky) for x, y in xy]

    @classmethod
    def around(cls, *lines: list[Point]) -> "LocalProjection":
        pts = [p for line in lines for p in line]
        if not pts:
            raise ValueError("没有坐标")
        lons, lats = [p[0] for p in pts], [p[1] for p in pts]
        return cls((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)


def metres_between(a: Point, b: Point) -> float:
    """Distance in metres between two WGS-84 points near each other (a township's scale)."""
    xy = LocalProjection((a[0] + b[0]) / 2, (a[1] + b[1]) / 2).forward([a, b])
    return math.dist(xy[0], xy[1])
