"""The map on paper (#17 point 4), drawn as vector lines and text: 河湖一张图 — the township's water
bodies, boards, outfalls, sections and open problems on a day, as the 一张图 tab shows them (the
same `map_data` and the same styles) — and the 巡河轨迹核对单, one page per patrol: its track over its
water body's line, the record's figures beside the track's, and the verdict kept when it was checked.

Under the lines, only a basemap the office supplied (设置 → 一张图底图文件), and each page names it in
its source line — or says there is none."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.errors import ValidationError
from hzdesk.files import atomic_output
from hzdesk.geo.coords import LocalProjection, Point
from hzdesk.parsing import format_date_cn
from hzdesk.reports.pdf.fonts import register
from hzdesk.reports.pdf.pages import PageNumbers, info
from hzdesk.reports.pdf.render import wrap_text
from hzdesk.services.settings import get_setting, printed_office

MM = 72 / 25.4


@dataclass
class Frame:
    """Longitude/latitude → points on the page: a local projection in metres, scaled to fit a box
    with the same scale both ways (a map that is not stretched)."""

    proj: LocalProjection
    scale: float          # page points per metre
    cx: float             # the page point the projection's centre falls on
    cy: float

    @classmethod
    def fit(cls, lines: list[list[Point]], x: float, y: float, w: float, h: float, pad: float = 8 * MM) -> "Frame":
        proj = LocalProjection.around(*lines)
        xy = [p for line in lines for p in proj.forward(line)]
        min_x, max_x = min(p[0] for p in xy), max(p[0] for p in xy)
        min_y, max_y = min(p[1] for p in xy), max(p[1] for p in xy)
        span_x, span_y = max(max_x - min_x, 50.0), max(max_y - min_y, 50.0)   # a single point still gets 50 m
        scale = min((w - 2 * pad) / span_x, (h - 2 * pad) / span_y)
        return cls(proj, scale, x + w / 2 - (min_x + max_x) / 2 * scale, y + h / 2 - (min_y + max_y) / 2 * scale)

    def page(self, points: list[Point]) -> list[Point]:
        return [(self.cx + px * self.scale, self.cy + py * self.scale) for px, py in self.proj.forward(points)]


def _rgb(colour: str):
    from reportlab.lib.colors import HexColor
    return HexColor(colour)


def draw_line(c, frame: Frame, line: list[Point], colour: str, width: float, dash: tuple = ()) -> None:
    pts = frame.page(line)
    if len(pts) < 2:
        return
    path = c.beginPath()
    path.moveTo(*pts[0])
    for p in pts[1:]:
        path.lineTo(*p)
    c.saveState()
    c.setStrokeColor(_rgb(colour))
    c.setLineWidth(width)
    c.setLineJoin(1)
    c.setLineCap(1)
    if dash:
        c.setDash(*dash)
    c.drawPath(path, stroke=1, fill=0)
    c.restoreState()


def draw_marker(c, x: float, y: float, shape: str, colour: str, r: float = 3.2) -> None:
    """A filled symbol with a white edge (it stays readable over a line)."""
    c.saveState()
    c.setFillColor(_rgb(colour))
    c.setStrokeColorRGB(1, 1, 1)
    c.setLineWidth(0.6)
    if shape == "rect":
        c.rect(x - r, y - r, 2 * r, 2 * r, stroke=1, fill=1)
    elif shape == "circle":
        c.circle(x, y, r, stroke=1, fill=1)
    elif shape == "line":
        c.setStrokeColor(_rgb(colour))
        c.setLineWidth(2)
        c.line(x - 2 * r, y, x + 2 * r, y)
    else:
        corners = {"diamond": [(0, r + 1), (r + 1, 0), (0, -r - 1), (-r - 1, 0)],
                   "triangle": [(0, r + 1), (r + 1, -r), (-r - 1, -r)]}[shape]
        path = c.beginPath()
        path.moveTo(x + corners[0][0], y + corners[0][1])
        for dx, dy in corners[1:]:
            path.lineTo(x + dx, y + dy)
        path.close()
        c.drawPath(path, stroke=1, fill=1)
    c.restoreState()


def draw_scale_and_north(c, frame: Frame, font: str, x: float, y: float, box_w: float) -> None:
    """A scale bar of a round length (1, 2 or 5 × 10ⁿ m, at most a quarter of the box) at (x, y),
    and a north arrow at the box's upper right is the caller's: the page's top is north."""
    most = box_w / 4 / frame.scale
    length = max((k * 10 ** e for e in range(0, 6) for k in (1, 2, 5) if k * 10 ** e <= most), default=1)
    bar = length * frame.scale
    c.saveState()
    c.setLineWidth(0.8)
    c.setStrokeColorRGB(0.2, 0.2, 0.2)
    c.setFillColorRGB(0.2, 0.2, 0.2)
    c.rect(x, y, bar / 2, 2.2, stroke=1, fill=1)
    c.rect(x + bar / 2, y, bar / 2, 2.2, stroke=1, fill=0)
    c.setFont(font, 7.5)
    c.drawString(x, y + 5, "0")
    c.drawCentredString(x + bar, y + 5, f"{length / 1000:g} 公里" if length >= 1000 else f"{length:g} 米")
    c.restoreState()


