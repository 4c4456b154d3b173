"""村级换届: a village's 两委换届 in one dialog — every holder of the village's posts listed, a
successor typed beside each who leaves (blank: 连任), saved together, boards to redo listed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from hzdesk import clock
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.services.roster import boards_to_redo, reshuffle_village, village_posts, villages
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, ok_cancel, show_error
from hzdesk.ui.field_widgets import DateField, RefPicker, TextField


class VillageReshuffleDialog(QDialog):
    COLUMNS = ("原任", "在任职务", "接任人（已在名录）", "或：新人员姓名", "新人员电话")

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.affected: list = []
        self.moved = 0
        self.holders: list[int] = []
        self._loaded_for: tuple | None = None
        self.setWindowTitle("村级换届")
        outer = QVBoxLayout(self)
        form = QFormLayout()
        self.village = QComboBox()
        self.village.addItems(ctx.read(villages))
        self.end_on = DateField()
        self.end_on.set_value(clock.today() - dt.timedelta(days=1))
        self.start_on = DateField()
        self.start_on.edit.setPlaceholderText("默认为离任次日")
        self.doc, self.reason = TextField(), TextField()
        self.reason.setText("村两委换届")
        for label, w in (("村（社区）", self.village), ("＊原任离任日期", self.end_on), ("接任日期", self.start_on),
                         ("任命文号", self.doc), ("原因", self.reason)):
            form.addRow(label, w)
        outer.addLayout(form)
        outer.addWidget(QLabel("下列为该村在离任日期当天在任的村级河长等职务。换人的填接任人，不填的视为连任；"
                               "一人的全部职务一并移交。"))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table, 1)
        self.errors = QLabel("")
        self.errors.setStyleSheet("color: #c0392b;")
        self.errors.setWordWrap(True)
        outer.addWidget(self.errors)
        outer.addWidget(ok_cancel("确定换届", self.apply, self.reject))
        self.village.currentIndexChanged.connect(self.load)
        self.end_on.editingFinished.connect(self.load)
        self.resize(900, 460)
        self.load()

    def load(self) -> None:
        from hzdesk.parsing import ParseError, parse_date

        village = self.village.currentText()
        try:
            day = parse_date(self.end_on.value())
        except ParseError:
            return   # said when saving; the list stays as it was
        if not village or (village, day) == self._loaded_for:
            return   # the successors typed so far stay
        self._loaded_for = (village, day)
        rows = self.ctx.read(lambda s: [
            (pid, f"{posts[0].person.name}　{posts[0].person.phone or ''}",
             "；".join(f"{a.role}·{a.water_body.name}" for a in posts))
            for pid, posts in village_posts(s, village, day).items()])
        self.holders = [pid for pid, _n, _p in rows]
        self.table.setRowCount(len(rows))
        for r, (_pid, name, posts) in enumerate(rows):
            for c, text in enumerate((name, posts)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
            self.table.setCellWidget(r, 2, RefPicker(self.ctx, "person", lazy=True))
            self.table.setCellWidget(r, 3, TextField())
            self.table.setCellWidget(r, 4, TextField())
        self.table.resizeColumnToContents(0)
        for c in (2, 3, 4):
            self.table.setColumnWidth(c, 150 if c == 2 else 110)
        self.errors.setText("" if rows else f"{village}在这一天没有在任的村级职务。")

    def _typed(self) -> bool:
        """Whether a successor, a new name or phone, or a document number has been typed."""
        cells = [self.table.cellWidget(r, c).value() for r in range(len(self.holders)) for c in (2, 3, 4)]
        return any(v not in (None, "") for v in cells) or bool(self.doc.value().strip())

    def reject(self) -> None:
        """取消, Esc or × with successors typed asks first: the village's list was dropped."""
        def applied() -> bool:
            self.apply()   # closes the dialog when the handovers are made
            return self.result() == QDialog.DialogCode.Accepted
        if common.settle_unsaved(self, self._typed(), "村级换届还没有办理，填写的接任人没有保存。", applied) \
                and self.result() != QDialog.DialogCode.Accepted:
            super().reject()

    def handovers(self) -> dict[int, int | dict | None] | None:
        out: dict[int, int | dict | None] = {}
        for r, pid in enumerate(self.holders):
            picked = self.table.cellWidget(r, 2).value()
            name = self.table.cellWidget(r, 3).value().strip()
            phone = self.table.cellWidget(r, 4).value().strip()
            if name:
                out[pid] = {"name": name, "phone": phone or None}
            elif isinstance(picked, int):
                out[pid] = picked
            elif picked:
                self.errors.setText(f"第 {r + 1} 行的接任人：请从列表中选择，或在“新人员姓名”中填写")
                return None
        return out

    def apply(self) -> None:
        handovers = self.handovers()
        if handovers is None:
            return
        try:
            pairs = self.ctx.write(reshuffle_village, self.village.currentText(), end_on=self.end_on.value(),
                                   handovers=handovers, start_on=self.start_on.value(),
                                   doc_number=self.doc.value() or None, reason=self.reason.value() or None)
        except ValidationError as exc:
            self.errors.setText(exc.message())
            return
        except HzdeskError as exc:
            show_error(self, "村级换届", exc)
            return
        self.moved = len(pairs)
        self.affected = self.ctx.read(boards_to_redo, [new.id for _old, new in pairs], clock.today())
        self.accept()
