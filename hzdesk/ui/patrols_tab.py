"""巡河记录: the ledger and the fast entry of paper patrol forms.

Fast entry is keyboard only: Enter moves to the next box, Enter on the last box saves the patrol
and starts the next one with the same date, water body and patroller (the usual order of a stack
of paper forms), the cursor back in the first box that changes from form to form.
"""

from __future__ import annotations


from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QListWidget,
                               QPushButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.fields import PATROL, PROBLEM
from hzdesk.services import records
from hzdesk.services.patrol_checks import patrol_warnings
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, show_error
from hzdesk.ui.field_widgets import make_widget
from hzdesk.ui.geo_dialogs import import_track_folder, recheck_tracks_in_window
from hzdesk.ui.ledger_tab import LedgerTab, TabSpec
from hzdesk.ui.record_dialog import RecordDialog

FAST_FIELDS = PATROL.view("fast")
STICKY = PATROL.view("sticky")


class _EnterMovesOn(QObject):
    """Enter (or Return) in a box moves the focus on; on the last box it saves; Ctrl+Enter saves
    from any box. With the type-ahead list open, Enter takes the highlighted entry — or the first
    one when none is highlighted, never the raw text — and moves on."""

    def __init__(self, dialog: "FastEntryDialog"):
        super().__init__(dialog)
        self.dialog = dialog
        self.boxes: dict[QObject, QObject] = {}   # a type-ahead list → the box it belongs to

    def watch(self, box) -> None:
        box.installEventFilter(self)
        completer = getattr(box, "completer", lambda: None)()
        if completer is not None:
            # While the list is open it has the keys; watched after QCompleter's own filter, so
            # this one sees Enter first.
            completer.popup().installEventFilter(self)
            self.boxes[completer.popup()] = box

    def eventFilter(self, obj, event):
        if event.type() != QEvent.Type.KeyPress or event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        box = self.boxes.get(obj, obj)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.dialog.save()
            return True
        completer = getattr(box, "completer", lambda: None)()
        if completer is not None and completer.popup().isVisible():
            popup = completer.popup()
            index = popup.currentIndex()
            if not index.isValid():
                index = completer.completionModel().index(0, 0)
            if index.isValid():
                box.setText(index.data())
            popup.hide()
        self.dialog.next_box(box)
        return True


class FastEntryDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("快速录入纸质巡河记录")
        self.saved: list[int] = []
        grid = QGridLayout()
        self.widgets = {}
        self.errors = {}
        self.order: list[QWidget] = []
        enter = _EnterMovesOn(self)
        for i, key in enumerate(FAST_FIELDS):
            f = PATROL.field(key)
            w = make_widget(ctx, f, self)
            label = QLabel(("＊" if f.required else "") + f.label)
            error = QLabel("")
            error.setStyleSheet("color: #c0392b;")
            error.hide()
            r, c = divmod(i, 2)
            grid.addWidget(label, r * 2, c * 2)
            grid.addWidget(w, r * 2, c * 2 + 1)
            grid.addWidget(error, r * 2 + 1, c * 2 + 1)
            self.widgets[key], self.errors[key] = w, error
            target = getattr(w, "edit", None) or (w.lineEdit() if hasattr(w, "lineEdit") and w.lineEdit() else w)
            enter.watch(target)
            self.order.append(target)
        self.found = QCheckBox("发现问题（保存后登记问题）")
        enter.watch(self.found)
        self.order.append(self.found)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.widgets["patrol_date"].set_value(clock.today())   # the stack of paper is usually today's
        for key in FAST_FIELDS:
            if PATROL.field(key).today_when_new:       # 录入日期: as every form of a new record
                self.widgets[key].set_value(clock.today())
        self.status = QLabel("按 Enter 跳到下一格（下拉列表中按 Enter 选中一项）；最后一格按 Enter 或任何一格按 Ctrl+Enter 保存，"
                             "并保留日期、河湖、巡河人、巡河方式，接着录下一张；天气每张都要选（可直接打拼音首字母，如 q=晴、dy=多云）。")
        self.status.setWordWrap(True)
        self.list = QListWidget()
        save = QPushButton("保存这一条 (Ctrl+Enter)")
        save.clicked.connect(self.save)
        done = QPushButton("完成")
        done.clicked.connect(self.accept)
        for button in (save, done):   # Enter moves between boxes; it never presses a button by itself
            button.setAutoDefault(False)
            button.setDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.found)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("本次已录入："))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(900, 620)
        self.order[0].setFocus()
        self._fresh = self._card()

    def _card(self) -> list:
        """The boxes of the card under way (not those kept from card to card)."""
        return [self.widgets[k].value() for k in FAST_FIELDS if k not in STICKY] + [self.found.isChecked()]

    def done(self, result: int) -> None:
        """完成, Esc or × with a card begun and not saved asks first: a clerk who fills in the last
        paper form and presses 完成 expects it kept, and it was dropped without a word."""
        def saved() -> bool:
            before = len(self.saved)
            self.save()
            return len(self.saved) > before
        if common.settle_unsaved(self, self._card() != self._fresh, "正在录入的这一张还没有保存。", saved):
            super().done(result)

    def next_box(self, current) -> None:
        i = self.order.index(current) if current in self.order else -1
        if i == len(self.order) - 1:
            self.save()
        else:
            self.order[i + 1].setFocus()

    def save(self) -> None:
        data = {k: w.value() for k, w in self.widgets.items()}
        data["found_problem"] = self.found.isChecked()
        try:
            patrol_id = self.ctx.write(lambda s: records.create(s, "patrol", data).id)
        except ValidationError as exc:
            for key, label in self.errors.items():
                label.setText(exc.errors.get(key, ""))
                label.setVisible(key in exc.errors)
            first = next((k for k in FAST_FIELDS if k in exc.errors), None)
            if first:
                self.order[FAST_FIELDS.index(first)].setFocus()
            self.status.setText("未保存：请按红字修改。")
            return
        except HzdeskError as exc:
            show_error(self, "无法保存", exc)
            return
        self.saved.append(patrol_id)
        for label in self.errors.values():
            label.hide()
        summary = self.ctx.read(lambda s: _patrol_line(s, patrol_id))
        warnings = self.ctx.read(patrol_warnings, patrol_id)
        self.list.insertItem(0, summary + ("　⚠" + "；".join(warnings) if warnings else ""))
        if self.found.isChecked():
            self.register_problem(patrol_id, data)
        for key, w in self.widgets.items():
            if key not in STICKY:
                w.set_value(None)
        self.found.setChecked(False)
        self._fresh = self._card()
        self.status.setText(f"已保存第 {len(self.saved)} 条。" + (f"注意：{'；'.join(warnings)}。" if warnings else "")
                            + "接着录下一张。")
        self.order[FAST_FIELDS.index("start_time")].setFocus()

    def register_problem(self, patrol_id: int, data: dict) -> None:
        finder = self.ctx.read(lambda s: records.get(s, "patrol", patrol_id).person.name)
        dialog = RecordDialog(self.ctx, PROBLEM, None, self, preset={
            "found_on": data["patrol_date"], "water_body_id": data["water_body_id"], "source": "河长巡河",
            "finder": finder, "patrol_id": patrol_id, "description": data.get("findings") or ""},
            fields=["found_on", "water_body_id", "place", "source", "category", "description", "finder",
                    "patrol_id", "deadline"])
        dialog.setWindowTitle("登记巡河发现的问题")
        if dialog.exec():
            self.list.insertItem(0, "　└ 已登记问题")
        else:
            # Never silently: the patrol says a problem was found, and none is registered.
            self.list.insertItem(0, "　└ ⚠ 未登记问题：此条巡河标为“发现问题”，请到问题台账补登")
            self.problem_missing = patrol_id


def _patrol_line(session, patrol_id: int) -> str:
    p = records.get(session, "patrol", patrol_id)
    times = f"{p.start_time:%H:%M}—{p.end_time:%H:%M}" if p.start_time and p.end_time else ""
    return (f"{p.patrol_date.isoformat()}　{p.person.name}　{p.water_body.name}　{times}　{p.weather or '天气未填'}"
            f"　{p.method or ''}　{p.findings or ''}")


