"""The main window: a tab per ledger, the usual menus and shortcuts, remembered layout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QMainWindow, QMessageBox, QTabWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from hzdesk import APP_NAME, __version__
from hzdesk.errors import HzdeskError
from hzdesk.ui.common import AppContext, BackgroundTask, LazyPage, show_error
from hzdesk.ui.database_menu import DatabaseMenu

if TYPE_CHECKING:
    from hzdesk.office import Database

# This module loads nothing below the window (no office, SQLAlchemy or models) so that the frame
# — menus, tabs, status bar — paints first; `attach` then brings the database (#19 point 1).
#: What the window needs once a database is open; startup imports it while the frame is painted.
BELOW_THE_WINDOW = ("hzdesk.office", "hzdesk.fields", "hzdesk.ui.overview_tab")

HELP_DIR = Path(__file__).resolve().parent.parent / "help"


def _tab(module: str, name: str):
    """A page's class, imported when the page is first shown (start-up imports only the overview)."""
    import importlib
    return getattr(importlib.import_module(f"hzdesk.ui.{module}"), name)


def _excel(name: str):
    return _tab("excel_dialogs", name)


def _county(name: str):
    return _tab("county_tab", name)


def _task_colour():
    """Light red for a plan's task past its deadline and not done (services.plans decides)."""
    from PySide6.QtGui import QColor

    from hzdesk import clock
    from hzdesk.services.plans import TASK_KINDS, task_overdue

    def colour(row: dict):
        overdue = row.get("kind") in TASK_KINDS and task_overdue(row.get("status"), row.get("done_on"),
                                                                  row.get("deadline"), clock.today())
        return QColor("#fbd5d5") if overdue else None
    return colour


