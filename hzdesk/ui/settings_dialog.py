"""设置: the office's own rules — patrol frequency, checklist items, choice lists, deadlines."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
                               QScrollArea, QTabWidget, QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from hzdesk import clock
from hzdesk.errors import HzdeskError
from hzdesk.fields import CHECKLIST_ITEM, CHOICE_LISTS, FREQUENCY_RULE
from hzdesk.office import Changes
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services.settings import SETTINGS, add_choice, all_settings, choices, set_choice_active, set_setting
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, confirm, show_error
from hzdesk.ui.field_widgets import DateField, LongText
from hzdesk.ui.ledger_tab import LedgerTab, TabSpec



class _Lines(LongText):
    """A setting of several lines (the forms' long-text box), read and written like a line edit."""

    def __init__(self, text: str):
        super().__init__()
        self.setPlainText(text)
        self.setFixedHeight(120)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)


class GeneralPage(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        # Sixteen settings and two lists are taller than a 1366×768 screen: they scroll, and
        # 保存基本设置 stays in sight below them (it was under the taskbar).
        body = QWidget()
        form = QFormLayout(body)
        self.edits: dict[str, QLineEdit | _Lines] = {}
        values = ctx.read(all_settings)
        # Built from the declarations; the 账号 switch lives on its own page, where an
        # administrator account is checked first.
        for spec in (s for s in SETTINGS.values() if s.page == "general"):
            edit = _Lines(str(values[spec.key])) if spec.multiline else QLineEdit(str(values[spec.key]))
            edit.setObjectName(f"setting_{spec.key}")
            form.addRow(spec.title + (" ※" if spec.dated else ""), edit)
            self.edits[spec.key] = edit
        self.effective = DateField(self)
        self.effective.setObjectName("setting_effective_from")
        self.effective.set_value(clock.today())
        form.addRow("※ 项修改的生效日期", self.effective)
        form.addRow(QLabel("※ 项影响统计数字：修改从生效日期起计算，此前的统计不变。"))
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        save = QPushButton("保存基本设置")
        save.setObjectName("save_settings")
        save.clicked.connect(self.save)
        self.status = QLabel("")
        row = QHBoxLayout()
        row.setContentsMargins(9, 6, 9, 6)
        row.addWidget(save)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)
        self._saved = self._typed()

    def _typed(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def unsaved(self) -> bool:
        """Whether a box shows something other than what was loaded or last saved."""
        return self._typed() != self._saved

    def save(self) -> bool:
        """Write every box; False (with the reason shown) when nothing could be saved."""
        try:
            effective = parse_date(self.effective.value()) if self.effective.value().strip() else None
        except ParseError as exc:
            show_error(self, "保存设置", HzdeskError(f"生效日期：{exc}"))
            return False

        def write(s):
            for key, edit in self.edits.items():
                set_setting(s, key, edit.text().strip(),
                            effective_from=effective if SETTINGS[key].dated else None)
        try:
            self.ctx.write(write)
        except HzdeskError as exc:
            show_error(self, "保存设置", exc)
            return False
        self._saved = self._typed()
        self.status.setText("已保存。")
        return True


class ChoicesPage(QWidget):
    """Each editable list: add a value, or stop offering one (records keep what they have)."""

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.lists = QComboBox()
        for name, (title, _defaults) in CHOICE_LISTS.items():
            self.lists.addItem(title, name)
        self.lists.currentIndexChanged.connect(self.load)
        self.values = QListWidget()
        self.values.itemChanged.connect(self.toggle)
        self.new_value = QLineEdit()
        self.new_value.setPlaceholderText("新增一个选项")
        add = QPushButton("添加")
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(self.new_value, 1)
        row.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.lists)
        layout.addWidget(QLabel("打勾的选项可以选用；取消打勾后不再提供，但已有记录保留原值。"))
        layout.addWidget(self.values, 1)
        layout.addLayout(row)
        self.load()

    def load(self) -> None:
        name = self.lists.currentData()
        active = set(self.ctx.read(choices, name))
        self.values.blockSignals(True)
        self.values.clear()
        for value in self.ctx.read(lambda s: choices(s, name, include_inactive=True)):
            item = QListWidgetItem(value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in active else Qt.CheckState.Unchecked)
            self.values.addItem(item)
        self.values.blockSignals(False)

    def toggle(self, item: QListWidgetItem) -> None:
        try:
            self.ctx.write(set_choice_active, self.lists.currentData(), item.text(),
                           item.checkState() == Qt.CheckState.Checked)
        except HzdeskError as exc:
            show_error(self, "选项列表", exc)
            self.load()

    def add(self) -> None:
        try:
            self.ctx.write(add_choice, self.lists.currentData(), self.new_value.text())
        except HzdeskError as exc:
            show_error(self, "选项列表", exc)
            return
        self.new_value.clear()
        self.load()


