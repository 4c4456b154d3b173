"""A basemap the office supplies (#17 point 2): an MBTiles file (a SQLite file of map tiles, read
with the standard library) or a scanned map with its world file (.pgw/.jgw/.tfw/.wld). Nothing is
downloaded: OpenStreetMap's and the commercial maps' terms forbid keeping their tiles offline,
and a published map needs its 审图号 — so the office names the source, which is printed.

Both kinds give "pieces": an image and the longitude/latitude of its corners, for the map tab to
place under the features and the printed map to draw under its lines."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hzdesk.errors import HzdeskError
from hzdesk.geo.coords import gcj_to_wgs

MAX_PIECES = 400           # tiles drawn at once: a township at street level is ~100
WORLD_SUFFIXES = {".png": (".pgw", ".pngw"), ".jpg": (".jgw", ".jpgw"), ".jpeg": (".jgw", ".jpegw"),
                  ".tif": (".tfw", ".tifw"), ".tiff": (".tfw", ".tiffw"), ".bmp": (".bpw", ".bmpw")}


class BasemapError(HzdeskError):
    """A basemap file that cannot be used (said in Chinese)."""


@dataclass
class Piece:
    image: bytes                 # PNG or JPEG bytes as stored
    west: float                  # WGS-84 longitude/latitude of its edges
    south: float
    east: float
    north: float


def _to_wgs(lon: float, lat: float, datum: str) -> tuple[float, float]:
    return gcj_to_wgs(lon, lat) if datum == "GCJ02" else (lon, lat)


class MBTiles:
    """Tiles in the MBTiles layout (TMS rows: row 0 at the south)."""

    def __init__(self, path: Path, datum: str = "WGS84"):
        self.path, self.datum = path, datum
        try:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            meta = dict(self.db.execute("SELECT name, value FROM metadata").fetchall())
            zooms = self.db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        except sqlite3.DatabaseError:
            raise BasemapError(f"“{path.name}”不是可用的 MBTiles 底图文件（不是 SQLite 文件，或缺少瓦片表）。") from None
        if zooms[0] is None:
            raise BasemapError(f"“{path.name}”里没有瓦片。")
        self.min_zoom, self.max_zoom = int(zooms[0]), int(zooms[1])
        self.name = meta.get("name") or path.stem
        self.attribution = meta.get("attribution", "")

    def pieces(self, west: float, south: float, east: float, north: float, width_px: float) -> list[Piece]:
        """The tiles over the box at the zoom that gives about `width_px` across it."""
        span = max(east - west, 1e-6)
        zoom = int(round(math.log2(360 * width_px / (256 * span))))
        zoom = max(self.min_zoom, min(self.max_zoom, zoom))
        while True:
            x0, y0 = _tile(west, north, zoom)
            x1, y1 = _tile(east, south, zoom)
            if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_PIECES or zoom <= self.min_zoom:
                break
            zoom -= 1
        out = []
        n = 2 ** zoom
        rows = self.db.execute("SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ? AND "
                               "tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?",
                               (zoom, x0, x1, n - 1 - y1, n - 1 - y0)).fetchall()
        for column, row, data in rows[:MAX_PIECES]:
            y = n - 1 - row
            w, north_edge = _lonlat(column, y, zoom)
            e, south_edge = _lonlat(column + 1, y + 1, zoom)
            west_w, south_w = _to_wgs(w, south_edge, self.datum)
            east_w, north_w = _to_wgs(e, north_edge, self.datum)
            out.append(Piece(bytes(data), west_w, south_w, east_w, north_w))
        return out

    def close(self) -> None:
        self.db.close()


def _tile(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The Web Mercator (XYZ) tile holding a point."""
    n = 2 ** zoom
    lat = max(-85.05, min(85.05, lat))
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return max(0, min(n - 1, x)), max(0, min(n - 1, y))


def _lonlat(x: int, y: int, zoom: int) -> tuple[float, float]:
    """The north-west corner of XYZ tile (x, y)."""
    n = 2 ** zoom
    return x / n * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


class WorldImage:
    """A scanned or exported map with a world file: six lines (x size, two rotations, −y size, the
    top-left pixel's centre). Rotation is refused: a township's maps are north up."""

    def __init__(self, path: Path, datum: str = "WGS84"):
        self.path, self.datum = path, datum
        world = next((c for c in _world_files(path) if c.is_file()), None)
        if world is None:
            raise BasemapError(f"“{path.name}”旁边没有坐标文件（如 {path.stem}{WORLD_SUFFIXES.get(path.suffix.lower(), ('.wld',))[0]}），"
                               "无法确定图片的位置。")
        try:
            a, d, b, e, c, f = (float(v) for v in world.read_text(encoding="ascii", errors="replace").split()[:6])
        except ValueError:
            raise BasemapError(f"坐标文件“{world.name}”应为六行数字。") from None
        if b or d:
            raise BasemapError(f"“{world.name}”表示图片是旋转的；请先在 GIS 软件中导出为正北向上的图片。")
        if not (-180 <= c <= 180 and -90 <= f <= 90) or abs(a) > 1:
            raise BasemapError(f"“{world.name}”的坐标不是经纬度（可能是投影坐标）；请导出为经纬度（WGS-84 或 CGCS2000）的图片。")
        from PIL import Image

        try:
            with Image.open(path) as img:
                self.width, self.height = img.size
        except OSError:
            raise BasemapError(f"“{path.name}”不是可读取的图片。") from None
        self.data = path.read_bytes()
        self.name = path.stem
        self.attribution = ""
        # world files give pixel centres: the image's edges are half a pixel out
        self.west, self.north = c - a / 2, f - e / 2
        self.east, self.south = self.west + a * self.width, self.north + e * self.height

    def pieces(self, west: float, south: float, east: float, north: float, width_px: float) -> list[Piece]:
        if self.east < west or self.west > east or self.north < south or self.south > north:
            return []
        w, s = _to_wgs(self.west, self.south, self.datum)
        e, n = _to_wgs(self.east, self.north, self.datum)
        return [Piece(self.data, w, s, e, n)]

    def close(self) -> None:
        pass


def _world_files(path: Path) -> list[Path]:
    suffixes = WORLD_SUFFIXES.get(path.suffix.lower(), ()) + (".wld",)
    return [path.with_suffix(s) for s in suffixes] + [path.with_suffix(s.upper()) for s in suffixes]


def open_basemap(path: str | Path, datum: str = "WGS84"):
    """The basemap in `path` (MBTiles, or an image with its world file)."""
    path = Path(path)
    if not path.is_file():
        raise BasemapError(f"找不到底图文件“{path}”。")
    if path.suffix.lower() == ".mbtiles":
        return MBTiles(path, datum)
    if path.suffix.lower() in WORLD_SUFFIXES:
        return WorldImage(path, datum)
    raise BasemapError(f"“{path.name}”不是底图文件：可用 MBTiles（.mbtiles），或带坐标文件的图片（.png/.jpg/.tif）。")


def check_basemap(text: str) -> None:
    """The settings page's check of 底图文件: empty (no basemap) or a file that opens."""
    from hzdesk.parsing import ParseError

    if not text.strip():
        return
    try:
        open_basemap(text.strip()).close()
    except BasemapError as exc:
        raise ParseError(str(exc)) from None
