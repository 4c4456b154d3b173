"""The window's 文件 menu of databases: opening another file or a server, a new file, the offline
copy, moving to a server, backing up and restoring. A part of `MainWindow` (it reads the window's
`ctx`, `db` and `_task`), kept here so that the window's own module stays one a reader can hold."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from hzdesk.errors import HzdeskError
from hzdesk.ui.common import BackgroundTask, show_error


class DatabaseMenu:
    """Mixed into MainWindow (a plain class: no state, no signals of its own)."""

    def _switch_to(self, path: str) -> None:
        from hzdesk.office import open_database

        try:
            new_db = open_database(path)
        except HzdeskError as exc:
            QMessageBox.critical(self, "无法打开数据库", str(exc))
            return
        self.finish_background_work()   # nothing reads the old database as it closes (the daily copy, 报表's count)
        old = self.ctx.db
        self.ctx.db = new_db
        old.close()
        self._county_ui()
        if not new_db.on_server:   # a server's URL carries its password: not kept in the settings
            QSettings().setValue("last_db", str(new_db.path))
        self.ctx.bus.announce()
        self.offer_sample_data()

    def open_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self._folder()),
                                              "河长办台账数据库 (*.db);;所有文件 (*)")
        if path:
            self._switch_to(path)

    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "新建数据库", str(self._folder() / "新台账.db"),
                                              "河长办台账数据库 (*.db)")
        if path:
            if Path(path).exists():
                QMessageBox.warning(self, "新建数据库", "该文件已存在；请换一个文件名，或用“打开数据库”。")
                return
            self._switch_to(path)

    def _folder(self) -> Path:
        from hzdesk.paths import user_data_dir
        return self.db.path.parent if self.db.path is not None else user_data_dir()

    def _server_backups(self) -> bool:
        """On a server the backups are its administrator's: say so instead (True when it did)."""
        if self.db.on_server:
            from hzdesk.office import SERVER_BACKUPS
            QMessageBox.information(self, "备份", SERVER_BACKUPS)
        return self.db.on_server

    def connect_server(self) -> None:
        from hzdesk.ui.server_dialog import ServerDialog

        dialog = ServerDialog(self)
        if dialog.exec():
            self._switch_to(dialog.url())

    def export_offline_copy(self) -> None:
        """The whole database in a new SQLite file: a server's offline copy (its backups being
        the administrator's), or a file's copy to take home."""
        path, _ = QFileDialog.getSaveFileName(self, "导出离线副本", str(self._folder() / "台账离线副本.db"),
                                              "河长办台账数据库 (*.db)")
        if path:
            self._copy_to(path, "正在导出离线副本",
                          lambda copied: QMessageBox.information(self, "导出离线副本",
                                                                 f"已导出到 {copied.where}，可用“打开数据库”查看，或带到别处使用。"))

    def move_to_server(self) -> None:
        """An office that outgrows one PC: everything in this file into an empty server database,
        then (if the clerk wants) working on the server from now on."""
        from hzdesk.ui.server_dialog import ServerDialog

        if self.db.on_server:
            QMessageBox.information(self, "搬到服务器数据库", "现在用的已经是服务器数据库。")
            return
        dialog = ServerDialog(self)
        dialog.setWindowTitle("搬到服务器数据库（目标须是空的数据库）")
        if not dialog.exec():
            return
        url = dialog.url()

        def done(copied) -> None:
            from hzdesk.ui import common
            if common.confirm(self, "搬到服务器数据库", f"已把全部台账复制到 {copied.where}。\n"
                                                      "现在改用服务器数据库吗？（本机文件保留不动）"):
                self._switch_to(url)
        self._copy_to(url, "正在复制到服务器数据库", done)

    def _copy_to(self, target: str, title: str, after) -> None:
        from hzdesk.office import copy_to

        def done(copied, error) -> None:
            if error is not None:
                show_error(self, title.removeprefix("正在"), error)
            else:
                after(copied)
        self._task = BackgroundTask(self, title, lambda step, stop: copy_to(self.db, target, progress=step,
                                                                            should_stop=stop), done)
        self._task.start()

    def backup_now(self) -> None:
        from hzdesk.office import backup_now

        if self._server_backups():
            return

        def done(info, error) -> None:
            if error is not None:
                show_error(self, "备份", error)
            else:
                QMessageBox.information(self, "备份", f"已备份并校验：\n{info.path}\n{info.label}")
        # A big database takes about a second to copy and verify (more on an old PC).
        self._task = BackgroundTask(self, "正在备份并校验", lambda step, stop: backup_now(self.db.path), done,
                                    cancellable=False)
        self._task.start()

    def restore_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        from hzdesk.services.access import can
        if not can(self.db.role, "admin"):
            QMessageBox.warning(self, "从备份恢复", f"当前账号（{self.db.role}）不能恢复备份，请由管理员操作。")
            return
        from hzdesk.office import list_backups, restore
        if self._server_backups():
            return
        found = list_backups(self.db.path)
        if not found:
            QMessageBox.information(self, "从备份恢复", "还没有可用的备份。")
            return
        labels = [b.label for b in found]
        choice, ok = QInputDialog.getItem(self, "从备份恢复", "选择要恢复的备份（恢复前会先备份当前数据）：",
                                          labels, 0, False)
        if not ok:
            return
        chosen = found[labels.index(choice)]

        def done(safety, error) -> None:
            if error is not None:
                show_error(self, "从备份恢复", error)
                return
            self.ctx.bus.announce()
            QMessageBox.information(self, "从备份恢复", f"已恢复到 {chosen.label}。\n恢复前的数据已另存为 {safety.path.name}。")
        # Our connections let go of the file first; the window waits behind the progress dialog.
        self.finish_background_work()
        self._task = BackgroundTask(self, "正在恢复备份", lambda step, stop: restore(self.db, chosen.path), done,
                                    cancellable=False)
        self._task.start()