def draw_north(c, font: str, x: float, y: float) -> None:
    c.saveState()
    c.setFillColorRGB(0.2, 0.2, 0.2)
    path = c.beginPath()
    path.moveTo(x, y + 14)
    path.lineTo(x + 5, y)
    path.lineTo(x, y + 4)
    path.lineTo(x - 5, y)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    c.setFont(font, 8)
    c.drawCentredString(x, y + 17, "北")
    c.restoreState()


def draw_basemap(c, session: Session, frame: Frame, box: tuple[float, float, float, float]) -> str:
    """The office's basemap under the map, clipped to its frame; returns the source line to print."""
    from io import BytesIO

    from reportlab.lib.utils import ImageReader

    from hzdesk.services.map_data import basemap_pieces

    x, y, w, h = box
    corners = frame.proj.inverse([((x - frame.cx) / frame.scale, (y - frame.cy) / frame.scale),
                                  ((x + w - frame.cx) / frame.scale, (y + h - frame.cy) / frame.scale)])
    pieces, source = basemap_pieces(session, (*corners[0], *corners[1]), w * 300 / 72 / 2)   # ~150 dpi
    if pieces:
        c.saveState()
        clip = c.beginPath()
        clip.rect(x, y, w, h)
        c.clipPath(clip, stroke=0, fill=0)
        for piece in pieces:
            (x0, y0), (x1, y1) = frame.page([(piece.west, piece.south), (piece.east, piece.north)])
            try:
                c.drawImage(ImageReader(BytesIO(piece.image)), x0, y0, x1 - x0, y1 - y0)
            except (OSError, ValueError):      # one damaged tile leaves a gap, not a failed page
                continue
        c.restoreState()
    return source + "比例尺按当地纬度计算。"


