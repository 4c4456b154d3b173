"""One ledger on screen: search box, filters, a paged sortable table, and the record actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError
from hzdesk.fields import Ledger, format_value
from hzdesk.parsing import ParseError, parse_date
from hzdesk.services import records
from hzdesk.services.records import FLAG_TITLES
from hzdesk.services.settings import choices
from hzdesk.ui import common
from hzdesk.ui.common import AppContext, ChangeFollower, busy, opens_on_enter, show_error
from hzdesk.ui.field_widgets import ChoiceCombo, DateField, RefPicker
from hzdesk.ui.record_dialog import RecordDialog
from hzdesk.ui.table_model import LedgerTableModel
from hzdesk.vocab import ProblemState


@dataclass
class TabSpec:
    ledger: Ledger
    columns: list[str] | None = None            # default: the ledger's "table" view
    filters: list[str] = field(default_factory=list)   # field keys: choice, enum, ref or date
    flags: tuple[str, ...] = ()                 # named conditions offered as check boxes
    flags_on: tuple[str, ...] = ()              # … and ticked at first
    descending: bool = False                    # newest first
    row_colour: Callable | None = None
    form_fields: list[str] | None = None


class LedgerTab(QWidget):
    also_shows: frozenset[str] = frozenset()   # tables beyond the ledger's that its screen shows

    def __init__(self, ctx: AppContext, spec: TabSpec, parent=None):
        super().__init__(parent)
        self.ctx, self.spec, self.ledger = ctx, spec, spec.ledger
        self.model = LedgerTableModel(ctx, spec.ledger, spec.columns, spec.row_colour)
        self.model.query.descending = spec.descending
        self.extra_filters: dict[str, Any] = {}

        self.search = QLineEdit()
        searched = [f.label for f in self.ledger.fields if f.kind == "ref" and f.ref in ("water_body", "person")]
        searched += [self.ledger.field(k).label for k in self.ledger.search if k in self.ledger.labels]
        self.search.setPlaceholderText("搜索（Ctrl+F）：" + "、".join(dict.fromkeys(searched)))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.setHidden(not searched)   # a list with nothing to search in (巡河频次规则) shows no box
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        filter_row = QHBoxLayout()
        filter_row.addWidget(self.search)
        self.filter_widgets: dict[str, Any] = {}
        for key in spec.filters:
            f = self.ledger.field(key)
            filter_row.addWidget(QLabel(f.label))
            if f.kind == "date":
                lo, hi = DateField(), DateField()
                lo.edit.setPlaceholderText("起")
                hi.edit.setPlaceholderText("止")
                lo.setFixedWidth(110)
                hi.setFixedWidth(110)
                for w in (lo, hi):
                    w.editingFinished.connect(self.apply_filters)
                filter_row.addWidget(lo)
                filter_row.addWidget(QLabel("至"))
                filter_row.addWidget(hi)
                self.filter_widgets[key] = (lo, hi)
            else:
                if f.kind == "ref":
                    w = RefPicker(ctx, f.ref, lazy=True)
                    w.setItemText(0, "")
                    w.lineEdit().setPlaceholderText("全部")
                    # Clearing the box back to 全部 drops the filter (typing does not change the
                    # chosen entry, so the index signal alone never said so).
                    w.editTextChanged.connect(lambda text, w=w: text.strip() or w.currentIndex() == 0
                                              or w.setCurrentIndex(0))
                else:
                    if f.kind == "choice":
                        values = ctx.read(choices, f.choices)
                    elif f.kind == "state":
                        values = [m.value for m in ProblemState]
                    else:
                        values = [m.value for m in f.enum] if f.kind == "enum" else []
                    w = ChoiceCombo(["全部"] + values, False)
                w.currentIndexChanged.connect(lambda _i: self.apply_filters())
                filter_row.addWidget(w)
                self.filter_widgets[key] = w
        self.flag_boxes: dict[str, QCheckBox] = {}
        for flag in spec.flags:
            box = QCheckBox(FLAG_TITLES[flag])
            box.setChecked(flag in spec.flags_on)
            box.toggled.connect(lambda _c: self.apply_filters())
            filter_row.addWidget(box)
            self.flag_boxes[flag] = box
        filter_row.addStretch(1)

        self.add_button = QPushButton("新增")
        self.edit_button = QPushButton("修改")
        self.delete_button = QPushButton("删除")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.action_row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            self.action_row.addWidget(b)
        if self.ledger.retire_field:
            retire_label = self.ledger.field(self.ledger.retire_field).label.removesuffix("日期")
            self.retire_button = QPushButton(retire_label if retire_label != "离任" else "结束任职")
            self.retire_button.clicked.connect(self.retire)
            self.action_row.addWidget(self.retire_button)
        self.history_button = QPushButton("留痕…")
        self.history_button.setToolTip("这条记录的新增、修改记录：何时、何人、改了什么")
        self.history_button.clicked.connect(self.show_history)
        self.action_row.addWidget(self.history_button)
        from hzdesk.services.attachments import OWNERS
        self.attachments_button = None
        if self.ledger.key in OWNERS and self.ledger.key != "problem":   # 问题台账 has its photo panel
            self.attachments_button = QPushButton("附件…")
            self.attachments_button.setToolTip("这条记录的照片、文件（会议纪要、河长令扫描件等）")
            self.attachments_button.clicked.connect(self.show_attachments)
            self.action_row.addWidget(self.attachments_button)
        self.action_row.addStretch(1)
        self.count_label = QLabel("")
        self.action_row.addWidget(self.count_label)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setTabKeyNavigation(False)   # Tab moves on to the next control, as in a form; arrows move in the table
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # No indicator before sorting is switched on, or Qt sorts by column 0 descending at once.
        self.view.horizontalHeader().setSortIndicator(
            -1, Qt.SortOrder.DescendingOrder if spec.descending else Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        opens_on_enter(self.view, lambda: self.edit())
        em = self.fontMetrics().horizontalAdvance("中")
        for i, f in enumerate(self.model.fields):
            self.view.setColumnWidth(i, max(em * f.width + 16, self.fontMetrics().horizontalAdvance(f.label) + 28))
        # The last column takes the width the others leave, as Explorer's and Excel's lists do:
        # 工作量 and 标题 were cut short beside a quarter of the window left blank.
        self.view.horizontalHeader().setStretchLastSection(True)
        QShortcut(QKeySequence.StandardKey.Copy, self.view, activated=self.copy_selection)
        self._remember_layout()
        key_columns = 0   # the leading columns the ledger marks as its keys stay in sight
        while key_columns < len(self.model.fields) and "key" in self.model.fields[key_columns].views.split():
            key_columns += 1
        if key_columns:
            from hzdesk.ui.frozen import FrozenColumns
            self.frozen = FrozenColumns(self.view, key_columns)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self.row_menu)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filter_row)
        layout.addLayout(self.action_row)
        layout.addWidget(self.splitter, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.on_selection())
        self.follower = ChangeFollower(self, ctx.bus, spec.ledger.tables | self.also_shows, self.refresh)
        # (after the view's own handling of a reset, which shows every new column)
        self.model.modelReset.connect(self._show_township_column)
        self.apply_filters()

    # ------------------------------------------------------------ side panel (subclasses)
    def set_side(self, widget: QWidget, width: int = 360) -> None:
        self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([900, width])

    def on_selection(self) -> None:
        pass

    # ------------------------------------------------------------ filtering
    def current_query(self) -> records.Query:
        filters: dict[str, Any] = dict(self.extra_filters)
        for key, w in self.filter_widgets.items():
            if isinstance(w, tuple):
                bounds = []
                for d in w:
                    try:
                        bounds.append(parse_date(d.value()) if d.value().strip() else None)
                        d.edit.setStyleSheet("")
                    except ParseError:
                        d.edit.setStyleSheet("background: #fbd5d5;")
                        bounds.append(None)
                if any(bounds):
                    filters[key] = tuple(bounds)
            elif isinstance(w, RefPicker):
                value = w.value()
                if isinstance(value, int):
                    filters[key] = value
            else:
                value = w.value()
                if value and value != "全部":
                    filters[key] = value
        flags = tuple(f for f, box in self.flag_boxes.items() if box.isChecked())
        return records.Query(search=self.search.text(), filters=filters, flags=flags,
                             order_by=self.model.query.order_by, descending=self.model.query.descending)

    def apply_filters(self) -> None:
        try:
            self.model.set_query(self.current_query())
        except HzdeskError as exc:
            show_error(self, "无法查询", exc)
        self.update_count()

    def refresh(self) -> None:
        keep = self.selected_id()
        self.model.reload()
        self.update_count()
        if keep is not None:
            self.select_id(keep)

    def _show_township_column(self) -> None:
        """The 乡镇 column shows in 全县 only: narrowed to one township, it would say one name on
        every row."""
        column = self.model.township_column()
        if column is not None:
            self.view.setColumnHidden(column, self.ctx.db.township is not None)

    def update_count(self) -> None:
        self.count_label.setText(f"共 {self.model.total} 条")
        self.on_selection()

    # ------------------------------------------------------------ selection
    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_id(rows[0].row()) if rows else None

    def select_id(self, record_id: int) -> bool:
        row = self.model.row_of_id(record_id)
        while row is None and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of_id(record_id)
            if len(self.model.rows) > 5000:
                break
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(index)
        return True

    def copy_selection(self) -> str:
        """Selected cells to the clipboard as tab-separated text (pastes into Excel and WPS). With
        everything selected (Ctrl+A), every matching row is copied — not only the rows loaded so
        far — under a header row, and the status bar says how many."""
        indexes = sorted(self.view.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return ""
        columns = sorted({i.column() for i in indexes})
        if len(indexes) == len(self.model.rows) * len(self.model.fields):   # Ctrl+A: the whole table
            query = self.current_query()
            query.order_by, query.descending = self.model.query.order_by, self.model.query.descending
            query.limit = None
            with busy(self, f"正在复制 {self.model.total} 条…"):
                rows = self.ctx.read(records.list_rows, self.ledger.key, query)
            lines = ["\t".join(self.model.fields[c].label for c in columns)]
            lines += ["\t".join(format_value(self.model.fields[c], r.get(self.model.fields[c].key), r) for c in columns)
                      for r in rows]
            note = f"已复制全部 {len(rows)} 条（含表头），可粘贴到 Excel/WPS"
        else:
            by_row: dict[int, list[str]] = {}
            for i in indexes:
                by_row.setdefault(i.row(), []).append(self.model.cell_text(i.row(), i.column()))
            lines = ["\t".join(r) for r in by_row.values()]
            note = f"已复制 {len(by_row)} 行"
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        self.status_note(note)
        return text

    # ------------------------------------------------------------ like a spreadsheet
    def _layout_key(self) -> str:
        return f"table/{self.ledger.key}/{','.join(f.key for f in self.model.fields)}"

    def _remember_layout(self) -> None:
        """Column widths, order, hidden columns and sort are kept per table, as Excel keeps them
        per sheet; the header's right-click menu shows and hides columns."""
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        self._default_layout = header.saveState()
        state = QSettings().value(self._layout_key())
        if isinstance(state, QByteArray):
            header.restoreState(state)
            header.setStretchLastSection(True)   # (a layout kept by an earlier version had it off)
        save = lambda *_: QSettings().setValue(self._layout_key(), header.saveState())  # noqa: E731
        for signal in (header.sectionResized, header.sectionMoved, header.sortIndicatorChanged):
            signal.connect(save)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.column_menu)

    def column_menu(self, pos=None) -> QMenu:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for i, f in enumerate(self.model.fields):
            act = menu.addAction(f.label)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(i))
            # Never the last visible column: a table with none is a dead end.
            act.toggled.connect(lambda on, i=i: (on or header.count() - header.hiddenSectionCount() > 1)
                                and header.setSectionHidden(i, not on))
        menu.addSeparator()
        menu.addAction("恢复默认列", lambda: (header.restoreState(self._default_layout),
                                              QSettings().remove(self._layout_key())))
        if pos is not None:
            menu.popup(header.mapToGlobal(pos))
        return menu

    def row_menu(self, pos=None) -> QMenu:
        menu = QMenu(self)
        menu.addAction("修改…", self.edit)
        menu.addAction("删除", self.delete)
        menu.addSeparator()
        menu.addAction("复制", self.copy_selection)
        menu.addAction("复制整表（全部符合条件的记录）", lambda: (self.view.selectAll(), self.copy_selection()))
        menu.addSeparator()
        menu.addAction("留痕…", self.show_history)
        if self.attachments_button is not None:
            menu.addAction("附件…", self.show_attachments)
        if pos is not None:
            menu.popup(self.view.viewport().mapToGlobal(pos))
        return menu

    def status_note(self, text: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 8000)

    # ------------------------------------------------------------ actions
    def add(self, preset: dict | None = None) -> int | None:
        dialog = RecordDialog(self.ctx, self.ledger, None, self, preset=preset, fields=self.spec.form_fields)
        if dialog.exec() and dialog.saved_id is not None:
            self.select_id(dialog.saved_id)
            return dialog.saved_id
        return None

    def edit(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        dialog = RecordDialog(self.ctx, self.ledger, record_id, self, fields=self.spec.form_fields)
        dialog.exec()

    def delete(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        # "巡河记录" already says 记录: never "巡河记录记录".
        what = self.ledger.title if self.ledger.title.endswith("记录") else f"{self.ledger.title}记录"
        if not common.confirm(self, "删除", f"确定删除选中的这条{what}吗？删除后可按 Ctrl+Z 撤销，留痕中也仍可查到。"):
            return
        try:
            self.ctx.write(records.delete, self.ledger.key, record_id)
        except HzdeskError as exc:
            show_error(self, "不能删除", exc)

    def show_history(self) -> list[str] | None:
        from PySide6.QtWidgets import QDialog, QListWidget

        from hzdesk.services.history import record_history
        record_id = self.selected_id()
        if record_id is None:
            return None
        lines = self.ctx.read(record_history, self.ledger.key, record_id) or ["（没有留痕：示例数据或导入前的记录）"]
        dialog = QDialog(self)
        dialog.setWindowTitle(f"{self.ledger.title}：留痕")
        box = QListWidget(dialog)
        box.addItems(lines)
        QVBoxLayout(dialog).addWidget(box)
        dialog.resize(760, 360)
        dialog.exec()
        return lines

    def show_attachments(self, modal: bool = True):
        """The selected record's files (添加, 打开); returns the dialog."""
        from hzdesk.ui.attachments_dialog import AttachmentsDialog

        record_id = self.selected_id()
        if record_id is None:
            return None
        row = next((r for r in self.model.rows if r.get("id") == record_id), {})
        key = self.ledger.view("table")[0] if self.ledger.view("table") else None
        label = f"{self.ledger.title} {format_value(self.ledger.field(key), row.get(key), row)}" if key else self.ledger.title
        dialog = AttachmentsDialog(self.ctx, self.ledger.key, record_id, label, self)
        if modal:
            dialog.exec()
        return dialog

    def retire(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            return
        f = self.ledger.field(self.ledger.retire_field)
        dialog = RecordDialog(self.ctx, self.ledger, record_id, self, fields=[f.key],
                              preset={f.key: clock.today()})
        dialog.setWindowTitle(f"{self.ledger.title}：填写{f.label}")
        dialog.exec()
