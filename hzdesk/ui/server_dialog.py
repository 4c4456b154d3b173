"""文件 → 连接服务器数据库…: the server's address, database and login, as an IT person hands
them to a clerk (#18). The URL this makes is what `--db` or HZDESK_DB would take; its password is
not kept in the settings."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QSpinBox,
                               QVBoxLayout)

from hzdesk.office import server_url
from hzdesk.ui.common import ok_cancel


class ServerDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("连接服务器数据库")
        self.setMinimumWidth(440)
        self.host = QLineEdit()
        self.host.setPlaceholderText("如 192.168.1.10")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("hzdesk")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ssl = QComboBox()
        for label, value in (("按服务器设置", ""), ("必须加密（require）", "require"),
                             ("加密并核对证书（verify-full）", "verify-full")):
            self.ssl.addItem(label, value)
        form = QFormLayout()
        for label, widget in (("服务器地址", self.host), ("端口", self.port), ("数据库名", self.database),
                              ("用户名", self.user), ("密码", self.password), ("加密连接", self.ssl)):
            form.addRow(label, widget)
        note = QLabel("服务器数据库由单位的网络管理员建立（见说明书“服务器数据库”一节）；"
                      "几位同事可同时录入。备份由服务器管理员负责。")
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.hide()
        buttons = ok_cancel("连接", self.accept, self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        missing = [name for name, box in (("服务器地址", self.host), ("数据库名", self.database), ("用户名", self.user))
                   if not box.text().strip()]
        if missing:
            self.error.setText("请填写：" + "、".join(missing))
            self.error.show()
            return
        super().accept()

    def url(self) -> str:
        return server_url(self.host.text().strip(), self.port.value(), self.database.text().strip(),
                          self.user.text().strip(), self.password.text(), self.ssl.currentData())
