"""问题台账: the ledger, the workflow buttons allowed in the current state, and the history."""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListWidget, QPushButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.fields import PROBLEM
from hzdesk.services import records
from hzdesk.reports.pdf.problem_sheets import why_no_sheet
from hzdesk.services.workflow import MOVES, NEED_LABELS, allowed_moves, is_overdue, move
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, ok_cancel, show_error
from hzdesk.ui.field_widgets import DateField, LongText, TextField, make_widget
from hzdesk.ui.ledger_tab import LedgerTab, TabSpec
from hzdesk.ui.table_model import overdue_colour

# What each move may ask for beyond what it must (a new deadline when sent back, for example).
OPTIONAL = {"交办": ("responsible_person",), "验收不通过": ("deadline",), "恢复整改": ("responsible_person",),
            "销号": ("note",), "验收通过": ("note",), "报告整改完成": ("note",), "挂账": ()}


class MoveDialog(QDialog):
    """Asks only for what one workflow move needs; refused input stays for correcting."""

    def __init__(self, ctx: AppContext, problem_id: int, action: str, current: dict, parent=None):
        super().__init__(parent)
        self.ctx, self.problem_id, self.action = ctx, problem_id, action
        self.applied = False
        spec = MOVES[action]
        self.setWindowTitle(f"{action}：{current['number']}")
        form = QFormLayout(self)
        form.addRow(QLabel(spec.help))
        self.widgets: dict[str, object] = {}
        self.errors: dict[str, QLabel] = {}
        date = DateField()
        date.set_value(clock.today())
        self._add(form, "on_date", "日期", date, True)
        keys = [k for k in (*spec.needs, *OPTIONAL.get(action, ())) if k != "on_date"]
        for key in dict.fromkeys(keys):
            if key == "deadline":
                w = DateField()
                if action not in ("挂账", "恢复整改", "验收不通过"):
                    w.set_value(current.get("deadline"))
            elif key in ("measures", "note"):
                w = LongText()
                w.set_value(current.get(key) if key == "measures" else "")
            elif key == "responsible_unit":   # the same box as the form's: unit names already in use offered
                w = make_widget(ctx, PROBLEM.field("responsible_unit"))
                w.set_value(current.get(key))
            else:
                w = TextField()
                w.set_value(current.get(key))
            self._add(form, key, NEED_LABELS[key], w, key in spec.needs)
        self.summary = QLabel("")
        self.summary.setStyleSheet("color: #c0392b;")
        form.addRow(self.summary)
        form.addRow(ok_cancel(action, self.apply, self.reject))
        self.resize(520, self.sizeHint().height())
        self._as_opened = self._typed()

    def _typed(self) -> dict:
        return {k: w.value() for k, w in self.widgets.items()}

    def reject(self) -> None:
        """取消, Esc or × with something typed (整改措施, a note) asks first: it was dropped."""
        unsaved = f"“{self.action}”还没有办理，填写的内容没有保存。"
        if common.settle_unsaved(self, self._typed() != self._as_opened, unsaved, self._make_move):
            self.done(QDialog.DialogCode.Accepted if self.applied else QDialog.DialogCode.Rejected)

    def _add(self, form: QFormLayout, key: str, label: str, widget, required: bool) -> None:
        error = QLabel("")
        error.setStyleSheet("color: #c0392b;")
        error.hide()
        box = QVBoxLayout()
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(error)
        form.addRow(("＊" if required else "") + label, box)
        self.widgets[key] = widget
        self.errors[key] = error

    def apply(self) -> None:
        if self._make_move():
            self.accept()

    def _make_move(self) -> bool:
        """Make the move; False when it was refused (the reasons shown, the typing kept)."""
        values = self._typed()
        on_date, note = values.pop("on_date"), values.pop("note", None)
        try:
            self.ctx.write(move, self.problem_id, self.action, on_date=on_date, note=note, **values)
        except ValidationError as exc:
            for key, label in self.errors.items():
                label.setText(exc.errors.get(key, ""))
                label.setVisible(key in exc.errors)
            other = [m for k, m in exc.errors.items() if k not in self.errors]
            self.summary.setText("；".join(other))
            return False
        except HzdeskError as exc:
            show_error(self, self.action, exc)
            return False
        self.applied = True
        return True