class RulesPage(QWidget):
    """巡河频次规则, with the county's rule workbook out and in (checked in full before writing)."""

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.table = LedgerTab(ctx, TabSpec(FREQUENCY_RULE))
        export = QPushButton("导出规则工作簿…")
        export.clicked.connect(lambda: self.export_rules())
        take = QPushButton("导入县里下发的规则…")
        take.setObjectName("import_rules")
        take.clicked.connect(lambda: self.import_rules())
        row = QHBoxLayout()
        row.addWidget(QLabel("修改已用过的规则会另起一条新规则，从生效日期起执行；此前的统计不变。"), 1)
        row.addWidget(export)
        row.addWidget(take)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def export_rules(self, path: str | None = None) -> None:
        from hzdesk.office import export_rules
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出巡河规则", str(Path.home() / "巡河规则.xlsx"),
                                                  "Excel 工作簿 (*.xlsx)")
            if not path:
                return
        try:
            n = export_rules(self.ctx.db, path)
        except HzdeskError as exc:
            show_error(self, "导出巡河规则", exc)
            return
        QMessageBox.information(self, "导出巡河规则", f"已导出 {n} 条规则到\n{path}")

    def import_rules(self, path: str | None = None) -> None:
        from hzdesk.office import import_rules
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "导入巡河规则", str(Path.home()), "Excel 工作簿 (*.xlsx)")
            if not path:
                return
        try:
            check = import_rules(self.ctx.db, path, dry_run=True)
            if not check.ok:
                QMessageBox.warning(self, "导入巡河规则", f"发现 {len(check.errors)} 处错误，没有导入任何规则：\n"
                                    + "\n".join(e.line() for e in check.errors[:30]))
                return
            summary = f"新增 {check.added} 条，停用 {check.stopped} 条，不变 {check.unchanged} 条"
            if not confirm(self, "导入巡河规则", f"检查通过：{summary}。\n新规则从各自的生效日期起执行。确定导入？"):
                return
            import_rules(self.ctx.db, path)
        except HzdeskError as exc:
            show_error(self, "导入巡河规则", exc)
            return
        self.ctx.bus.announce(Changes(frozenset({"frequency_rule"})))
        QMessageBox.information(self, "导入巡河规则", f"导入完成：{summary}")


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setWindowTitle("设置")
        tabs = QTabWidget()
        self.general = GeneralPage(ctx)
        tabs.addTab(self.general, "基本设置")
        self.rules = RulesPage(ctx)
        tabs.addTab(self.rules, "巡河频次规则")
        checklist = LedgerTab(ctx, TabSpec(CHECKLIST_ITEM))
        checklist.delete_button.hide()  # old patrols refer to the codes: switch items off instead
        tabs.addTab(checklist, "巡河检查项")
        tabs.addTab(ChoicesPage(ctx), "选项列表")
        from hzdesk.services.access import can
        if can(ctx.db.role, "admin"):
            from hzdesk.ui.accounts import AccountsPage
            tabs.addTab(AccountsPage(ctx), "账号")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("这些规则因省、县而异，请按本地文件要求设置。统计口径见“帮助 → 统计口径说明”。"))
        layout.addWidget(tabs, 1)
        layout.addWidget(close)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(1000, screen.width() - 40), min(700, screen.height() - 60))

    def done(self, result: int) -> None:
        """关闭, Esc or × with 基本设置 changed and not saved asks first (they were dropped)."""
        if common.settle_unsaved(self, self.general.unsaved(), "基本设置中的修改还没有保存。", self.general.save):
            super().done(result)
