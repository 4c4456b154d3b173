"""Input widgets made from a ledger's field description.

Each widget hands back what the clerk typed, untouched; the services parse and judge it, so a
date typed as 2025/3/5 or 20250305 is read by the same rules as in an Excel import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QCalendarWidget, QCheckBox, QComboBox, QCompleter, QGridLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.fields import Field, format_value
from hzdesk.parsing import format_amount
from hzdesk.services.records import ref_items
from hzdesk.services.settings import choices
from hzdesk.ui.common import AppContext
from hzdesk.vocab import GROWING_LISTS, WATER_CLASSES


class DateField(QWidget):
    """A date typed in any usual form, or picked from a calendar (the button or Alt+↓)."""

    editingFinished = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.edit = QLineEdit(self)
        # "如": an example, not a value — an empty 拆除日期 showing a grey date read as one.
        self.edit.setPlaceholderText("如 2025-03-05")
        self.edit.editingFinished.connect(self.editingFinished)
        button = QToolButton(self)
        button.setText("▾")
        button.setToolTip("打开日历")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(self.popup)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(button)
        self.setFocusProxy(self.edit)
        self.calendar: QCalendarWidget | None = None

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.popup()
        else:
            super().keyPressEvent(event)

    def popup(self) -> None:
        from hzdesk.parsing import ParseError, parse_date

        cal = QCalendarWidget()
        cal.setWindowFlags(Qt.WindowType.Popup)
        cal.setGridVisible(True)
        try:
            d = parse_date(self.edit.text()) if self.edit.text().strip() else clock.today()
        except ParseError:
            d = clock.today()
        cal.setSelectedDate(QDate(d.year, d.month, d.day))
        cal.clicked.connect(self._picked)
        cal.activated.connect(self._picked)
        cal.move(self.mapToGlobal(self.rect().bottomLeft()))
        cal.show()
        self.calendar = cal

    def _picked(self, qdate: QDate) -> None:
        self.edit.setText(qdate.toString("yyyy-MM-dd"))
        if self.calendar is not None:
            self.calendar.close()
        self.edit.setFocus()
        self.editingFinished.emit()

    def value(self) -> str:
        """The text, with this year's shorthand (11.9, 11月9日) written out in full."""
        from hzdesk.parsing import expand_short_date

        full = expand_short_date(self.edit.text(), clock.today())
        if full != self.edit.text():
            self.edit.setText(full)   # the clerk sees which day it was taken as
        return full

    def set_value(self, value: Any) -> None:
        self.edit.setText(value.isoformat() if isinstance(value, dt.date) else (value or ""))


class RefPicker(QComboBox):
    """Pick a water body or a person by typing part of the name, code or phone.

    With `lazy`, the entries (1,500 people in a big township) are loaded when the picker is
    first used, not when it is built: a tab has several pickers as filters, mostly untouched.
    """

    def __init__(self, ctx: AppContext, target: str, parent=None, *, in_use_only: bool = False,
                 lazy: bool = False):
        super().__init__(parent)
        self._source: tuple | None = (ctx, target, in_use_only)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("", None)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.setMinimumContentsLength(12)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        if not lazy:
            self.load_items()

    def load_items(self) -> None:
        if self._source is None:
            return
        ctx, target, in_use_only = self._source
        self._source = None
        typed = self.currentText()
        self.blockSignals(True)
        for text, ref_id in ctx.read(ref_items, target, in_use_only):
            self.addItem(text, ref_id)
        self.setEditText(typed)
        self.blockSignals(False)

    def showPopup(self) -> None:
        self.load_items()
        super().showPopup()

    def focusInEvent(self, event) -> None:
        self.load_items()  # before the first key, so the completer has something to offer
        super().focusInEvent(event)

    def value(self) -> Any:
        text = self.currentText().strip()
        if not text:
            return None
        self.load_items()
        i = self.findText(text, Qt.MatchFlag.MatchExactly)
        if i >= 0:
            return self.itemData(i)
        return text  # not one of ours: the service says so in words

    def set_value(self, ref_id: Any) -> None:
        if ref_id is not None:
            self.load_items()
        i = self.findData(ref_id) if ref_id is not None else 0
        self.setCurrentIndex(max(i, 0))