class PatrolsTab(LedgerTab):
    def __init__(self, ctx: AppContext, parent=None):
        spec = TabSpec(PATROL, filters=["water_body_id", "person_id", "patrol_date"], descending=True)
        super().__init__(ctx, spec, parent)
        fast = QPushButton("快速录入纸质记录…")
        fast.setObjectName("fast_entry")
        fast.clicked.connect(self.fast_entry)
        self.action_row.insertWidget(3, fast)
        track = QPushButton("轨迹…")
        track.setObjectName("patrol_track")
        track.setToolTip("把手机导出的 GPX 或奥维、谷歌地球的 KML/KMZ 轨迹挂到这条巡河记录上，核对是否走了河道")
        track.clicked.connect(self.show_track)
        self.action_row.insertWidget(4, track)
        folder = QPushButton("导入轨迹文件夹…")
        folder.setObjectName("track_folder")
        folder.setToolTip("一个文件夹的轨迹文件（文件名含河长姓名，如“李明-0612.gpx”）：挂到已录入的巡河记录，"
                          "或按轨迹新建巡河记录；先列出对上和对不上的")
        folder.clicked.connect(lambda: import_track_folder(self.ctx, self))
        self.action_row.insertWidget(5, folder)
        recheck = QPushButton("复核轨迹…")
        recheck.setToolTip("导入了新的河道线或改了设置后：按现在的河道线、设置和规则复核已存的轨迹，列出结论会不同的（原结论不改）")
        recheck.clicked.connect(lambda: recheck_tracks_in_window(self.ctx, self))
        self.action_row.insertWidget(6, recheck)

    def fast_entry(self) -> None:
        FastEntryDialog(self.ctx, self).exec()

    def show_track(self, modal: bool = True):
        """The selected patrol's track and its check; 导入轨迹… replaces it. Returns the dialog."""
        record_id = self.selected_id()
        if record_id is None:
            return None
        dialog = TrackDialog(self.ctx, record_id, self)
        if modal:
            dialog.exec()
        return dialog


class TrackDialog(QDialog):
    FILES = "轨迹文件 (*.gpx *.kml *.kmz)"

    def __init__(self, ctx: AppContext, patrol_id: int, parent=None):
        super().__init__(parent)
        self.ctx, self.patrol_id = ctx, patrol_id
        self.setWindowTitle("巡河轨迹 — " + ctx.read(_patrol_line, patrol_id)[:60])
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        load = QPushButton("导入轨迹文件…")
        load.setObjectName("load_track")
        load.clicked.connect(lambda: self.load())
        self.print_button = QPushButton("打印核对单…")
        self.print_button.setToolTip("巡河轨迹核对单：轨迹与河道线同图，记录填写与轨迹的对照，核对结论，核对人签字处")
        self.print_button.clicked.connect(lambda: self.print_sheet())
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(load)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.resize(620, 260)
        self.refresh()

    def refresh(self) -> None:
        from hzdesk.services.tracks import differences_line, track_lines

        lines = self.ctx.read(track_lines, self.patrol_id)
        if lines is not None:
            lines.insert(2, self.ctx.read(differences_line, self.patrol_id))
        self.print_button.setEnabled(lines is not None)
        self.text.setText("\n".join(lines) if lines else
                          "这条巡河记录还没有轨迹。\n点“导入轨迹文件…”选择手机导出的 GPX，或奥维、谷歌地球的 KML/KMZ；"
                          "将对照该河湖的河道线核对覆盖率、里程、时长和速度。")

    def load(self, path: str | None = None) -> None:
        from PySide6.QtWidgets import QFileDialog

        from hzdesk.services.tracks import attach_track

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "选择轨迹文件", "", self.FILES)
            if not path:
                return
        try:
            self.ctx.write(attach_track, self.patrol_id, path, store=self.ctx.db.attachments)
        except HzdeskError as exc:
            show_error(self, "导入轨迹", exc)
            return
        self.refresh()

    def print_sheet(self, path: str | None = None) -> str | None:
        from hzdesk.ui.print_preview import print_one

        return print_one(self, self.ctx, "track", "巡河轨迹核对单", f"巡河轨迹核对单-{self.patrol_id}.pdf", path,
                         patrol=self.patrol_id)
