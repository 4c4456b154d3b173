"""Logging in (when the office turned accounts on) and the 账号 page of 设置 (管理员 only)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from hzdesk.errors import HzdeskError
from hzdesk.office import Database, call, read
from hzdesk.services.access import ROLES, any_accounts, create_account, list_accounts, login, set_password
from hzdesk.services.settings import get_setting, set_setting
from hzdesk.ui.common import AppContext, ok_cancel, show_error


def accounts_required(db: Database) -> bool:
    return read(db, lambda s: bool(get_setting(s, "accounts_enabled")) and any_accounts(s))


class LoginDialog(QDialog):
    def __init__(self, db: Database, parent=None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("登录 — 河长办桌面台账")
        form = QFormLayout(self)
        self.username, self.password = QLineEdit(), QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #c0392b;")
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        form.addRow(self.message)
        form.addRow(ok_cancel("登录", self.try_login, self.reject, "退出"))

    def try_login(self) -> None:
        try:
            account = call(self.db, login, self.username.text(), self.password.text())
            self.db.actor, self.db.role = account.display_name, account.role
        except HzdeskError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            return
        self.accept()


class AccountsPage(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.enabled = QCheckBox("启用账号登录（每次打开软件需要登录；角色：管理员、录入员、查看）")
        self.enabled.setChecked(bool(ctx.read(get_setting, "accounts_enabled")))
        self.enabled.toggled.connect(self.toggle)
        self.list = QListWidget()
        add = QPushButton("新增账号…")
        add.clicked.connect(self.add)
        reset = QPushButton("重设密码…")
        reset.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(reset)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addWidget(QLabel("启用前请先建一个管理员账号。一人办公可以不启用。"))
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.load()

    def load(self) -> None:
        self.list.clear()
        for a in self.ctx.read(list_accounts):
            last = f"，最近登录 {a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else ""
            self.list.addItem(f"{a.username}　{a.display_name}　{a.role}{last}")

    def toggle(self, on: bool) -> None:
        if on and not self.ctx.read(any_accounts):
            QMessageBox.information(self, "账号", "请先新增一个管理员账号，再启用账号登录。")
            self.enabled.setChecked(False)
            return
        try:
            self.ctx.write(set_setting, "accounts_enabled", on)
        except HzdeskError as exc:
            show_error(self, "账号", exc)

    def add(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("新增账号")
        form = QFormLayout(dialog)
        username, name, password = QLineEdit(), QLineEdit(), QLineEdit()
        password.setEchoMode(QLineEdit.EchoMode.Password)
        role = QComboBox()
        role.addItems(list(ROLES))
        for label, w in (("用户名", username), ("姓名", name), ("角色", role), ("密码（至少 6 位）", password)):
            form.addRow(label, w)
        form.addRow(ok_cancel("新增", dialog.accept, dialog.reject))
        if not dialog.exec():
            return
        try:
            self.ctx.write(create_account, username.text(), name.text(), role.currentText(), password.text())
        except HzdeskError as exc:
            show_error(self, "新增账号", exc)
            return
        self.load()

    def reset(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        ids = [a.id for a in self.ctx.read(list_accounts)]
        password, ok = QInputDialog.getText(self, "重设密码", "新密码（至少 6 位）：", QLineEdit.EchoMode.Password)
        if ok:
            try:
                self.ctx.write(set_password, ids[row], password)
            except HzdeskError as exc:
                show_error(self, "重设密码", exc)


class IdleLock(QObject):
    """After `minutes` without keyboard or mouse, hide the window and ask for the password again."""

    def __init__(self, window, db: Database, minutes: int):
        super().__init__(window)
        self.window, self.db = window, db
        self.timer = QTimer(self, singleShot=True, interval=max(1, minutes) * 60_000)
        self.timer.timeout.connect(self.lock)
        QApplication.instance().installEventFilter(self)
        self.timer.start()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                            QEvent.Type.Wheel):
            self.timer.start()
        return False

    def lock(self) -> None:
        self.window.hide()
        if LoginDialog(self.db).exec():
            self.window.show()
            self.timer.start()
        else:
            self.window.close()