class MainWindow(DatabaseMenu, QMainWindow):
    """MainWindow(db) is the window on an open database. MainWindow() is its frame — the same
    menus, tabs and status bar, asleep — shown while the database opens; attach(db) wakes it."""

    def __init__(self, db: Database | None = None, *, first_start_prompt: bool = False):
        super().__init__()
        self.ctx: AppContext | None = None
        self.left_while_opening = False   # closed before a database was attached
        self._fit_screen()
        self._build_tabs()
        self._build_menus()
        settings = QSettings()
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        last = settings.value("last_page")
        if last in self.pages:   # by name: a page added later does not send the clerk elsewhere
            self.tabs.setCurrentWidget(self.pages[last])
        if db is None:
            self.setWindowTitle(f"{APP_NAME} — 正在打开数据库…")
            self.menuBar().setEnabled(False)
            self.statusBar().showMessage("正在打开数据库…")
        else:
            self.attach(db, first_start_prompt=first_start_prompt)

    def attach(self, db: Database, *, first_start_prompt: bool = False) -> None:
        """The database is open: menus wake, the page in view fills in."""
        self.ctx = AppContext(db)
        if db.read_only:
            self._read_only_banner()
        self.ctx.bus.changed.connect(lambda changes: changes.touches({"setting"}) and self._update_title())
        # (a township added, a database reloaded, or 刷新 (F5): not every save asks for the
        # townships again; F5 also finds a township another program added, on a server database)
        self.ctx.bus.changed.connect(lambda changes: changes.touches({"township"}) and self._county_ui(fresh=True))
        self._county_ui()
        self._update_title()
        self.menuBar().setEnabled(True)
        self.statusBar().clearMessage()
        page = self.tabs.currentWidget()
        if isinstance(page, LazyPage) and page.isVisible():
            page.content()
        if first_start_prompt:
            QTimer.singleShot(300, self.offer_sample_data)

    def _fit_screen(self) -> None:
        """A first start fits the screen: maximised on the small screens offices have (up to
        1366 wide), else 1280×720 at most, never taller than the space above the taskbar."""
        screen = QApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is None:
            self.resize(1280, 700)
            return
        self.resize(min(1280, room.width()), min(700, room.height() - 40))
        if room.width() <= 1366:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    @property
    def db(self) -> Database:
        return self.ctx.db

    # ------------------------------------------------------------ building
    def _build_tabs(self) -> None:
        # Each page is built the first time it is shown (or asked for): start-up builds only the
        # page the clerk left open, not nine tables' first queries.
        self.tabs = QTabWidget()
        self.pages: dict[str, LazyPage] = {}
        for name, title, build in (("overview", "概览", self._make_overview), ("waters", "河湖名录", self._make_waters),
                                   ("roster", "河长名录", lambda: _tab("roster_tab", "RosterTab")(self.ctx)),
                                   ("boards", "公示牌", lambda: _tab("boards_tab", "BoardsTab")(self.ctx)),
                                   ("patrols", "巡河记录", lambda: _tab("patrols_tab", "PatrolsTab")(self.ctx)),
                                   ("problems", "问题台账", lambda: _tab("problems_tab", "ProblemsTab")(self.ctx)),
                                   ("map", "一张图", self._make_map),
                                   ("work", "工作记录", self._make_work),
                                   ("stats", "报表", lambda: _tab("reports_tab", "StatsTab")(self.ctx))):
            self.pages[name] = LazyPage(build, ready=lambda: self.ctx is not None)
            self.tabs.addTab(self.pages[name], title)
        self.setCentralWidget(self.tabs)

    def _make_overview(self) -> QWidget:
        from hzdesk.ui.overview_tab import OverviewTab

        tab = OverviewTab(self.ctx)
        tab.open_record.connect(self.open_record)
        return tab

    def _make_map(self) -> QWidget:
        from hzdesk.ui.map_tab import MapTab

        tab = MapTab(self.ctx)
        tab.open_record.connect(self.open_record)
        return tab

    def _make_waters(self) -> QWidget:
        from hzdesk.fields import MONITORING_RESULT, MONITORING_SECTION, OUTFALL, PLAN_ITEM, RIVER_PLAN, WATER_BODY
        from hzdesk.ui.ledger_tab import LedgerTab, TabSpec

        ctx = self.ctx
        waters = QTabWidget()
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(WATER_BODY, filters=["kind", "level"], flags=("in_use",),
                                                              flags_on=("in_use",)))), "河湖")
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(OUTFALL, filters=["type", "status", "water_body_id"]))),
                      "排污口")
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(MONITORING_SECTION, filters=["control_level"]))),
                      "监测断面")
        # journals (results, work records) newest first, as the patrols and problems: the latest
        # entry is the one a clerk checks after adding it
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(MONITORING_RESULT, filters=["section_id", "sampled_on"],
                                                              descending=True))), "监测结果")
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(RIVER_PLAN))), "一河一策")
        waters.addTab(LazyPage(lambda: LedgerTab(ctx, TabSpec(PLAN_ITEM, filters=["plan_id", "status"], flags=("overdue",),
                                                              row_colour=_task_colour()))), "方案任务")
        return waters

    def _make_work(self) -> QWidget:
        from hzdesk.fields import WORK_RECORD
        from hzdesk.ui.ledger_tab import LedgerTab, TabSpec

        return LedgerTab(self.ctx, TabSpec(WORK_RECORD, filters=["kind", "held_on"], descending=True))

    # The pages' contents, built on first use.
    overview = property(lambda self: self.pages["overview"].content())
    waters = property(lambda self: self.pages["waters"].content())
    roster = property(lambda self: self.pages["roster"].content())
    boards = property(lambda self: self.pages["boards"].content())
    patrols = property(lambda self: self.pages["patrols"].content())
    problems = property(lambda self: self.pages["problems"].content())
    work = property(lambda self: self.pages["work"].content())
    stats = property(lambda self: self.pages["stats"].content())

    def show_page(self, name: str) -> QWidget:
        self.tabs.setCurrentWidget(self.pages[name])
        return self.pages[name].content()

    def _action(self, menu, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(slot)
        if name:
            act.setObjectName(name)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        K = QKeySequence
        m = self.menuBar().addMenu("文件(&F)")
        self._action(m, "新建数据库(&N)…", self.new_database)
        self._action(m, "打开数据库(&O)…", self.open_other, K(K.StandardKey.Open))
        self._action(m, "连接服务器数据库…", self.connect_server)
        self._action(m, "导出离线副本…", self.export_offline_copy)
        self._action(m, "搬到服务器数据库…", self.move_to_server)
        self._action(m, "载入示例数据…", self.offer_sample_data, name="menu_demo")
        m.addSeparator()
        self._action(m, "导入 Excel(&I)…", lambda: _excel("import_excel")(self.ctx, self), K("Ctrl+I"))
        self._action(m, "导出 Excel(&X)…", lambda: _excel("export_excel")(self.ctx, self), K("Ctrl+Shift+S"))
        self._action(m, "保存导入模板…", lambda: _excel("save_template")(self.ctx, self))
        m.addSeparator()
        self._action(m, "添加乡镇（县级汇总）…", lambda: _county("add_township")(self.ctx, self), name="menu_add_township")
        self._action(m, "合并乡镇台账…", self.merge_township, name="menu_merge_township")
        m.addSeparator()
        self._action(m, "立即备份(&B)", self.backup_now)
        self._action(m, "从备份恢复…", self.restore_dialog)
        m.addSeparator()
        self._action(m, "设置(&S)…", self.open_settings, name="menu_settings")
        m.addSeparator()
        self._action(m, "退出(&X)", self.close, K("Ctrl+Q"))
        m = self.menuBar().addMenu("编辑(&E)")
        self.undo_action = self._action(m, "撤销(&U)", self.undo_last, K(K.StandardKey.Undo), name="menu_undo")
        m.aboutToShow.connect(self._name_undo)
        m.addSeparator()
        self._action(m, "新增(&N)", lambda: self._on_ledger("add"), K(K.StandardKey.New))
        self._action(m, "修改(&E)…", lambda: self._on_ledger("edit"), K("Ctrl+E"))
        self._action(m, "删除(&D)", lambda: self._on_ledger("delete"), K(K.StandardKey.Delete))
        m.addSeparator()
        # A stack of paper forms can be typed in from wherever the clerk is.
        self._action(m, "快速录入纸质巡河记录(&Q)…", lambda: self.show_page("patrols").fast_entry(), K("Ctrl+Shift+N"),
                     name="menu_fast_entry")
        m.addSeparator()
        self._action(m, "查找(&F)", self.focus_search, K(K.StandardKey.Find))
        m = self.menuBar().addMenu("视图(&V)")
        self._action(m, "刷新(&R)", lambda *_: self.ctx.bus.announce(), K(Qt.Key.Key_F5))
        for i in range(self.tabs.count()):
            self._action(m, self.tabs.tabText(i), lambda _c=False, i=i: self.tabs.setCurrentIndex(i), K(f"Ctrl+{i + 1}"))
        m = self.menuBar().addMenu("报表(&R)")
        self._action(m, "统计汇总(&S)", lambda: self.show_page("stats"))
        self._action(m, "打印(&P)…", self.print_current, K(K.StandardKey.Print))
        m = self.menuBar().addMenu("帮助(&H)")
        self._action(m, "统计口径说明(&S)", self.show_rules_help)
        self._action(m, "关于(&A)", self.about)

    def _name_undo(self) -> None:
        stack = self.ctx.undo_stack
        self.undo_action.setText(f"撤销：{stack[-1][2]}(&U)" if stack else "撤销(&U)")
        self.undo_action.setEnabled(bool(stack))

    def undo_last(self) -> None:
        """Ctrl+Z outside a text box: take back the session's last save or delete, after saying
        what it was (a record is heavier than a typed word)."""
        if not self.ctx.undo_stack:
            self.statusBar().showMessage("本次没有可撤销的保存或删除。", 5000)
            return
        words = self.ctx.undo_stack[-1][2]
        if QMessageBox.question(self, "撤销", f"撤销上一步操作：{words}？\n\n记录将恢复到这一步之前的样子（留痕中会记下这次撤销）。",
                                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        try:
            done = self.ctx.undo()
        except HzdeskError as exc:
            show_error(self, "撤销", exc)
            return
        self.statusBar().showMessage(f"已撤销：{done}", 8000)

    def _update_title(self) -> None:
        from hzdesk.services.settings import get_setting

        office = self.ctx.read(get_setting, "office_name")
        who = f" — {self.db.actor}（{self.db.role}）" if self.db.role else ""
        ro = "（只读）" if self.db.read_only else ""
        where = ""
        if self.db.is_county:
            where = f" — {self.township_picker.currentText()}" if getattr(self, "township_picker", None) else ""
        self.setWindowTitle(f"{APP_NAME} — {office}{where} — {self.db.name}{ro}{who}")

    # ------------------------------------------------------------ the county's database
    def _county_ui(self, fresh: bool = False) -> None:
        """A database of several townships (the county's) gets a 乡镇 picker beside the menus —
        全县 reads across them, a township narrows every tab to its own ledgers — and the 县级汇总
        tab; a township's own database gets neither. `fresh`: ask the database again whether it
        holds several townships."""
        from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

        from hzdesk.office import township_list
        if fresh:
            self.db.forget_townships()
        county = self.db.is_county
        picker = getattr(self, "township_picker", None)
        if not county:
            if picker is not None:
                self.menuBar().setCornerWidget(None)
                self._township_holder.deleteLater()
                self.township_picker = self._township_holder = None
                self.db.township = None
            if "county" in self.pages:
                page = self.pages.pop("county")
                self.tabs.removeTab(self.tabs.indexOf(page))
                page.deleteLater()
            return
        townships = township_list(self.db)
        if picker is None:
            holder = self._township_holder = QWidget(self.menuBar())   # kept: the menu bar does not own it in Python
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 8, 0)
            row.addWidget(QLabel("乡镇"))
            picker = self.township_picker = QComboBox()
            picker.setObjectName("township_picker")
            picker.setMinimumContentsLength(8)
            row.addWidget(picker)
            self.menuBar().setCornerWidget(holder)
            picker.currentIndexChanged.connect(self._township_chosen)
        shown = [picker.itemData(i) for i in range(picker.count())]
        if shown != [None] + [t for t, _n, _c in townships] or picker.currentData() != self.db.township:
            # (a database opened in its place starts at 全县, whatever the picker showed)
            picker.blockSignals(True)
            picker.clear()
            picker.addItem("全县", None)
            for number, name, _code in townships:
                picker.addItem(name, number)
            at = picker.findData(self.db.township)
            picker.setCurrentIndex(max(at, 0))
            picker.blockSignals(False)
        if "county" not in self.pages:
            from hzdesk.ui.county_tab import CountyTab
            self.pages["county"] = LazyPage(lambda: CountyTab(self.ctx), ready=lambda: self.ctx is not None)
            self.tabs.addTab(self.pages["county"], "县级汇总")
            self._update_title()

    def _township_chosen(self, _index: int) -> None:
        self.db.township = self.township_picker.currentData()
        self.ctx.undo_stack.clear()   # what was saved in another township is not this view's to take back
        self._update_title()
        self.ctx.bus.announce()

    def _read_only_banner(self) -> None:
        """A database on write-protected media: say so where it stays in sight."""
        from PySide6.QtWidgets import QLabel

        self.read_only_note = QLabel("只读打开：数据库所在的磁盘或文件夹不可写，可以查看、打印和导出，"
                                     "不能保存修改。要修改请把数据库复制到可写的文件夹后再打开。")
        self.read_only_note.setObjectName("read_only_banner")
        self.read_only_note.setStyleSheet("background: #FFF3CD; color: #7A4B00; padding: 3px 8px;")
        self.read_only_note.setWordWrap(True)
        self.setMenuWidget(self._with_banner(self.menuBar(), self.read_only_note))

    @staticmethod
    def _with_banner(menu, banner):
        from PySide6.QtWidgets import QVBoxLayout, QWidget

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(menu)
        layout.addWidget(banner)
        return box

    # ------------------------------------------------------------ ledger commands
    def current_ledger_tab(self):
        from hzdesk.ui.ledger_tab import LedgerTab

        w = self.tabs.currentWidget()
        while isinstance(w, (QTabWidget, LazyPage)):
            w = w.content() if isinstance(w, LazyPage) else w.currentWidget()
        return w if isinstance(w, LedgerTab) else None

    def _on_ledger(self, what: str) -> None:
        tab = self.current_ledger_tab()
        if tab is None:
            self.statusBar().showMessage("请先切换到一个台账页。", 4000)
            return
        getattr(tab, what)()

    def focus_search(self) -> None:
        tab = self.current_ledger_tab()
        if tab is not None:
            tab.search.setFocus()
            tab.search.selectAll()

    def open_record(self, kind: str, record_id: int) -> None:
        """Open what an overview line points at: its tab, the row selected, the form if useful."""
        page = {"problem": "problems", "sign_board": "boards", "patrol": "patrols", "person": "roster"}[kind]
        tab = self.show_page(page)
        if kind == "person":
            tab = tab.appointments
            tab.filter_widgets["person_id"].set_value(record_id)
            tab.apply_filters()
            return
        tab.search.clear()
        for box in tab.flag_boxes.values():
            box.setChecked(False)
        tab.apply_filters()
        if not tab.select_id(record_id) and kind == "patrol":
            from hzdesk.ui.record_dialog import RecordDialog
            RecordDialog(self.ctx, tab.ledger, record_id, self).exec()

    def print_current(self) -> None:
        """Ctrl+P: the printed ledger of the current tab, for the period chosen on the 报表 tab."""
        page = next(name for name, p in self.pages.items() if p is self.tabs.currentWidget())
        current = {"patrols": "patrols", "problems": "issues", "roster": "roster", "boards": "boards",
                   "waters": "rivers"}.get(page)
        stats = self.show_page("stats")
        if current:
            stats.kind.setCurrentIndex(stats.kind.findData(current))
        stats.make_pdf()

    # ------------------------------------------------------------ database and data
    def offer_sample_data(self) -> None:
        from hzdesk.services.check import count_records

        counts = self.ctx.read(count_records)
        if counts["河湖"] or counts["人员"]:
            if self.sender() is not None and self.sender().objectName() == "menu_demo":
                QMessageBox.information(self, "示例数据", "当前数据库已有台账记录，示例数据只能载入空数据库。\n"
                                        "请用“文件 → 新建数据库”建一个新文件后再载入。")
            return
        box = QMessageBox(QMessageBox.Icon.Question, "欢迎使用" + APP_NAME,
                          "这是一个空的数据库。\n\n可以先载入一个乡镇的示例数据（河湖、河长、公示牌、巡河记录、问题），"
                          "熟悉软件的用法；正式使用时再新建一个数据库。", parent=self)
        load = box.addButton("载入示例数据", QMessageBox.ButtonRole.AcceptRole)
        workbook = box.addButton("导入已有的 Excel 台账…", QMessageBox.ButtonRole.ActionRole)
        box.addButton("从空白开始", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is load:
            self.load_demo()
        elif box.clickedButton() is workbook:
            _excel("import_excel")(self.ctx, self)

    def load_demo(self) -> None:
        from hzdesk.demo import DemoOptions, load_demo

        def done(_result, error) -> None:
            if error is not None:
                show_error(self, "无法载入示例数据", error)
            self.ctx.bus.announce()
            self.statusBar().showMessage("示例数据已载入。", 6000)
        self._task = BackgroundTask(self, "正在生成示例数据",
                                    lambda step, _stop: load_demo(self.db, DemoOptions(scale="small"), step), done)
        self._task.start()

    def merge_township(self) -> None:
        if not self.db.is_county:
            QMessageBox.information(self, "合并乡镇台账",
                                    "合并乡镇台账用于县级数据库：请先用“文件 → 添加乡镇（县级汇总）…”添加各乡镇"
                                    "（建议在新建的空数据库中进行），再把各乡镇报送的工作簿并入。")
            return
        _county("merge_township_workbook")(self.ctx, self)

    def start_daily_backup(self) -> None:
        """The first start of each day keeps a verified copy. It is taken in the background, so
        the window is usable at once (0.5 s for 100,000 patrols); SQLite's backup reads one
        consistent state even while the clerk saves."""
        from hzdesk.office import daily_backup
        from hzdesk.ui.common import in_background

        if self.db.read_only or self.db.on_server:   # nowhere to write a copy beside it; a server's are pg_dump's
            return
        self._daily_thread, self._daily_worker = in_background(
            self, lambda _step, _stop: daily_backup(self.db.path), self._daily_backup_done)

    @Slot(object, object)
    def _daily_backup_done(self, info, error) -> None:
        self.finish_background_work()
        if isinstance(error, HzdeskError):
            QMessageBox.warning(self, "每日备份", f"今天的自动备份没有成功：{error}\n数据库本身未受影响。")
        elif error is not None:
            show_error(self, "每日备份", error)
        elif info is not None:
            self.statusBar().showMessage(f"已完成今日自动备份：{info.label}", 8000)

    def finish_background_work(self) -> None:
        """Wait for the daily backup and 报表's count, if one is running (closing must not cut
        them off)."""
        thread = getattr(self, "_daily_thread", None)
        if thread is not None:
            thread.quit()
            thread.wait()
            self._daily_thread = None
        stats = self.pages["stats"].built() if hasattr(self, "pages") else None
        if stats is not None:
            stats.finish()

    def open_settings(self) -> None:
        from hzdesk.ui.settings_dialog import SettingsDialog
        SettingsDialog(self.ctx, self).exec()

    # ------------------------------------------------------------ help
    def show_rules_help(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("统计口径说明")
        dialog.resize(760, 600)
        browser = QTextBrowser(dialog)
        browser.setMarkdown(HELP_DIR.joinpath("统计口径.md").read_text(encoding="utf-8"))
        QVBoxLayout(dialog).addWidget(browser)
        dialog.exec()

    def about(self) -> None:
        QMessageBox.about(self, f"关于{APP_NAME}",
                          f"<b>{APP_NAME}</b> 版本 {__version__}<br>乡镇河长制办公室的离线台账软件。"
                          f"<br><br>{'服务器数据库' if self.db.on_server else '数据库文件'}：{self.db.where}")

    def closeEvent(self, event) -> None:
        if self.ctx is None:
            self.left_while_opening = True
        self.finish_background_work()
        settings = QSettings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("last_page", next((name for name, p in self.pages.items()
                                             if p is self.tabs.currentWidget()), "overview"))
        super().closeEvent(event)
