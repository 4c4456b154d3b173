"""Add or edit one record of any ledger, with a form built from the ledger's description.

A refused save keeps everything typed and shows each reason in red under its field.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGridLayout, QLabel, QScrollArea,
                               QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.fields import Field, Ledger
from hzdesk.services import records
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, show_error
from hzdesk.ui.field_widgets import make_widget

# Wide kinds take a whole row of the form.
_WIDE = ("longtext", "json")


class RecordDialog(QDialog):
    def __init__(self, ctx: AppContext, ledger: Ledger, record_id: int | None = None, parent=None, *,
                 preset: dict[str, Any] | None = None, fields: list[str] | None = None,
                 after_save: Callable[[Any, Any], None] | None = None):
        super().__init__(parent)
        self.ctx, self.ledger, self.record_id = ctx, ledger, record_id
        self.after_save = after_save
        self.saved_id: int | None = None
        self.setWindowTitle(f"{'修改' if record_id else '新增'}{ledger.title}")
        shown = [ledger.field(k) for k in (fields or ledger.view("form"))]
        self.fields: list[Field] = shown
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        row, col = 0, 0
        for f in shown:
            wide = f.kind in _WIDE
            if wide and col == 1:
                row, col = row + 2, 0
            label = QLabel(("＊" if f.required else "") + f.label)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget = make_widget(ctx, f, body)
            label.setBuddy(widget)
            error = QLabel("")
            error.setStyleSheet("color: #c0392b;")
            error.setWordWrap(True)
            error.hide()
            span = 3 if wide else 1
            grid.addWidget(label, row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1, 1, span)
            grid.addWidget(error, row + 1, col * 2 + 1, 1, span)
            self.widgets[f.key] = widget
            self.errors[f.key] = error
            if wide or col == 1:
                row, col = row + 2, 0
            else:
                col = 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(row + 1, 1)   # spare height below the last box, not between the boxes
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.summary = QLabel("")
        self.summary.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.summary.setWordWrap(True)
        self.summary.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("带＊的为必填项。日期可写 2025-03-05、2025/3/5 或 2025年3月5日。"))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        # As tall as the boxes need (room for a line of red hints), as far as the screen allows:
        # a scrollbar only on a screen too small for the form.
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        need = body.sizeHint().height() + 150
        self.resize(860 if len(shown) > 8 else 640, max(240, min(need, screen.height() - 60)))

        self.seen = None   # when the record was last saved, as the form opened (another clerk's save since is refused)
        if record_id is not None:
            self._load(shown)
        else:
            for f in shown:
                if f.today_when_new:
                    self.widgets[f.key].set_value(clock.today())
        for key, value in (preset or {}).items():
            if key in self.widgets:
                self.widgets[key].set_value(value)
        if shown:
            self.widgets[shown[0].key].setFocus()
        self._as_opened = self._snapshot()

    def _load(self, shown) -> None:
        def read(s):
            obj = records.get(s, self.ledger.key, self.record_id)
            return {f.key: getattr(obj, f.key) for f in shown}, getattr(obj, "updated_at", None)
        values, self.seen = self.ctx.read(read)
        for key, value in values.items():
            self.widgets[key].set_value(value)

    def _snapshot(self) -> list[str]:
        """What the boxes show, as text: compared on Esc/取消 to see whether anything was typed."""
        return [str(getattr(w, "currentText", None) and w.currentText() or getattr(w, "text", None) and w.text()
                    or getattr(w, "toPlainText", None) and w.toPlainText() or getattr(w, "value", lambda: "")())
                for w in self.widgets.values()]

    def reject(self) -> None:
        """Esc or 取消 with something typed asks first: nothing the clerk typed is lost silently."""
        def saved() -> bool:
            self.save()   # closes the form when it saves
            return self.saved_id is not None
        typed = self.saved_id is None and self._snapshot() != self._as_opened
        if common.settle_unsaved(self, typed, "已填写的内容还没有保存。", saved) and self.saved_id is None:
            super().reject()

    def values(self) -> dict[str, Any]:
        return {key: w.value() for key, w in self.widgets.items()}

    def show_errors(self, exc: ValidationError) -> None:
        for key, label in self.errors.items():
            msg = exc.errors.get(key)
            label.setText(msg or "")
            label.setVisible(bool(msg))
        elsewhere = [m for k, m in exc.errors.items() if k not in self.errors]
        self.summary.setText("未保存：" + ("；".join(elsewhere) if elsewhere else "请按红字提示修改后再保存。"))
        self.summary.show()
        first = next((k for k in self.widgets if k in exc.errors), None)
        if first:
            self.widgets[first].setFocus()

    def save(self) -> None:
        data = self.values()
        try:
            def write(s):
                if self.record_id is None:
                    obj = records.create(s, self.ledger.key, data)
                else:
                    obj = records.update(s, self.ledger.key, self.record_id, data, seen=self.seen)
                if self.after_save is not None:
                    self.after_save(s, obj)
                return obj.id
            self.saved_id = self.ctx.write(write)
        except ValidationError as exc:
            self.show_errors(exc)
            return
        except records.StaleEdit as exc:
            # The clerk's typing stays unless they choose to see what the other clerk saved.
            if common.confirm(self, "已被他人修改", f"{exc}\n\n按“确定”载入他人保存后的内容（替换您输入的内容）；"
                                                  "按“取消”保留您输入的内容，可先抄下再载入。"):
                self._load([f for f in self.ledger.fields if f.key in self.widgets])
                self._as_opened = self._snapshot()
            return
        except HzdeskError as exc:
            show_error(self, "无法保存", exc)
            return
        self.accept()
