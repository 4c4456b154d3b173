"""一张图: the township's water bodies, boards, outfalls, sections and open problems on one map, as
of today (#17 point 2). Only what the office supplied is drawn — no downloaded basemap. Wheel to
zoom around the pointer, drag to move, click a marker for its record."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import (QCheckBox, QGraphicsItem, QGraphicsPathItem,
                               QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.ui.common import AppContext

#: The tables whose changes the map shows.
SHOWN = {"water_geometry", "water_body", "patrol", "frequency_rule", "setting", "monitoring_result", "sign_board", "board_chief", "appointment", "person", "problem",
         "problem_event", "outfall", "monitoring_section"}
LAYERS = {"basemap": "底图", "water": "河湖", "sign_board": "公示牌", "outfall": "排污口", "section": "监测断面", "problem": "未办结问题"}


class _View(QGraphicsView):
    def __init__(self, scene):
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor("#F4F1EA"))
        self._kept_whole: QRectF | None = None
        # A map is moved by dragging it, as any map is: scroll bars beside the whole township
        # fitted in the view only looked as if there were more to see.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self.leave_as_is)    # the arrow keys move the map through them

    def leave_as_is(self, *_args) -> None:
        """No longer kept fitted: the clerk's own view (or a found marker's) stays as it is."""
        self._kept_whole = None

    def show_whole(self, rect: QRectF) -> None:
        """`rect` fitted in the view, and kept fitted as the view changes size until the clerk
        zooms, drags or scrolls: the map is drawn before its page has its final size, and fitted
        only then, it opened with the rivers against the top edge and half of it empty."""
        self._kept_whole = rect
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._kept_whole is not None:
            self.fitInView(self._kept_whole, Qt.AspectRatioMode.KeepAspectRatio)

    def wheelEvent(self, event):
        self.leave_as_is()
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)

    def mousePressEvent(self, event):
        self.leave_as_is()          # a drag (or a click on a marker): the clerk's view from now on
        super().mousePressEvent(event)


class _Marker(QGraphicsPathItem):
    """A point feature that keeps its size on screen whatever the zoom."""

    _shapes: dict[str, QPainterPath] = {}     # one path per shape, shared by every marker of it

    @classmethod
    def _shape(cls, shape: str) -> QPainterPath:
        if shape in cls._shapes:
            return cls._shapes[shape]
        path = QPainterPath()
        r = 5.0
        if shape == "rect":
            path.addRect(QRectF(-r, -r, 2 * r, 2 * r))
        elif shape == "triangle":
            path.moveTo(0, -r - 1)
            path.lineTo(r + 1, r)
            path.lineTo(-r - 1, r)
            path.closeSubpath()
        elif shape == "diamond":
            path.moveTo(0, -r - 1)
            path.lineTo(r + 1, 0)
            path.lineTo(0, r + 1)
            path.lineTo(-r - 1, 0)
            path.closeSubpath()
        else:
            path.addEllipse(QPointF(0, 0), r, r)
        cls._shapes[shape] = path
        return path

    def __init__(self, kind: str, record_id: int, shape: str, colour: str, tip: str, on_click):
        path = self._shape(shape)
        super().__init__(path)
        self.kind, self.record_id, self._on_click = kind, record_id, on_click
        self.setBrush(QBrush(QColor(colour)))
        self.setPen(QPen(QColor("white"), 1.2))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setToolTip(tip)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(10)

    def mousePressEvent(self, event):
        self._on_click(self.kind, self.record_id)
        event.accept()


class MapTab(QWidget):
    open_record = Signal(str, int)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.scene = QGraphicsScene(self)
        self.view = _View(self.scene)
        self.layers: dict[str, list[QGraphicsItem]] = {k: [] for k in LAYERS}
        self.boxes: dict[str, QCheckBox] = {}
        bar = QHBoxLayout()
        from hzdesk.ui.field_widgets import DateField
        bar.addWidget(QLabel("截至"))
        self.day = DateField()
        self.day.setToolTip("地图显示这一天的状态：当天未办结的问题、当天的公示牌是否过期、当天以前最近一次的水质")
        self.day.edit.setText(clock.today().isoformat())
        self.day.edit.setMaximumWidth(96)
        self.day.editingFinished.connect(self._day_changed)
        bar.addWidget(self.day)
        today = QPushButton("今天")
        today.clicked.connect(lambda: (self.day.edit.setText(clock.today().isoformat()), self._day_changed()))
        bar.addWidget(today)
        bar.addSpacing(12)
        for key, title in LAYERS.items():
            box = QCheckBox(title)
            box.setChecked(True)
            box.toggled.connect(lambda on, k=key: [i.setVisible(on) for i in self.layers[k]])
            self.boxes[key] = box
            bar.addWidget(box)
        bar.addSpacing(16)
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找河湖、公示牌、排污口、问题编号…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.find)
        bar.addWidget(self.search, 1)
        fit = QPushButton("全图")
        fit.clicked.connect(self.fit)
        bar.addWidget(fit)
        load = QPushButton("导入河道线、点位…")
        load.setToolTip("KML/KMZ、GPX、GeoJSON 或 shapefile：线对上河湖，点对上公示牌、排污口、断面；先预览再导入")
        load.clicked.connect(self.import_file)
        bar.addWidget(load)
        basemap = QPushButton("底图…")
        basemap.setToolTip("本办提供的底图：MBTiles 文件，或带坐标文件（.pgw/.jgw/.tfw）的扫描图；来源和坐标系在“设置”中填写")
        basemap.clicked.connect(lambda: self.choose_basemap())
        bar.addWidget(basemap)
        printed = QPushButton("打印地图…")
        printed.setToolTip("河湖一张图（PDF，矢量）：当天的河湖、公示牌、排污口、断面、未办结问题，图例和统计")
        printed.clicked.connect(lambda: self.print_map())
        bar.addWidget(printed)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.note)
        self._labels: list[tuple[str, QGraphicsItem]] = []
        self.refresh()
        ctx.bus.changed.connect(lambda changes: changes.touches(SHOWN) and self.refresh())

    def import_file(self) -> None:
        from hzdesk.ui.geo_dialogs import import_geo

        if import_geo(self.ctx, self):
            self.refresh()

    def print_map(self, path: str | None = None) -> str | None:
        from hzdesk.ui.print_preview import print_one

        return print_one(self, self.ctx, "map", "河湖一张图", f"河湖一张图-{self.as_of.isoformat()}.pdf", path,
                         as_of=self.as_of)

    def _day_changed(self) -> None:
        from hzdesk.parsing import ParseError, parse_date

        text = self.day.value()
        try:
            day = parse_date(text)
        except ParseError as exc:
            self.note.setText(f"日期“{text}”无法识别：{exc}")
            return
        self.day.edit.setText(day.isoformat())
        if day != self.as_of:
            self.refresh(day)

    def refresh(self, as_of: dt.date | None = None) -> None:
        from hzdesk.services.map_data import KIND_WORDS, WATER_COLOURS, legend, map_data, point_style

        as_of = as_of or getattr(self, "as_of", None) or clock.today()
        self.as_of = as_of
        data = self.ctx.read(map_data, as_of)
        self.scene.clear()
        self.extent = None
        self.layers = {k: [] for k in LAYERS}
        self._labels = []
        bounds = data.bounds()
        if bounds is None:
            self.note.setText("还没有可以上图的内容：点“导入河道线、点位…”导入河湖的线（KML/KMZ、GPX、GeoJSON、shapefile）；"
                              "公示牌、排污口、断面、问题填写经纬度后即显示。")
            self.legend.setText("")
            return
        from hzdesk.geo.coords import LocalProjection
        proj = LocalProjection((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)

        def xy(points):
            return [QPointF(x, -y) for x, y in proj.forward(points)]
        self.source = self._basemap(bounds, xy)
        for w in data.waters:
            pen = QPen(QColor(WATER_COLOURS[w.state]), 3 if w.state != "ok" else 2)
            pen.setCosmetic(True)
            path = QPainterPath()
            for line in w.lines:
                pts = xy(line)
                path.moveTo(pts[0])
                for p in pts[1:]:
                    path.lineTo(p)
            item = QGraphicsPathItem(path)
            item.setPen(pen)
            item.setToolTip(f"{w.name}（{w.code}）" + (f"：未办结问题 {w.open_problems} 个" if w.open_problems else "")
                            + (f"\n本月巡河未达要求：{'、'.join(w.behind)}" if w.behind else ""))
            self.scene.addItem(item)
            self.layers["water"].append(item)
            self._labels.append((f"{w.name} {w.code}", item))
            if w.lines and not w.name.endswith("段"):   # a segment is named by its river's label
                longest = max(w.lines, key=len)
                label = QGraphicsSimpleTextItem(w.name)
                label.setBrush(QBrush(QColor("#33475B")))
                label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                label.setPos(xy([longest[len(longest) // 2]])[0])
                label.setTransform(QTransform.fromTranslate(7, -16))   # beside the line, clear of a marker on it
                label.setZValue(5)
                self.scene.addItem(label)
                self.layers["water"].append(label)
        for p, at in zip(data.points, xy([p.at for p in data.points])):   # one projection for all
            colour, shape, _words = point_style(p)
            marker = _Marker(p.kind, p.id, shape, colour, f"{KIND_WORDS[p.kind]} {p.label}" + (f"\n{p.note}" if p.note else ""),
                             self._clicked)
            marker.setPos(at)
            self.scene.addItem(marker)
            self.layers[p.kind].append(marker)
            self._labels.append((f"{p.label} {p.note}", marker))
        for key, box in self.boxes.items():
            for item in self.layers[key]:
                item.setVisible(box.isChecked())
        corners = xy([(bounds[0], bounds[1]), (bounds[2], bounds[3])])
        self.extent = QRectF(corners[0], corners[1]).normalized()     # what the data covers, known without a scan
        # a scene rectangle given, not grown by scanning every item (30 ms on the large set); room
        # around the township to drag into
        span = max(self.extent.width(), self.extent.height(), 1000.0)
        self.scene.setSceneRect(self.extent.adjusted(-span, -span, span, span))
        self._scale_bar()
        missing = "，".join(f"{KIND_WORDS[k]} {n} 个" for k, n in data.unplaced.items())
        self.note.setText(f"截至 {as_of.year}年{as_of.month}月{as_of.day}日。" + (f"未填经纬度、未上图：{missing}。" if missing else "")
                          + " 滚轮缩放，拖动移动，点标记打开记录。" + self.source)
        glyphs = {"line": "━", "rect": "■", "diamond": "◆", "circle": "●", "triangle": "▲"}
        self.legend.setText("　".join(f'<span style="color:{colour}">{glyphs[shape]}</span> {words}'
                                     for colour, shape, words in legend(data)))
        self.fit()

    def _basemap(self, bounds, xy) -> str:
        """The office's basemap tiles (or image) under everything; returns its source line."""
        from PySide6.QtGui import QPixmap
        from PySide6.QtWidgets import QGraphicsPixmapItem

        from hzdesk.services.map_data import basemap_pieces

        pieces, source = self.ctx.read(basemap_pieces, bounds, max(self.view.viewport().width(), 800))
        for piece in pieces:
            pixmap = QPixmap()
            if not pixmap.loadFromData(piece.image) or pixmap.isNull():
                continue
            top_left, bottom_right = xy([(piece.west, piece.north), (piece.east, piece.south)])
            item = QGraphicsPixmapItem(pixmap)
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setPos(top_left)
            item.setTransform(QTransform.fromScale((bottom_right.x() - top_left.x()) / pixmap.width(),
                                                   (bottom_right.y() - top_left.y()) / pixmap.height()))
            item.setZValue(-10)
            self.scene.addItem(item)
            self.layers["basemap"].append(item)
        return source

    def choose_basemap(self, path: str | None = None) -> bool:
        """底图…: an MBTiles file or an image with its world file; kept in the settings."""
        from PySide6.QtWidgets import QFileDialog

        from hzdesk.errors import HzdeskError
        from hzdesk.services.settings import set_setting
        from hzdesk.ui.common import show_error

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "选择底图（本办提供的地图文件）", "",
                                                  "底图 (*.mbtiles *.png *.jpg *.jpeg *.tif *.tiff)")
            if not path:
                return False
        try:
            self.ctx.write(set_setting, "map_basemap", path)
        except HzdeskError as exc:
            show_error(self, "底图", exc)
            return False
        self.refresh()
        return True

    def _margin(self) -> float:
        """Room around the township when it is shown whole, in metres: 5 % of its size, at least
        500 m — with the scale bar and its words inside it, whatever the township's size."""
        return max(500.0, 0.05 * max(self.extent.width(), self.extent.height()))

    def _scale_bar(self) -> None:
        """A 1 km bar at the map's lower left (it scales with the map, as distances do), in the
        top quarter of the margin below the township: its words, drawn the same size at any
        zoom, hang below it into the rest."""
        box, room = self.extent, self._margin()
        bar = QGraphicsRectItem(box.left(), box.bottom() + 0.15 * room, 1000, max(60.0, 0.08 * room))
        bar.setBrush(QBrush(QColor("#333333")))
        bar.setPen(QPen(Qt.PenStyle.NoPen))
        self.scene.addItem(bar)
        text = QGraphicsSimpleTextItem("1 公里")
        text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        text.setPos(box.left() + 1100, box.bottom() + 0.1 * room)
        self.scene.addItem(text)

    def fit(self) -> None:
        """全图: the township whole, in the middle."""
        rect = getattr(self, "extent", None)
        if rect is not None and not rect.isEmpty():
            room = self._margin()
            self.view.show_whole(rect.adjusted(-room, -room, room, room))
        elif not self.scene.itemsBoundingRect().isEmpty():
            self.view.show_whole(self.scene.itemsBoundingRect().adjusted(-500, -500, 500, 500))

    def find(self) -> bool:
        """Centre on the first feature whose name, code or number contains the text typed."""
        text = self.search.text().strip()
        for label, item in self._labels:
            if text and text in label:
                self.scene.clearSelection()
                if isinstance(item, QGraphicsPathItem) and not isinstance(item, _Marker):
                    self.view.show_whole(item.boundingRect().adjusted(-300, -300, 300, 300))   # a river
                else:
                    self.view.leave_as_is()
                    self.view.centerOn(item)
                return True
        self.note.setText(f"没有找到“{text}”。")
        return False

    def _clicked(self, kind: str, record_id: int) -> None:
        if kind in ("problem", "sign_board"):
            self.open_record.emit(kind, record_id)

