"""Map files in the window (#17 points 1 and 3): 一张图 → 导入河道线、点位… and 巡河记录 → 导入轨迹文件夹….
Each shows what the file or folder would do — matched, new, unmatched, the coordinate system read —
and writes only when the clerk says so: everything, or only what matched (never silently)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QPlainTextEdit, QVBoxLayout, QWidget)

from hzdesk.errors import HzdeskError
from hzdesk.ui.common import AppContext, show_error

MAP_FILES = "地图文件 (*.kml *.kmz *.gpx *.geojson *.json *.shp *.zip)"
DATUMS = [("auto", "按文件说明（KML、GPX、GeoJSON 为 WGS-84；shapefile 看 .prj）"), ("WGS84", "WGS-84（GPS、天地图、CGCS2000）"),
          ("GCJ02", "GCJ-02（高德、腾讯、新版奥维）"), ("BD09", "BD-09（百度）")]


class PlanPreview(QDialog):
    """The plan in words; 导入 when everything matched, 只导入对上的 when some did not."""

    def __init__(self, title: str, lines: list[str], matched: int, unmatched: int, parent=None,
                 datum: str | None = None, replan: Callable[[str], tuple[list[str], int, int]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice: str | None = None          # "all" or "matched"
        self.datum = datum
        layout = QVBoxLayout(self)
        if replan is not None:
            row = QHBoxLayout()
            row.addWidget(QLabel("坐标系"))
            self.datums = QComboBox()
            for key, words in DATUMS:
                self.datums.addItem(words, key)
            self.datums.setCurrentIndex([k for k, _w in DATUMS].index(datum or "auto"))
            self.datums.currentIndexChanged.connect(lambda _i: self._replan(replan))
            row.addWidget(self.datums, 1)
            layout.addLayout(row)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        layout.addWidget(self.text, 1)
        self.buttons = QDialogButtonBox()
        self.all = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.all.clicked.connect(lambda: self._choose("all"))
        self.some = self.buttons.addButton("只导入对上的", QDialogButtonBox.ButtonRole.ActionRole)
        self.some.clicked.connect(lambda: self._choose("matched"))
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._show(lines, matched, unmatched)
        self.resize(760, 460)

    def _show(self, lines: list[str], matched: int, unmatched: int) -> None:
        note = ("全部对上，可以导入。" if matched and not unmatched else
                f"有 {unmatched} 处对不上：可以改好文件（名称写成名录中的编码或名称）后再导入，或只导入对上的。"
                if matched else "没有任何一处对上名录，不能导入。")
        self.text.setPlainText("\n".join(lines + ["", note]))
        self.all.setEnabled(bool(matched) and not unmatched)
        self.some.setVisible(bool(matched) and bool(unmatched))

    def _replan(self, replan) -> None:
        self.datum = self.datums.currentData()
        try:
            self._show(*replan(self.datum))
        except HzdeskError as exc:
            self.text.setPlainText(str(exc))
            self.all.setEnabled(False)
            self.some.setVisible(False)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def import_geo(ctx: AppContext, parent: QWidget, path: str | None = None,
               choose: Callable[[PlanPreview], bool] | None = None) -> int | None:
    """Pick a map file, preview, write. Returns how many records were placed (None: nothing)."""
    from hzdesk.services.geometry import apply_import, plan_import

    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入河道线、点位", str(Path.home()), MAP_FILES)
        if not path:
            return None
    plans = {}

    def replan(datum: str):
        plans[datum] = plan = ctx.read(plan_import, path, datum)
        return plan.lines(), len(plan.matched) + len(plan.places), len(plan.unmatched)
    try:
        lines, matched, unmatched = replan("auto")
    except HzdeskError as exc:
        show_error(parent, "导入河道线、点位", exc)
        return None
    dialog = PlanPreview(f"导入河道线、点位 — {Path(path).name}", lines, matched, unmatched, parent,
                         datum="auto", replan=replan)
    if not (choose or (lambda d: d.exec()))(dialog) or dialog.choice is None:
        return None
    plan = plans[dialog.datum]
    if dialog.choice == "matched":
        plan.unmatched = []
    try:
        placed = ctx.write(apply_import, plan, Path(path).name, plan.datum, ctx.db.attachments, path)
    except HzdeskError as exc:
        show_error(parent, "导入河道线、点位", exc)
        return None
    if choose is None:
        QMessageBox.information(parent, "导入河道线、点位",
                                f"已导入：{len(plan.matched)} 个河湖的线，{len(plan.places)} 个点位。源文件已作为附件保存。")
    return placed


def import_track_folder(ctx: AppContext, parent: QWidget, folder: str | None = None,
                        choose: Callable[[PlanPreview], bool] | None = None) -> tuple[int, int] | None:
    """Pick a folder of track files, preview, write: (patrols made, tracks put on entered patrols)."""
    from hzdesk.services.track_import import apply_track_import, plan_track_import

    if folder is None:
        folder = QFileDialog.getExistingDirectory(parent, "选择轨迹文件所在的文件夹", str(Path.home()))
        if not folder:
            return None
    try:
        plan = ctx.read(plan_track_import, folder)
    except HzdeskError as exc:
        show_error(parent, "导入轨迹文件夹", exc)
        return None
    dialog = PlanPreview(f"导入轨迹文件夹 — {Path(folder).name}", plan.lines(), len(plan.matched),
                         len(plan.unmatched), parent)
    if not (choose or (lambda d: d.exec()))(dialog) or dialog.choice is None:
        return None
    try:
        made, attached = ctx.write(apply_track_import, plan, "auto", ctx.db.attachments)
    except HzdeskError as exc:
        show_error(parent, "导入轨迹文件夹", exc)
        return None
    if choose is None:
        QMessageBox.information(parent, "导入轨迹文件夹", f"已新建巡河记录 {made} 条，挂到已录入记录 {attached} 条；"
                                                     "每条都已按河道线核对，轨迹文件存为附件。")
    return made, attached


def recheck_tracks_in_window(ctx: AppContext, parent: QWidget, period: str | None = None,
                             shown: Callable[[str], None] | None = None) -> None:
    """巡河记录 → 复核轨迹…: the period asked (blank: all), the stored tracks checked again off the
    GUI thread with a progress dialog and 取消, the outcome shown in a window of text."""
    from PySide6.QtWidgets import QInputDialog

    from hzdesk.parsing import ParseError
    from hzdesk.periods import parse_period
    from hzdesk.services.tracks import recheck_tracks
    from hzdesk.ui.common import BackgroundTask

    if period is None:
        period, ok = QInputDialog.getText(parent, "复核轨迹", "巡河日期所在期间（如 2025、2025Q1；留空为全部）：")
        if not ok:
            return
    try:
        start, end = parse_period(period) if period.strip() else (None, None)
    except ParseError as exc:
        QMessageBox.warning(parent, "复核轨迹", str(exc))
        return
    import datetime as dt
    start, end = start or dt.date(1900, 1, 1), end or dt.date(2999, 12, 31)

    def work(step, should_stop):
        return ctx.read(recheck_tracks, start, end, progress=step, should_stop=should_stop)

    def done(result, error):
        if error is not None:
            show_error(parent, "复核轨迹", error)
            return
        text = "\n".join(result.lines())
        if shown is not None:
            shown(text)
            return
        box = QDialog(parent)
        box.setWindowTitle("复核轨迹")
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        layout = QVBoxLayout(box)
        layout.addWidget(view)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(box.reject)
        layout.addWidget(close)
        box.resize(720, 420)
        box.exec()
    BackgroundTask(parent, "正在复核轨迹", work, done).start()
