"""Key columns that stay put while the table scrolls sideways (问题编号 stays in sight while 整改时限
and 销号日期 are read), as Excel's 冻结窗格 does.

Qt's own recipe (the "Frozen Column" example): a second table view over the left edge of the
first, sharing its model and selection, showing only the key columns, scrolling up and down with
it. The main view underneath still has every column, so copying, sorting and keyboard moves are
unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


class FrozenColumns(QObject):
    def __init__(self, view: QTableView, count: int):
        super().__init__(view)
        self.view, self.count = view, count
        f = self.frozen = QTableView(view)
        f.setObjectName("frozen_columns")
        f.setModel(view.model())
        f.setSelectionModel(view.selectionModel())
        f.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        f.verticalHeader().hide()
        f.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        f.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollMode(view.verticalScrollMode())
        f.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        f.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        f.setAlternatingRowColors(view.alternatingRowColors())
        f.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize())
        f.setStyleSheet("QTableView#frozen_columns { border: none; border-right: 1px solid palette(mid); }")
        view.viewport().stackUnder(f)
        f.doubleClicked.connect(view.doubleClicked)
        f.horizontalHeader().sectionClicked.connect(self._sort)
        view.horizontalHeader().sectionResized.connect(self._resized)
        view.verticalScrollBar().valueChanged.connect(f.verticalScrollBar().setValue)
        f.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        view.model().modelReset.connect(self._columns)
        # The viewport changes size without the view when a scroll bar comes or goes, and the row
        # numbers widen as rows load: follow both.
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        view.verticalHeader().geometriesChanged.connect(self._place)
        view.verticalHeader().sectionCountChanged.connect(self._place)
        self._columns()
        f.show()

    def _columns(self) -> None:
        header = self.view.horizontalHeader()
        for col in range(self.view.model().columnCount()):
            self.frozen.setColumnHidden(col, col >= self.count)
            if col < self.count:
                self.frozen.setColumnWidth(col, header.sectionSize(col))
        self._place()

    def _resized(self, col: int, _old: int, new: int) -> None:
        if col < self.count:
            self.frozen.setColumnWidth(col, new)
            self._place()

    def _sort(self, col: int) -> None:
        header = self.view.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if (header.sortIndicatorSection() == col and
                                                 header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder) \
            else Qt.SortOrder.AscendingOrder
        self.view.sortByColumn(col, order)

    def _place(self) -> None:
        v = self.view
        width = sum(v.columnWidth(c) for c in range(self.count) if not v.isColumnHidden(c))
        self.frozen.setHidden(width == 0)
        # Down to the last row, not past it: the frame's edge that parts the key columns from the
        # rest ran on down to the bottom of a short table.
        rows = v.verticalHeader().length() - v.verticalHeader().offset()
        self.frozen.setGeometry(v.verticalHeader().width() + v.frameWidth(), v.frameWidth(),
                                width, min(v.viewport().height(), rows + 1) + v.horizontalHeader().height())

    def eventFilter(self, obj, event) -> bool:
        if obj in (self.view, self.view.viewport()) and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._place()
        return False
