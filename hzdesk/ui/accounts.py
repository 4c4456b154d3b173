"""Logging in (when the office turned accounts on) and the 账号 page of 设置 (管理员 only)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from hzdesk.errors import HzdeskError
from hzdesk.office import Database, call, read
from hzdesk.services.access import (ROLES, any_accounts, create_account, issue_recovery_code, list_accounts, login,
                                    recover, set_password)
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
        forgot = QPushButton("忘记密码或被锁定？用恢复码登录…")
        forgot.setFlat(True)
        forgot.clicked.connect(self.use_recovery_code)
        form.addRow(forgot)

    def use_recovery_code(self) -> None:
        dialog = RecoveryDialog(self.db, self.username.text(), self)
        if dialog.exec():
            self.accept()

    def try_login(self) -> None:
        try:
            account = call(self.db, login, self.username.text(), self.password.text())
            self.db.actor, self.db.role = account.display_name, account.role
        except HzdeskError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            return
        self.accept()


class RecoveryDialog(QDialog):
    """The administrator's way in with the code kept on paper: a new password is set and the next
    code shown in the same step, so the office is never left without a way in."""

    def __init__(self, db: Database, username: str = "", parent=None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("用恢复码登录")
        form = QFormLayout(self)
        form.addRow(QLabel("恢复码是新增管理员账号时显示的 16 位字母数字（每个只能用一次）。"))
        self.username, self.code = QLineEdit(username), QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.password, self.again = QLineEdit(), QLineEdit()
        for box in (self.password, self.again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setWordWrap(True)
        for label, box in (("管理员用户名", self.username), ("恢复码", self.code), ("新密码（至少 6 位）", self.password),
                           ("再输一次新密码", self.again)):
            form.addRow(label, box)
        form.addRow(self.message)
        form.addRow(ok_cancel("登录并设新密码", self.try_recover, self.reject))

    def try_recover(self) -> None:
        if self.password.text() != self.again.text():
            self.message.setText("两次输入的新密码不一样。")
            return
        try:
            account, next_code = call(self.db, recover, self.username.text(), self.code.text(), self.password.text())
        except HzdeskError as exc:
            self.message.setText(str(exc))
            return
        self.db.actor, self.db.role = account.display_name, account.role
        show_recovery_code(self, account.display_name, next_code, replaced=True)
        self.accept()


def show_recovery_code(parent, who: str, code: str, replaced: bool = False) -> None:
    """The code, once: selectable, with a copy button, and what to do with it."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("管理员恢复码")
    layout = QVBoxLayout(dialog)
    before = "刚才用过的恢复码已作废。" if replaced else ""
    layout.addWidget(QLabel(f"{before}{who} 的新恢复码："))
    shown = QLabel(code)
    shown.setObjectName("recovery_code")
    shown.setStyleSheet("font-size: 16pt; font-weight: bold; font-family: Consolas, monospace;")
    shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(shown)
    advice = QLabel("请抄在纸上或打印，锁在办公室。忘记密码或被锁定时，凭它在登录窗口点“用恢复码登录”。"
                    "它只显示这一次，软件里只保存它的校验值。")
    advice.setWordWrap(True)
    layout.addWidget(advice)
    row = QHBoxLayout()
    copy, done = QPushButton("复制"), QPushButton("已抄下")
    copy.clicked.connect(lambda: QApplication.clipboard().setText(code))
    done.clicked.connect(dialog.accept)
    row.addStretch(1)
    row.addWidget(copy)
    row.addWidget(done)
    layout.addLayout(row)
    dialog.exec()


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
        code = QPushButton("生成恢复码…")
        code.setToolTip("为选中的管理员账号生成新的恢复码，旧的作废")
        code.clicked.connect(self.new_code)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(reset)
        row.addWidget(code)
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
        def create_with_code(s, *args):
            account = create_account(s, *args)
            return account.display_name, issue_recovery_code(s, account.id) if account.role == "管理员" else None

        try:
            who, code = self.ctx.write(create_with_code, username.text(), name.text(), role.currentText(),
                                       password.text())
        except HzdeskError as exc:
            show_error(self, "新增账号", exc)
            return
        self.load()
        if code:
            show_recovery_code(self, who, code)

    def new_code(self) -> None:
        row = self.list.currentRow()
        accounts = self.ctx.read(list_accounts)
        if row < 0 or accounts[row].role != "管理员":
            QMessageBox.information(self, "恢复码", "请先在列表中选中一个管理员账号。")
            return
        if QMessageBox.question(self, "恢复码", f"为“{accounts[row].display_name}”生成新的恢复码？旧的将作废。") \
                != QMessageBox.StandardButton.Yes:
            return
        try:
            code = self.ctx.write(issue_recovery_code, accounts[row].id)
        except HzdeskError as exc:
            show_error(self, "恢复码", exc)
            return
        show_recovery_code(self, accounts[row].display_name, code)

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