def _label_spot(frame: Frame, lines: list[list[Point]]) -> Point:
    longest = max(lines, key=len)
    return frame.page([longest[len(longest) // 2]])[0]


def _canvas(tmp, pagesize, title: str, office: str, subject: str):
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(tmp, pagesize=pagesize, pageCompression=1)
    meta = info(title, office, subject)
    c.setTitle(meta["title"])
    c.setAuthor(meta["author"])
    c.setCreator(meta["creator"])
    return c


# ---------------------------------------------------------------- 河湖一张图

def write_map(session: Session, path: str | os.PathLike, as_of: dt.date | None = None,
              numbers: PageNumbers = PageNumbers()) -> int:
    """One landscape A4 page: the map on the left, legend and counts on the right. An office
    without any geometry gets the page with a word of how to add it. Returns 1 (its pages)."""
    from reportlab.lib.pagesizes import A4, landscape

    from hzdesk.services.map_data import KIND_WORDS, WATER_COLOURS, legend, map_data, point_style

    as_of = as_of or clock.today()
    font = register()
    office = printed_office(session)
    data = map_data(session, as_of)
    w, h = landscape(A4)
    left = max(12.0, get_setting(session, "binding_margin_mm")) * MM
    right, top, bottom = 12 * MM, h - 12 * MM, 16 * MM
    panel_w = 70 * MM
    box = (left, bottom + 8, w - left - right - panel_w - 6 * MM, top - 30 - bottom - 8)
    title = "河湖一张图"
    with atomic_output(path) as tmp:
        c = _canvas(tmp, (w, h), title, office, f"截至 {as_of.isoformat()}")
        c.setFont(font, 16)
        c.drawCentredString(w / 2, top - 14, title)
        c.setFont(font, 10)
        c.drawString(left, top - 28, office)
        c.drawRightString(w - right, top - 28, f"截至 {format_date_cn(as_of)}")
        c.setLineWidth(0.6)
        c.rect(*box)
        bounds = data.bounds()
        source = "底图：无。"
        if bounds is None:
            c.setFont(font, 11)
            c.drawCentredString(box[0] + box[2] / 2, box[1] + box[3] / 2,
                                "还没有可以上图的内容：请在“一张图”中导入河湖的线，或为公示牌、排污口、断面、问题填写经纬度。")
        else:
            frame = Frame.fit([[(bounds[0], bounds[1]), (bounds[2], bounds[3])]], *box)
            source = draw_basemap(c, session, frame, box)
            for water in sorted(data.waters, key=lambda x: x.state != "ok"):   # troubled waters drawn on top
                for line in water.lines:
                    draw_line(c, frame, line, WATER_COLOURS[water.state], 2.2 if water.state != "ok" else 1.4)
            c.setFont(font, 7.5)
            c.setFillColorRGB(0.2, 0.28, 0.36)
            for water in data.waters:
                if water.lines and not water.name.endswith("段"):   # a segment is named by its river's label
                    x, y = _label_spot(frame, water.lines)
                    c.drawString(x + 3, y + 3, water.name)
            for p in sorted(data.points, key=lambda p: p.kind == "problem"):
                colour, shape, _words = point_style(p)
                (x, y), = frame.page([p.at])
                draw_marker(c, x, y, shape, colour)
            draw_scale_and_north(c, frame, font, box[0] + 6 * MM, box[1] + 5 * MM, box[2])
            draw_north(c, font, box[0] + box[2] - 8 * MM, box[1] + box[3] - 14 * MM)
        c.setFont(font, 7.5)
        c.setFillColorRGB(0.3, 0.3, 0.3)
        c.drawString(box[0], box[1] - 10, source)
        # the panel: legend, then counts
        px, py = box[0] + box[2] + 6 * MM, box[1] + box[3] - 4 * MM
        c.setFillColorRGB(0, 0, 0)
        c.setFont(font, 10.5)
        c.drawString(px, py, "图例")
        c.setFont(font, 9)
        for colour, shape, words in legend(data):
            py -= 15
            draw_marker(c, px + 7, py + 3, shape, colour)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(px + 18, py, words)
        py -= 26
        c.setFont(font, 10.5)
        c.drawString(px, py, f"截至 {as_of:%Y-%m-%d}")
        c.setFont(font, 9)
        for line in _counts(data, KIND_WORDS):
            py -= 14
            c.drawString(px, py, line)
        c.setFont(font, 9)
        c.drawCentredString(w / 2, bottom - 20, numbers.footer(1, 1))
        c.showPage()
        c.save()
    return 1


def _counts(data, kind_words: dict[str, str]) -> list[str]:
    def n(kind: str, state: str | None = None) -> int:
        return sum(1 for p in data.points if p.kind == kind and (state is None or p.state == state))
    troubled = [w for w in data.waters if w.state != "ok"]
    problems = [w for w in troubled if w.state != "behind"]
    out = [f"上图河湖 {len(data.waters)} 个",
           f"　有未办结问题 {len(problems)} 个",
           f"　其中有超期问题 {sum(1 for w in problems if w.state == 'overdue')} 个",
           f"　河长本月巡河未达要求 {sum(1 for w in data.waters if w.behind)} 个",
           f"公示牌 {n('sign_board')} 块，需更新 {n('sign_board', 'stale')} 块",
           f"排污口 {n('outfall')} 个",
           f"监测断面 {n('section')} 个，当日前无结果 {n('section', '')} 个",
           f"未办结问题上图 {n('problem')} 个，超期 {n('problem', 'overdue')} 个"]
    if data.unplaced:
        out.append("未填经纬度、未上图：")
        out += [f"　{kind_words[k]} {count} 个" for k, count in data.unplaced.items()]
    return out


# ---------------------------------------------------------------- 巡河轨迹核对单

def write_track_sheet(session: Session, patrol_id: int, path: str | os.PathLike,
                      numbers: PageNumbers = PageNumbers()) -> int:
    """One portrait A4 page for a patrol with a kept track. Returns 1."""
    from reportlab.lib.pagesizes import A4

    from hzdesk.geo.store import unpack
    from hzdesk.services.geometry import river_lines
    from hzdesk.services.tracks import record_vs_track, track_lines

    patrol = session.get(m.Patrol, patrol_id)
    track = session.scalar(select(m.PatrolTrack).where(m.PatrolTrack.patrol_id == patrol_id)) if patrol else None
    if patrol is None:
        raise ValidationError({"patrol": f"没有记录号为 {patrol_id} 的巡河记录"})
    if track is None:
        raise ValidationError({"patrol": f"巡河记录 {patrol_id} 还没有轨迹，请先导入轨迹文件"})
    font = register()
    office = printed_office(session)
    points, _times = unpack(track.points)
    rivers = river_lines(session, patrol.water_body_id)
    w, h = A4
    left = max(12.0, get_setting(session, "binding_margin_mm")) * MM
    right, top, bottom = 15 * MM, h - 15 * MM, 18 * MM
    width = w - left - right
    title = "巡河轨迹核对单"
    with atomic_output(path) as tmp:
        c = _canvas(tmp, A4, title, office, f"巡河记录 {patrol_id}")
        c.setFont(font, 16)
        c.drawCentredString(left + width / 2, top - 14, title)
        c.setFont(font, 10)
        c.drawString(left, top - 34, office)
        c.drawRightString(w - right, top - 34, f"记录号 {patrol_id}")
        y = top - 56
        c.setFont(font, 10)
        for text in (f"巡河日期：{format_date_cn(patrol.patrol_date)}　　河长：{patrol.person.name}　　"
                     f"巡河方式：{patrol.method or '—'}",
                     f"河湖：{patrol.water_body.name}（{patrol.water_body.code}）　　路线：{patrol.route_from or '—'}—{patrol.route_to or '—'}"):
            c.drawString(left, y, text)
            y -= 16
        # the record beside the track
        rows = [("项目", "记录填写", "轨迹", "差异")] + record_vs_track(patrol, track)
        col = [0, 28 * MM, 70 * MM, 112 * MM]
        y -= 4
        c.setLineWidth(0.5)
        for i, row in enumerate(rows):
            c.setFont(font, 9.5 if i else 9.5)
            for x, cell in zip(col, row):
                c.drawString(left + x + 2, y - 12, cell)
            c.line(left, y, left + width, y)
            y -= 17
        c.line(left, y, left + width, y)
        for x in col[1:] + [width]:
            c.line(left + x, y, left + x, y + 17 * len(rows))
        c.line(left, y, left, y + 17 * len(rows))
        # the map
        box = (left, y - 8 - 120 * MM, width, 120 * MM)
        c.rect(*box)
        frame = Frame.fit(rivers + [points], *box)
        source = draw_basemap(c, session, frame, box)
        for line in rivers:
            draw_line(c, frame, line, "#9CC3EA", 7)          # the river, wide and pale: what was to be walked
            draw_line(c, frame, line, "#2F6DB5", 1.2)
        draw_line(c, frame, points, "#C62828", 1.1)
        for (x, yy), (colour, word) in zip(frame.page([points[0], points[-1]]), (("#2E7D32", "起"), ("#000000", "终"))):
            draw_marker(c, x, yy, "circle", colour, 4)
            c.setFont(font, 8)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(x + 6, yy - 3, word)
        draw_scale_and_north(c, frame, font, box[0] + 6 * MM, box[1] + 5 * MM, box[2])
        draw_north(c, font, box[0] + box[2] - 8 * MM, box[1] + box[3] - 14 * MM)
        lx, ly = box[0] + 6 * MM, box[1] + box[3] - 7 * MM
        for colour, words in (("#2F6DB5", "河道线" if rivers else "（该河湖没有河道线）"), ("#C62828", "轨迹")):
            draw_marker(c, lx + 6, ly + 3, "line", colour)
            c.setFont(font, 8.5)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(lx + 18, ly, words)
            ly -= 12
        c.setFont(font, 7.5)
        c.setFillColorRGB(0.3, 0.3, 0.3)
        c.drawString(box[0], box[1] - 10, source)
        # what the check found, as kept
        y = box[1] - 30
        c.setFillColorRGB(0, 0, 0)
        for line in track_lines(session, patrol_id) or []:
            for part in wrap_text(font, line, width, 10):
                c.setFont(font, 10)
                c.drawString(left, y, part)
                y -= 15
        y = max(y - 20, bottom + 20)
        c.setFont(font, 10.5)
        c.drawString(left, y, "核对人（签字）：")
        c.drawString(left + width / 2, y, "日期：　　　年　　月　　日")
        c.setFont(font, 9)
        c.drawCentredString(left + width / 2, bottom - 20, numbers.footer(1, 1))
        c.showPage()
        c.save()
    return 1