class ProblemsTab(LedgerTab):
    also_shows = frozenset({"problem_event", "attachment"})   # the history and photos beside the table

    def __init__(self, ctx: AppContext, parent=None):
        # 状态 and 整改时限 beside the number: what a clerk looks down the ledger for stays in
        # sight beside the problem's panel (after the long 问题描述 they were off the screen)
        first = ["number", "state", "deadline"]
        spec = TabSpec(PROBLEM, columns=first + [k for k in PROBLEM.view("table") if k not in first],
                       filters=["state", "category", "water_body_id", "found_on"], flags=("overdue", "open"),
                       descending=True, row_colour=overdue_colour())
        super().__init__(ctx, spec, parent)
        self.delete_button.setToolTip("误登记的问题可以删除；已流转的问题请走流程")
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("请在左侧选择一个问题")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        layout.addWidget(self.title)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        self.needs_selection: list[QPushButton] = []
        moves = QGroupBox("办理")
        self.move_row = QHBoxLayout(moves)
        self.move_buttons: dict[str, QPushButton] = {}
        for action in MOVES:
            b = QPushButton(action)
            b.setObjectName(f"move_{action}")
            b.clicked.connect(lambda _c=False, a=action: self.do_move(a))
            self.move_row.addWidget(b)
            self.move_buttons[action] = b
        layout.addWidget(moves)
        sheets = QHBoxLayout()
        self.sheet_buttons: dict[str, QPushButton] = {}
        for text, kind in (("打印督办单…", "issue"), ("打印销号单…", "closure")):
            b = QPushButton(text)
            self.needs_selection.append(b)
            self.sheet_buttons[kind] = b
            b.setObjectName(f"sheet_{kind}")
            b.clicked.connect(lambda _c=False, k=kind: self.print_sheet(k))
            sheets.addWidget(b)
        sheets.addStretch(1)
        layout.addLayout(sheets)
        photos = QGroupBox("照片")
        grid = QGridLayout(photos)
        self.thumbs: dict[str, QLabel] = {}
        for col, purpose in enumerate(("整改前", "整改后")):
            thumb = QLabel("（无）")
            thumb.setObjectName(f"thumb_{purpose}")
            thumb.setFixedSize(180, 135)
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            thumb.setStyleSheet("border: 1px solid #bbb; background: #fafafa;")
            add = QPushButton(f"添加{purpose}照片…")
            self.needs_selection.append(add)
            add.clicked.connect(lambda _c=False, p=purpose: self.add_photo(p))
            grid.addWidget(QLabel(purpose), 0, col)
            grid.addWidget(thumb, 1, col)
            grid.addWidget(add, 2, col)
            self.thumbs[purpose] = thumb
        layout.addWidget(photos)
        history = QGroupBox("办理经过")
        hl = QVBoxLayout(history)
        self.history = QListWidget()
        hl.addWidget(self.history)
        layout.addWidget(history, 1)
        self.set_side(side, 420)
        self.on_selection()

    def on_selection(self) -> None:
        if not hasattr(self, "thumbs"):
            return
        pid = self.selected_id()
        self.history.clear()
        for b in getattr(self, "needs_selection", []):
            b.setEnabled(pid is not None)
        if pid is None:
            self.title.setText("请在左侧选择一个问题")
            self.detail.setText("")
            for b in self.move_buttons.values():
                b.hide()
            return
        p = self.ctx.read(lambda s: _problem_card(s, pid))
        overdue = "　【已超期】" if p["overdue"] else ""
        self.title.setText(f"{p['number']}　{p['state']}{overdue}")
        self.detail.setText(f"{p['water_body']}　{p['place'] or ''}\n{p['category']}（{p['source']}）：{p['description']}\n"
                            f"责任单位：{p['responsible_unit'] or '未交办'}　整改时限：{p['deadline'] or '未定'}")
        allowed = set(allowed_moves(p["state_enum"]))
        for action, b in self.move_buttons.items():
            b.setVisible(action in allowed)
        for kind, b in self.sheet_buttons.items():   # greyed, saying why, rather than refused after a click
            refused = why_no_sheet(kind, p["state_enum"], p["responsible_unit"])
            b.setEnabled(refused is None)
            b.setToolTip(refused or "")
        for e in p["events"]:
            self.history.addItem(e)
        self.show_photos(pid)

    def show_photos(self, pid: int) -> None:
        from PySide6.QtGui import QPixmap

        from hzdesk.services.attachments import attachments_of, file_of, thumbnail_png
        atts = self.ctx.read(attachments_of, "problem", pid)
        for purpose, label in self.thumbs.items():
            label.setText("（无）")
            label.setPixmap(QPixmap())
            for att in atts:
                if att.purpose == purpose and (att.mime or "").startswith("image/"):
                    source = file_of(self.ctx.db.attachments, att)
                    if source.exists():
                        pix = QPixmap()
                        pix.loadFromData(thumbnail_png(source, 180))
                        label.setPixmap(pix)
                        label.setToolTip(f"{att.filename}" + (f"，拍摄于 {att.taken_at:%Y-%m-%d %H:%M}" if att.taken_at else ""))
                        break

    def add_photo(self, purpose: str, path: str | None = None) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        from hzdesk.services.attachments import add_attachment
        pid = self.selected_id()
        if pid is None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, f"选择{purpose}照片", "", "照片 (*.jpg *.jpeg *.png *.webp *.heic *.heif *.bmp)")
            if not path:
                return
        try:
            _att, offered = self.ctx.write(add_attachment, self.ctx.db.attachments, "problem", pid, path,
                                           purpose=purpose)
        except HzdeskError as exc:
            show_error(self, "添加照片", exc)
            return
        if offered.taken_at and self.isVisible():
            QMessageBox.information(self, "添加照片", f"照片拍摄于 {offered.taken_at:%Y-%m-%d %H:%M}"
                                    + (f"，位置 {offered.latitude:.5f}, {offered.longitude:.5f}"
                                       if offered.latitude is not None and offered.longitude is not None else "")
                                    + "。如需要，可据此核对问题的发现日期和位置。")

    def print_sheet(self, kind: str, path: str | None = None) -> str | None:
        """督办单 or 销号单 of the selected problem, saved and opened for printing."""
        from hzdesk.ui.print_preview import print_one

        pid = self.selected_id()
        if pid is None:
            return None
        number = self.ctx.read(lambda s: records.get(s, "problem", pid).number)
        title = "督办单" if kind == "issue" else "销号单"
        return print_one(self, self.ctx, "issue-sheet" if kind == "issue" else "closure-sheet", title,
                         f"{title}-{number}.pdf", path, issue=number)

    def do_move(self, action: str) -> None:
        pid = self.selected_id()
        if pid is None:
            return
        current = self.ctx.read(lambda s: _problem_card(s, pid))
        MoveDialog(self.ctx, pid, action, current, self).exec()


def _problem_card(session, pid: int) -> dict:
    p = records.get(session, "problem", pid)
    return {"number": p.number, "state": p.state.value, "state_enum": p.state, "overdue": is_overdue(p, clock.today()),
            "water_body": p.water_body.name, "place": p.place, "category": p.category, "source": p.source,
            "description": p.description, "responsible_unit": p.responsible_unit,
            "responsible_person": p.responsible_person, "deadline": p.deadline, "measures": p.measures,
            "verifier": p.verifier,
            "events": [f"{e.on_date.isoformat()}　{e.action}　→ {e.to_state.value}"
                       + (f"　{e.actor}" if e.actor else "") + (f"：{e.note}" if e.note else "")
                       for e in p.events]}