class PatrolRef(QLineEdit):
    """The patrol a problem came from, shown as the clerk knows it (date, patroller, water body),
    never as an internal number; set by 快速录入, read-only in the form."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._id: int | None = None
        self.setReadOnly(True)
        self.setPlaceholderText("（巡河中发现时自动关联）")

    def value(self) -> Any:
        return self._id

    def set_value(self, patrol_id: Any) -> None:
        from hzdesk.services.records import patrol_label

        self._id = int(patrol_id) if patrol_id not in (None, "") else None
        self.setText(self.ctx.read(patrol_label, self._id) if self._id is not None else "")


class ChoiceCombo(QComboBox):
    """A value from a fixed list (choice lists, enums, water classes); blank when optional."""

    def __init__(self, values: list[str], optional: bool, parent=None):
        super().__init__(parent)
        if optional:
            self.addItem("")
        self.addItems(values)
        self._typed = ""

    def keyPressEvent(self, event) -> None:
        """Typing a value's pinyin (or its initials) picks it: q or qing → 晴, dy → 多云, xy → 小雨;
        Backspace starts over. Every other key works as in any list box."""
        text = event.text().lower()
        if text.isascii() and text.isalpha() and len(text) == 1:
            self._typed += text
            match = self._match(self._typed) or self._match(text)
            self._typed = self._typed if self._match(self._typed) else text
            if match is not None:
                self.setCurrentIndex(match)
            return
        if event.key() == Qt.Key.Key_Backspace:
            self._typed = ""
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        self._typed = ""
        super().focusOutEvent(event)

    def _match(self, typed: str) -> int | None:
        from hzdesk.collation import initials_and_spelling

        for i in range(self.count()):
            initials, spelling = initials_and_spelling(self.itemText(i))
            if self.itemText(i) and (initials.startswith(typed) or spelling.startswith(typed)):
                return i
        return None

    def value(self) -> str:
        return self.currentText()

    def set_value(self, value: Any) -> None:
        text = format_value(Field("x", "x"), value) if value is not None else ""
        if self.findText(text) < 0 and text:
            self.addItem(text)  # a value no longer on the list still shows as it is
        self.setCurrentText(text)


class UnitPicker(QWidget):
    """责任单位 from the office's list (type its pinyin initials to jump), with 新增 beside it: a
    unit typed once is the same unit everywhere, so statistics by unit add up."""

    def __init__(self, ctx: AppContext, list_name: str, parent=None):
        super().__init__(parent)
        self._ctx, self._list = ctx, list_name
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = ChoiceCombo([], True, self)
        self.combo.setMinimumContentsLength(14)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.add_button = QPushButton("新增…", self)
        self.add_button.setToolTip("列表里没有的单位：新增后全办通用（设置 → 选项列表 可改名、停用）")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_unit)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.add_button)
        self.setFocusProxy(self.combo)
        self.reload()

    def reload(self) -> None:
        from hzdesk.collation import sort_key

        current = self.combo.currentText()
        self.combo.clear()
        self.combo.addItem("")
        self.combo.addItems(sorted(self._ctx.read(choices, self._list), key=sort_key))
        self.combo.set_value(current or None)

    def add_unit(self) -> None:
        from PySide6.QtWidgets import QInputDialog, QMessageBox
        from hzdesk.errors import HzdeskError
        from hzdesk.services.settings import add_choice

        name, ok = QInputDialog.getText(self, "新增责任单位", "单位全称（如 东岭村村民委员会、镇农业综合服务中心）：")
        name = " ".join(name.split())
        if not ok or not name:
            return
        if len(name) > 80:
            QMessageBox.warning(self, "新增责任单位", f"单位名称太长了（{len(name)} 字），最多 80 字。")
            return
        try:
            self._ctx.write(add_choice, self._list, name)
        except HzdeskError as exc:
            QMessageBox.warning(self, "新增责任单位", str(exc))
            return
        self.reload()
        self.combo.set_value(name)
        self.combo.setFocus()

    def value(self) -> str:
        return self.combo.value()

    def set_value(self, value: Any) -> None:
        self.combo.set_value(value)


class TextField(QLineEdit):
    def value(self) -> str:
        return self.text()

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else format_value(Field("x", "x"), value))


class LongText(QPlainTextEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(58)

    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, value: Any) -> None:
        self.setPlainText(value or "")


class BoolField(QCheckBox):
    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        self.setChecked(bool(value))


class ChecklistField(QWidget):
    """The patrol checklist: one box per active item; ticked means a problem was seen."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        from hzdesk.services.settings import checklist

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.boxes: dict[str, QCheckBox] = {}
        for item in ctx.read(checklist):
            box = QCheckBox(item.label, self)
            self.boxes[item.code] = box
            layout.addWidget(box)

    def value(self) -> dict[str, bool] | None:
        return {code: box.isChecked() for code, box in self.boxes.items()}

    def set_value(self, value: Any) -> None:
        for code, box in self.boxes.items():
            box.setChecked(bool((value or {}).get(code)))


