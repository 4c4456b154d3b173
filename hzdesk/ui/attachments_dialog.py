"""附件: the files kept with a record (photos, the minutes of a meeting, a scanned 河长令 …).

Any ledger the attachments service accepts (services/attachments.OWNERS) offers this from its
table: the list of files, 添加 (stored by content, checked for type and size) and 打开 (a copy in
the temporary folder, so nothing the clerk does in the viewer changes the stored file).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout)

from hzdesk.errors import HzdeskError
from hzdesk.ui.common import AppContext, show_error

FILES = "照片或文档 (*.jpg *.jpeg *.png *.webp *.heic *.heif *.bmp *.pdf *.doc *.docx *.xls *.xlsx)"


class AttachmentsDialog(QDialog):
    def __init__(self, ctx: AppContext, owner_type: str, owner_id: int, label: str, parent=None):
        super().__init__(parent)
        self.ctx, self.owner_type, self.owner_id = ctx, owner_type, owner_id
        self.setWindowTitle(f"附件 — {label}")
        self.resize(560, 360)
        self.files = QListWidget()
        self.files.itemDoubleClicked.connect(lambda _item: self.open_selected())
        add = QPushButton("添加…")
        add.clicked.connect(lambda: self.add())
        opener = QPushButton("打开")
        opener.clicked.connect(self.open_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(opener)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("照片、会议纪要、文件扫描件等（每个不超过 25 MB）。双击打开。"))
        layout.addWidget(self.files, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.load()

    def load(self) -> None:
        from hzdesk.services.attachments import attachments_of

        self.files.clear()
        for att in self.ctx.read(attachments_of, self.owner_type, self.owner_id):
            when = f"，拍摄于 {att.taken_at:%Y-%m-%d %H:%M}" if att.taken_at else ""
            item = QListWidgetItem(f"{att.filename}（{att.size_bytes / 1024:.0f} KB，{att.created_at:%Y-%m-%d} 添加{when}）")
            item.setData(32, att.id)   # Qt.UserRole
            self.files.addItem(item)

    def add(self, path: str | None = None) -> bool:
        from hzdesk.services.attachments import add_attachment

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "选择附件", "", FILES)
            if not path:
                return False
        try:
            self.ctx.write(add_attachment, self.ctx.db.attachments, self.owner_type, self.owner_id, path,
                           purpose="文件")
        except HzdeskError as exc:
            show_error(self, "添加附件", exc)
            return False
        self.load()
        return True

    def open_selected(self) -> Path | None:
        """A copy of the selected file, opened in the PC's own program; returns the copy's path."""
        from hzdesk.services.attachments import attachment, file_of

        item = self.files.currentItem()
        if item is None:
            return None
        try:
            att = self.ctx.read(attachment, item.data(32))
        except HzdeskError as exc:
            show_error(self, "打开附件", exc)
            self.load()
            return None
        source = file_of(self.ctx.db.attachments, att)
        if not source.is_file():
            show_error(self, "打开附件", HzdeskError(f"附件“{att.filename}”的文件不在附件文件夹中（可运行“检查数据库”查看）。"))
            return None
        copy = Path(tempfile.mkdtemp(prefix="hzdesk-")) / Path(att.filename).name
        shutil.copyfile(source, copy)
        if QApplication.platformName() not in ("offscreen", "minimal"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy)))
        return copy
