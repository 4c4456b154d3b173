"""matplotlib figures drawn straight onto the reportlab page as lines, fills and text (#14 point 4).

reportlab cannot take a PDF or SVG picture, so a chart used to be a bitmap: blurred when enlarged,
its words not text. Here a small matplotlib renderer replays the figure onto the page's canvas:
paths (bars, wedges, lines, markers, hatching) as PDF paths and words in the report's embedded
Chinese font. The figure is laid out by matplotlib as for a picture, so the proportions are its own.
"""

from __future__ import annotations

from reportlab.platypus import Flowable


class VectorChart(Flowable):
    """A matplotlib figure as a flowable `width` points wide, its height by the figure's own
    proportions. The figure is drawn when the page is (and may be closed with pyplot meanwhile)."""

    def __init__(self, fig, width: float):
        super().__init__()
        w, h = fig.get_size_inches()
        self.fig, self.width, self.height = fig, width, float(width * h / w)

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self) -> None:
        draw_figure(self.canv, self.fig, self.width)


def draw_figure(canvas, fig, width: float) -> None:
    """Draw `fig` with its bottom-left corner at the canvas's origin, scaled to `width` points."""
    from hzdesk.reports.pdf.fonts import register

    w_in, h_in = fig.get_size_inches()
    dpi = fig.dpi
    fig.set_dpi(72)            # a pixel of the figure is a point of the page
    try:
        canvas.saveState()
        canvas.scale(width / (w_in * 72), width / (w_in * 72))
        fig.draw(_renderer_class()(canvas, w_in * 72, h_in * 72, register()))
        canvas.restoreState()
    finally:
        fig.set_dpi(dpi)


_RENDERER = None


def _renderer_class():
    """The renderer class, made on first use (matplotlib is imported only by reports with charts)."""
    global _RENDERER
    if _RENDERER is not None:
        return _RENDERER
    from matplotlib.backend_bases import RendererBase
    from matplotlib.path import Path
    from matplotlib.transforms import Affine2D
    from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

    JOINS = {"miter": 0, "round": 1, "bevel": 2}
    CAPS = {"butt": 0, "round": 1, "projecting": 2}
    TILE = 72.0   # a hatch pattern repeats every inch, as in matplotlib's own PDFs

    class CanvasRenderer(RendererBase):
        def __init__(self, canvas, width: float, height: float, font: str):
            super().__init__()
            self.canvas, self.width, self.height, self.font = canvas, width, height, font
            face = getFont(font).face
            self._ascent, self._descent = face.ascent / 1000, -face.descent / 1000

        def flipy(self):
            return False

        def get_canvas_width_height(self):
            return self.width, self.height

        def points_to_pixels(self, points):
            return points

        def get_text_width_height_descent(self, s, prop, ismath):
            size = prop.get_size_in_points()
            return (stringWidth(s, self.font, size), (self._ascent + self._descent) * size,
                    self._descent * size)

        def _path(self, path, transform):
            """A reportlab path of `path` under `transform` (quadratic curves made cubic)."""
            p = self.canvas.beginPath()
            last = (0.0, 0.0)
            for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
                if code == Path.MOVETO:
                    p.moveTo(*verts[-2:])
                elif code == Path.LINETO:
                    p.lineTo(*verts[-2:])
                elif code == Path.CURVE3:
                    (cx, cy), (x, y) = verts[:2], verts[2:4]
                    p.curveTo(last[0] + 2 / 3 * (cx - last[0]), last[1] + 2 / 3 * (cy - last[1]),
                              x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y), x, y)
                elif code == Path.CURVE4:
                    p.curveTo(*verts[:6])
                elif code == Path.CLOSEPOLY:
                    p.close()
                    continue
                last = (verts[-2], verts[-1])
            return p

        def _clip(self, gc) -> None:
            c = self.canvas
            box = gc.get_clip_rectangle()
            if box is not None:
                p = c.beginPath()
                p.rect(box.x0, box.y0, box.width, box.height)
                c.clipPath(p, stroke=0, fill=0)
            clip, transform = gc.get_clip_path()
            if clip is not None:
                c.clipPath(self._path(clip, transform), stroke=0, fill=0)

        def draw_path(self, gc, path, transform, rgbFace=None):
            c = self.canvas
            alpha = gc.get_alpha()
            stroke = gc.get_linewidth() > 0 and gc.get_rgb()[3] * alpha > 0
            fill = rgbFace is not None and (len(rgbFace) < 4 or rgbFace[3] > 0) and alpha > 0
            hatch = gc.get_hatch()
            if not (stroke or fill or hatch):
                return
            c.saveState()
            self._clip(gc)
            if fill:
                c.setFillColorRGB(*rgbFace[:3])
            if stroke:
                c.setStrokeColorRGB(*gc.get_rgb()[:3])
                c.setLineWidth(gc.get_linewidth())
                c.setLineJoin(JOINS.get(gc.get_joinstyle(), 0))
                c.setLineCap(CAPS.get(gc.get_capstyle(), 0))
                offset, dashes = gc.get_dashes()
                if dashes:
                    c.setDash(list(dashes), offset or 0)
            shape = self._path(path, transform)
            if fill or stroke:
                c.drawPath(shape, stroke=1 if stroke else 0, fill=1 if fill else 0)
            if hatch:
                self._hatch(gc, path, transform)
            c.restoreState()

        def _hatch(self, gc, path, transform) -> None:
            """The hatch pattern tiled over the shape and clipped to it. Each pattern is drawn once
            into a form (a PDF XObject) and the tiles name it: a dotted bar is otherwise a
            hundred circles a tile, and a page of them ran to megabytes."""
            c = self.canvas
            box = path.get_extents(transform)
            if not (box.width > 0 and box.height > 0):
                return
            colour = tuple(gc.get_hatch_color()[:3])
            key = (gc.get_hatch(), colour, gc.get_hatch_linewidth())
            forms = c.__dict__.setdefault("_hzdesk_hatches", {})
            name = forms.get(key)
            if name is None:
                name = forms[key] = f"hzHatch{len(forms) + 1}"
                c.beginForm(name, 0, 0, TILE, TILE)
                c.setStrokeColorRGB(*colour)
                c.setFillColorRGB(*colour)
                c.setLineWidth(key[2])
                c.drawPath(self._path(gc.get_hatch_path(), Affine2D().scale(TILE)), stroke=1, fill=1)
                c.endForm()
            c.saveState()
            c.clipPath(self._path(path, transform), stroke=0, fill=0)
            x = box.x0 // TILE * TILE
            while x < box.x1:
                y = box.y0 // TILE * TILE
                while y < box.y1:
                    c.saveState()
                    c.translate(x, y)
                    c.doForm(name)
                    c.restoreState()
                    y += TILE
                x += TILE
            c.restoreState()

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            c = self.canvas
            c.saveState()
            self._clip(gc)
            c.setFillColorRGB(*gc.get_rgb()[:3])
            c.setFont(self.font, prop.get_size_in_points())
            c.translate(x, y)
            if angle:
                c.rotate(angle)
            c.drawString(0, 0, s)
            c.restoreState()

        def draw_image(self, gc, x, y, im):   # the charts have none; say so rather than drop it
            raise NotImplementedError("图表中含有位图，无法以矢量绘制")

    _RENDERER = CanvasRenderer
    return _RENDERER
