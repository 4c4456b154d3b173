"""Starting the window: its frame first (menus, tabs, status bar — painted before SQLAlchemy and
the models load, #19 point 1), then the lock, what opening found (network drive, damage),
recovery from a backup with the clerk's consent, login, and the database attached to the
window. The deciding is office.py's; the asking is here."""

from __future__ import annotations

import gc
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from hzdesk import APP_NAME
from hzdesk.errors import HzdeskError
from hzdesk.paths import default_db_path, resource
from hzdesk.ui.app import BELOW_THE_WINDOW, MainWindow


def _recover(path: Path, problem: str) -> bool:
    """A damaged database: move it aside and offer the newest backup that verifies."""
    from hzdesk.office import list_backups, recover

    newest = next(iter(list_backups(path)), None)
    text = f"{problem}。\n\n原文件会被改名保存（不会删除），"
    text += (f"然后用最近一次可用的备份（{newest.label}）恢复。是否继续？" if newest
             else "但没有找到可用的备份；将新建一个空数据库。是否继续？")
    if QMessageBox.question(None, "数据库需要修复", text) != QMessageBox.StandardButton.Yes:
        return False
    moved, restored = recover(path)
    QMessageBox.information(None, "数据库已修复", f"损坏的文件已改名为 {moved.name}。\n"
                            + (f"已从备份恢复：{restored.label}。备份之后录入的内容需要补录。" if restored
                               else "已新建空数据库。"))
    return True


def install_chinese(app: QApplication) -> bool:
    """Qt's own words (是/否, 打开文件, 复制/粘贴 …) in Chinese, from the translations PySide6 ships."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
        app.chinese_translator = translator  # keep it alive
        # Installed last, asked first: the few words qtbase_zh_CN lacks.
        app.missing_words = _MissingWords(app)
        app.installTranslator(app.missing_words)
        return True
    return False


def _missing_words_class():
    from PySide6.QtCore import QTranslator

    class MissingWords(QTranslator):
        """Qt's file dialog (used where the system has none) still said "Look in" and "Files of
        type": their accelerator forms are missing from the Chinese translation PySide6 ships."""

        WORDS = {("QFileDialog", "&Look in:"): "查找范围(&L)：", ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
                 ("QFileDialog", "Look in:"): "查找范围：", ("QFileDialog", "Files of type:"): "文件类型："}

        def translate(self, context, source, disambiguation=None, n=-1):
            return self.WORDS.get((context, source))   # None: the next translator (or the source) answers

        def isEmpty(self) -> bool:
            return False
    return MissingWords


def _MissingWords(app):
    return _missing_words_class()(app)


def _force_open_confirmed(who: str) -> bool:
    """The database is held: say by whom; offer 强制打开 only behind a second, plain warning (a
    lock on a network share can outlive a PC that was switched off)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "数据库已被打开", who)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    force = box.addButton("强制打开…", QMessageBox.ButtonRole.DestructiveRole)
    box.exec()
    if box.clickedButton() is not force:
        return False
    return QMessageBox.warning(
        None, "强制打开", "只有确认对方已经退出本软件（例如那台电脑已经关机）时才能强制打开。\n"
        "两处同时修改同一个数据库会造成数据冲突甚至损坏。\n\n确定强制打开吗？",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No) == QMessageBox.StandardButton.Yes


def _import_while_painting(app, modules) -> None:
    """Import `modules` on a helper thread while the event loop keeps turning: the frame stays
    painted and can be moved meanwhile. An import that fails raises again, here, on the next
    import of the same module."""
    import importlib
    import threading

    from PySide6.QtCore import QEventLoop

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:   # said where the module is used, with the program's own handling
                return
    helper = threading.Thread(target=load, name="hzdesk-import", daemon=True)
    helper.start()
    while helper.is_alive():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        helper.join(0.005)


def run(db_arg: str | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("hzdesk")
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(QIcon(str(resource("icons", "hzdesk.png"))))
    install_chinese(app)
    window = MainWindow()          # the frame, asleep until a database is attached
    window.show()
    app.processEvents()            # painted now, before the layers below load
    _import_while_painting(app, BELOW_THE_WINDOW)
    from hzdesk import office
    from hzdesk.office import DatabaseInUse

    path = default_db_path(db_arg)
    if office.is_server(path):   # a server keeps its writers apart itself: no lock file, no file checks
        return _run_window(app, window, office.Found(path, False, False, None))
    try:
        lock = office.claim(path)
    except DatabaseInUse as exc:
        if not _force_open_confirmed(str(exc)):
            window.close()
            return 2
        lock = office.claim(path, force=True)
    except (HzdeskError, OSError) as exc:
        QMessageBox.critical(window, "无法打开数据库", str(exc))
        window.close()
        return 2
    try:
        return _run_window(app, window, office.inspect(path, lock))
    finally:
        lock.release()


def _run_window(app, window, found) -> int:
    code = _open_into(app, window, found)
    if code is not None:
        window.close()
        return code
    if window.left_while_opening:   # the frame's ✕ while the database was opening: the clerk left
        window.db.close()
        return 0
    gc.freeze()  # the window's long-lived objects join those frozen when the database opened…
    gc.enable()  # …and collection, paused for the start (cli.main), resumes for the day's work
    window.start_daily_backup()
    code = app.exec()
    window.finish_background_work()
    window.db.close()
    return code


def _open_into(app, window, found) -> int | None:
    """Open the database `found` describes and attach it to the window; the exit code when the
    start ends here instead (refused, cancelled)."""
    from hzdesk.office import open_database
    from hzdesk.services.settings import get_setting

    path = found.path
    if found.network_drive:
        QMessageBox.warning(None, "网络上的数据库", "这个数据库文件在网络共享文件夹中。SQLite 在网络盘上的文件锁并不可靠，"
                            "多人同时使用可能损坏数据。建议把数据库放在本机，多人共用请使用服务器数据库。")
    if found.damage and not _recover(path, found.damage):
        return 2
    try:
        db = open_database(path)
    except HzdeskError as exc:
        from hzdesk.errors import DamagedDatabase, StorageUnavailable
        from hzdesk.office import list_backups
        # Damage is offered recovery; so is a "foreign" header on a file we kept backups of (an
        # overwritten header). A full disk, a read-only or locked file never is: nothing moves.
        damage = isinstance(exc, DamagedDatabase) or (
            not isinstance(exc, StorageUnavailable) and "更新版本" not in str(exc) and list_backups(path))
        if damage:
            if _recover(path, str(exc).rstrip("。")):
                return _open_into(app, window, replace(found, unclean=False, damage=None))
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    from hzdesk.ui.accounts import LoginDialog, accounts_required
    if accounts_required(db) and not LoginDialog(db).exec():
        db.close()
        return 0
    window.attach(db, first_start_prompt=True)
    idle = int(window.ctx.read(get_setting, "idle_lock_minutes") or 0)
    if db.role and idle > 0:
        from hzdesk.ui.accounts import IdleLock
        window.idle_lock = IdleLock(window, db, idle)
    return None
