"""The window (a first, simple one: the full clerk's window is its own piece of work).

Opens the database, shows what each ledger holds, offers sample data on an empty database, and
lets the user open or create another database file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QMainWindow, QMessageBox, QProgressDialog, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)

from hzdesk import APP_NAME, __version__
from hzdesk.db.engine import Database, open_database
from hzdesk.errors import HzdeskError
from hzdesk.paths import default_db_path
from hzdesk.services.check import count_records
from hzdesk.services.settings import get_setting

HELP_DIR = Path(__file__).resolve().parent.parent / "help"


class DemoWorker(QObject):
    """Loads sample data in a worker thread; reports each step."""

    step = Signal(str)
    done = Signal(str)   # empty string: success; otherwise the Chinese error

    def __init__(self, db: Database):
        super().__init__()
        self.db = db

    def run(self) -> None:
        from hzdesk.demo import DemoOptions, load_demo

        try:
            load_demo(self.db, DemoOptions(scale="small"), self.step.emit)
        except HzdeskError as exc:
            self.done.emit(str(exc))
        else:
            self.done.emit("")


class MainWindow(QMainWindow):
    def __init__(self, db: Database):
        super().__init__()
        self.db: Database = db
        self.resize(1200, 720)
        self._build_menus()
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        for text, shortcut, slot in (("新建数据库(&N)…", None, self.new_database),
                                     ("打开数据库(&O)…", QKeySequence.StandardKey.Open, self.open_other),
                                     ("退出(&X)", QKeySequence.StandardKey.Quit, self.close)):
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.triggered.connect(slot)
            file_menu.addAction(act)
        view = self.menuBar().addMenu("视图(&V)")
        refresh = QAction("刷新(&R)", self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.triggered.connect(self.refresh)
        view.addAction(refresh)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        rules = QAction("统计口径说明(&S)", self)
        rules.triggered.connect(self.show_rules_help)
        help_menu.addAction(rules)
        about = QAction("关于(&A)", self)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def refresh(self) -> None:
        with self.db.session() as s:
            counts = count_records(s)
            office = get_setting(s, "office_name")
        self.setWindowTitle(f"{APP_NAME} — {office} — {self.db.path.name}")
        central = QWidget()
        layout = QVBoxLayout(central)
        title = QLabel(office)
        font = QFont()
        font.setPointSize(16)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(QLabel(f"数据库文件：{self.db.path}"))
        box = QGroupBox("台账概况")
        form = QFormLayout(box)
        for name, n in counts.items():
            value = QLabel(f"{n} 条")
            value.setObjectName(f"count_{name}")
            form.addRow(f"{name}：", value)
        layout.addWidget(box)
        if counts["河湖"] == 0 and counts["人员"] == 0:
            row = QHBoxLayout()
            hint = QLabel("这是一个空数据库。可以先载入一个乡镇的示例数据，熟悉软件的用法。")
            button = QPushButton("载入示例数据")
            button.setObjectName("load_demo")
            button.clicked.connect(self.load_demo)
            row.addWidget(hint)
            row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(1)
        self.setCentralWidget(central)

    def load_demo(self) -> None:
        self._progress = QProgressDialog("正在生成示例数据…", None, 0, 0, self)
        self._progress.setWindowTitle("载入示例数据")
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(0)
        self._thread = QThread(self)
        self._worker = DemoWorker(self.db)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # Bound methods of this window: Qt queues them to the GUI thread. (A plain closure
        # would run in the worker thread, which then waits for itself to finish.)
        self._worker.step.connect(self._demo_step)
        self._worker.done.connect(self._demo_finished)
        self._thread.start()
        self._progress.show()

    @Slot(str)
    def _demo_step(self, step: str) -> None:
        self._progress.setLabelText(f"正在生成：{step}…")

    @Slot(str)
    def _demo_finished(self, error: str) -> None:
        self._thread.quit()
        self._thread.wait()
        self._progress.close()
        if error:
            QMessageBox.warning(self, "无法载入示例数据", error)
        self.refresh()

    def _switch_to(self, path: str) -> None:
        try:
            new_db = open_database(path)
        except HzdeskError as exc:
            QMessageBox.critical(self, "无法打开数据库", str(exc))
            return
        self.db.close()
        self.db = new_db
        QSettings().setValue("last_db", str(new_db.path))
        self.refresh()

    def open_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.db.path.parent),
                                              "河长办台账数据库 (*.db);;所有文件 (*)")
        if path:
            self._switch_to(path)

    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "新建数据库", str(self.db.path.parent / "新台账.db"),
                                              "河长办台账数据库 (*.db)")
        if path:
            if Path(path).exists():
                QMessageBox.warning(self, "新建数据库", "该文件已存在；请换一个文件名，或用“打开数据库”。")
                return
            self._switch_to(path)

    def show_rules_help(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("统计口径说明")
        dialog.resize(760, 600)
        browser = QTextBrowser(dialog)
        browser.setMarkdown(HELP_DIR.joinpath("统计口径.md").read_text(encoding="utf-8"))
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        dialog.exec()

    def about(self) -> None:
        QMessageBox.about(self, f"关于{APP_NAME}",
                          f"<b>{APP_NAME}</b> 版本 {__version__}<br>乡镇河长制办公室的离线台账软件。"
                          f"<br><br>数据库文件：{self.db.path}")


def run(db_arg: str | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("hzdesk")
    app.setApplicationName(APP_NAME)
    try:
        db = open_database(default_db_path(db_arg))
    except HzdeskError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 2
    window = MainWindow(db)
    window.show()
    code = app.exec()
    window.db.close()
    return code
