"""河长名录: appointments over time, the people, and the reshuffle (换届/调整) in one step."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QFormLayout, QGroupBox, QLabel, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QTabWidget, QVBoxLayout)

from hzdesk import clock
from hzdesk.errors import HzdeskError, ValidationError
from hzdesk.fields import APPOINTMENT, PERSON
from hzdesk.services import records
from hzdesk.services.roster import boards_to_redo, open_posts, reshuffle, reshuffle_person
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, ok_cancel, show_error
from hzdesk.ui.field_widgets import DateField, RefPicker, TextField
from hzdesk.ui.ledger_tab import LedgerTab, TabSpec


class ReshuffleDialog(QDialog):
    def __init__(self, ctx: AppContext, appointment_id: int, parent=None):
        super().__init__(parent)
        self.ctx, self.appointment_id = ctx, appointment_id
        self.affected: list = []
        a = ctx.read(lambda s: _appointment_card(s, appointment_id))
        self.setWindowTitle("换届/调整")
        form = QFormLayout(self)
        form.addRow(QLabel(f"原任：{a['person']}　{a['water_body']}　{a['level']}{a['role']}（{a['start_on']} 起）"))
        self.end_on = DateField()
        self.end_on.set_value(clock.today() - dt.timedelta(days=1))
        self.start_on = DateField()
        self.start_on.edit.setPlaceholderText("默认为离任次日")
        self.successor = RefPicker(ctx, "person")
        self.new_name, self.new_phone, self.new_post = TextField(), TextField(), TextField()
        self.new_name.setPlaceholderText("接任人不在人员名录中时填写")
        self.doc, self.reason = TextField(), TextField()
        self.reason.setText("换届")
        self.errors = QLabel("")
        self.errors.setStyleSheet("color: #c0392b;")
        self.errors.setWordWrap(True)
        posts = ctx.read(lambda s: len(open_posts(s, records.get(s, "appointment", appointment_id).person_id,
                                                  clock.today())))
        self.all_posts = QCheckBox(f"{a['person']}的全部 {posts} 项在任职务一并移交给接任人")
        self.all_posts.setObjectName("all_posts")
        self.all_posts.setVisible(posts > 1)
        form.addRow(self.all_posts)
        for label, w in (("＊原任离任日期", self.end_on), ("接任日期", self.start_on), ("接任人（已在名录）", self.successor),
                         ("或：新人员姓名", self.new_name), ("新人员电话", self.new_phone), ("新人员职务", self.new_post),
                         ("任命文号", self.doc), ("原因", self.reason)):
            form.addRow(label, w)
        form.addRow(self.errors)
        form.addRow(ok_cancel("确定换届", self.apply, self.reject))
        self.resize(540, self.sizeHint().height())
        self._as_opened = self._typed()

    def _typed(self) -> list:
        return [w.value() for w in (self.end_on, self.start_on, self.successor, self.new_name, self.new_phone,
                                    self.new_post, self.doc, self.reason)] + [self.all_posts.isChecked()]

    def reject(self) -> None:
        """取消, Esc or × with a successor or a name typed asks first: it was dropped without a word."""
        def applied() -> bool:
            self.apply()   # closes the dialog when the handover is made
            return self.result() == QDialog.DialogCode.Accepted
        if common.settle_unsaved(self, self._typed() != self._as_opened, "换届还没有办理，填写的内容没有保存。", applied) \
                and self.result() != QDialog.DialogCode.Accepted:
            super().reject()

    def apply(self) -> None:
        picked = self.successor.value()
        new = None
        if self.new_name.value().strip():
            new = {"name": self.new_name.value(), "phone": self.new_phone.value() or None,
                   "post": self.new_post.value() or None}
        elif picked is not None and not isinstance(picked, int):
            self.errors.setText("接任人：请从列表中选择，或在“新人员姓名”中填写")
            return
        move = reshuffle_person if self.all_posts.isChecked() else reshuffle
        try:
            done = self.ctx.write(
                move, self.appointment_id, end_on=self.end_on.value(),
                successor_id=None if new else picked, successor=new, start_on=self.start_on.value(),
                doc_number=self.doc.value() or None, reason=self.reason.value() or None)
        except ValidationError as exc:
            self.errors.setText(exc.message())
            return
        except HzdeskError as exc:
            show_error(self, "换届", exc)
            return
        pairs = done if isinstance(done, list) else [done]
        self.affected = self.ctx.read(boards_to_redo, [new.id for _old, new in pairs], clock.today())
        self.accept()


def boards_message(affected) -> str:
    if not affected:
        return "换届已保存。没有公示牌因此需要更新。"
    lines = [f"换届已保存。以下 {len(affected)} 块公示牌需要更新牌面："]
    for b in affected[:20]:
        lines.append(f"  {b.code}　{b.water_body}　{b.place or ''}：应公示 {'、'.join(s.name for s in b.should) or '（无）'}，"
                     f"最迟 {b.due_by.isoformat()} 前更新")
    if len(affected) > 20:
        lines.append(f"  ……等 {len(affected)} 块，详见“公示牌”页")
    return "\n".join(lines)


class AppointmentsTab(LedgerTab):
    def __init__(self, ctx: AppContext, parent=None):
        spec = TabSpec(APPOINTMENT, filters=["role", "level", "water_body_id", "person_id"], flags=("current",),
                       flags_on=("current",), descending=True)
        super().__init__(ctx, spec, parent)
        self.reshuffle_button = QPushButton("换届/调整…")
        self.reshuffle_button.setObjectName("reshuffle")
        self.reshuffle_button.clicked.connect(self.do_reshuffle)
        self.action_row.insertWidget(4, self.reshuffle_button)
        self.village_button = QPushButton("村级换届…")
        self.village_button.setObjectName("village_reshuffle")
        self.village_button.setToolTip("一个村两委换届：该村全部村级职务一次交接，不填接任人的视为连任")
        self.village_button.clicked.connect(self.do_village_reshuffle)
        self.action_row.insertWidget(5, self.village_button)
        side = QGroupBox("此人的任职经历")
        layout = QVBoxLayout(side)
        self.history = QListWidget()
        layout.addWidget(self.history)
        self.set_side(side, 340)
        self.on_selection()

    def on_selection(self) -> None:
        if not hasattr(self, "history"):
            return
        self.history.clear()
        aid = self.selected_id()
        if aid is None:   # said, as 公示牌 and 问题台账 say it, not an empty box
            hint = QListWidgetItem("请在左侧选择一条任职")
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.history.addItem(hint)
            return
        for line in self.ctx.read(lambda s: _person_history(s, aid)):
            self.history.addItem(line)

    def do_reshuffle(self) -> None:
        aid = self.selected_id()
        if aid is None:
            QMessageBox.information(self, "换届/调整", "请先选中要结束的那条任职。")
            return
        dialog = ReshuffleDialog(self.ctx, aid, self)
        if dialog.exec():
            QMessageBox.information(self, "换届/调整", boards_message(dialog.affected))


    def do_village_reshuffle(self) -> None:
        from hzdesk.ui.village_reshuffle import VillageReshuffleDialog

        dialog = VillageReshuffleDialog(self.ctx, self)
        if dialog.exec():
            QMessageBox.information(self, "村级换届", f"已交接 {dialog.moved} 项职务。\n"
                                    + boards_message(dialog.affected).removeprefix("换届已保存。"))


class RosterTab(QTabWidget):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.appointments = AppointmentsTab(ctx)
        self.people = LedgerTab(ctx, TabSpec(PERSON, flags=("in_service",), filters=["sex"]))
        self.addTab(self.appointments, "河长任职")
        self.addTab(self.people, "人员名录")


def _appointment_card(session, aid: int) -> dict:
    a = records.get(session, "appointment", aid)
    return {"person": a.person.name, "water_body": a.water_body.name if a.water_body else "全镇",
            "role": a.role, "level": a.level, "start_on": a.start_on.isoformat()}


def _person_history(session, aid: int) -> list[str]:
    a = records.get(session, "appointment", aid)
    lines = [f"{a.person.name}　{a.person.post or ''}　{a.person.phone or ''}"]
    for x in a.person.appointments:
        until = x.end_on.isoformat() if x.end_on else "至今"
        lines.append(f"{x.start_on.isoformat()} — {until}　{x.level}{x.role}　"
                     f"{x.water_body.name if x.water_body else '全镇'}")
    return lines