class AmountsField(QWidget):
    """A work record's quantities: one box per kind of the office's list (清理垃圾(吨) …), two to a
    row; a kind no longer listed keeps its box while the record holds a value for it. What is
    typed goes to the services as text, so 3.5吨 or a mistyped number gets their message."""

    def __init__(self, ctx: AppContext, f: Field, parent=None):
        super().__init__(parent)
        self.kinds = list(ctx.read(choices, f.choices))
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(2)
        self.boxes: dict[str, QLineEdit] = {}
        for label in self.kinds:
            self._box(label)

    def _box(self, label: str) -> QLineEdit:
        n = len(self.boxes)
        box = QLineEdit(self)
        box.setPlaceholderText("—")
        box.setAccessibleName(label)
        self.grid.addWidget(QLabel(label, self), n // 2, (n % 2) * 2)
        self.grid.addWidget(box, n // 2, (n % 2) * 2 + 1)
        self.boxes[label] = box
        return box

    def value(self) -> dict[str, str]:
        return {label: box.text() for label, box in self.boxes.items() if box.text().strip()}

    def set_value(self, value: Any) -> None:
        for box in self.boxes.values():
            box.clear()
        for label, x in (value or {}).items():
            box = self.boxes.get(label) or self._box(label)
            box.setText(format_amount(x) if isinstance(x, (int, float)) else str(x))


def make_widget(ctx: AppContext, f: Field, parent=None) -> QWidget:
    kind = f.kind
    if kind == "date":
        w = DateField(parent)
    elif kind == "longtext":
        w = LongText(parent)
    elif kind == "bool":
        w = BoolField(parent)
    elif kind == "ref" and f.ref == "patrol":
        w = PatrolRef(ctx, parent)
    elif kind == "ref":
        w = RefPicker(ctx, f.ref, parent)
    # Lists start blank even when required: a silent default (问题类别 = 乱占) is a wrong record.
    elif kind == "choice" and f.choices in GROWING_LISTS:
        w = UnitPicker(ctx, f.choices, parent)
    elif kind == "choice":
        w = ChoiceCombo(ctx.read(choices, f.choices), True, parent)
    elif kind == "enum":
        w = ChoiceCombo([m.value for m in f.enum], True, parent)
    elif kind == "class":
        w = ChoiceCombo(WATER_CLASSES, True, parent)
    elif kind == "json" and f.key == "checklist":
        w = ChecklistField(ctx, parent)
    elif kind == "amounts":
        w = AmountsField(ctx, f, parent)
    else:
        w = TextField(parent)
        if kind == "time":
            w.setPlaceholderText("如 8:30")
        elif kind == "phone":
            w.setPlaceholderText("手机或 0731-1234567")
        if f.max_len:
            w.setMaxLength(f.max_len)
        if f.suggest == "unit":
            from hzdesk.services.records import known_units
            completer = QCompleter(ctx.read(known_units), w)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)   # "东岭" offers 东岭村村委会
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            w.setCompleter(completer)
    if f.hint and hasattr(w, "setPlaceholderText") and kind not in ("time", "phone", "date", "ref"):
        w.setPlaceholderText(f.hint)
    w.setToolTip(f.hint or f.label)
    return w

