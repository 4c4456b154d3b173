"""A table model over one ledger: COUNT plus pages of rows, fetched as the view scrolls.

Never loads the whole ledger: 100,000 patrol records open as fast as 100.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from hzdesk import clock
from hzdesk.fields import TOWNSHIP, Field, Ledger, format_value, has_township
from hzdesk.services import records
from hzdesk.ui.common import AppContext

PAGE = 100  # about four screens of rows; the next page comes as the view scrolls
NUMERIC = ("int", "float")


class LedgerTableModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext, ledger: Ledger, columns: list[str] | None = None,
                 row_colour: Callable[[dict], QColor | None] | None = None):
        super().__init__()
        self.ctx = ctx
        self.ledger = ledger
        self._own_fields: list[Field] = [ledger.field(k) for k in (columns or ledger.view("table"))]
        self.fields = self._fields_now()
        self.query = records.Query(limit=PAGE)
        self.rows: list[dict] = []
        self.total = 0
        self.row_colour = row_colour

    # ------------------------------------------------------------ loading
    def set_query(self, query: records.Query) -> None:
        query.limit = PAGE
        query.offset = 0
        self.query = query
        self.reload()

    def _fields_now(self) -> list[Field]:
        """The ledger's columns; on the county's database, a 乡镇 column after the key columns
        (shown in 全县, hidden while the view is narrowed to one township: LedgerTab). Asked at
        each reload: a township's database becomes the county's when a second township is added."""
        fields = list(self._own_fields)
        if has_township(self.ledger) and self.ctx.db.is_county:
            at = next((i for i, f in enumerate(fields) if "key" not in f.views.split()), len(fields))
            fields.insert(at, TOWNSHIP)
        return fields

    def reload(self) -> None:
        self.beginResetModel()
        self.fields = self._fields_now()
        q = self.query
        q.offset = 0
        self.total, self.rows = self.ctx.read(
            lambda s: (records.count_rows(s, self.ledger.key, q), records.list_rows(s, self.ledger.key, q)))
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:
        q = self.query
        q.offset = len(self.rows)
        more = self.ctx.read(lambda s: records.list_rows(s, self.ledger.key, q))
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.fields[section].label
        return str(section + 1)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        f = self.fields[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = format_value(f, row.get(f.key), row)
            return text if len(text) <= 60 else text[:58] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            text = format_value(f, row.get(f.key), row)
            return text if len(text) > 20 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and f.kind in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.row_colour is not None:
            colour = self.row_colour(row)
            return QBrush(colour) if colour is not None else None
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:  # no column chosen (Qt asks this when sorting is switched on): keep the default
            return
        f = self.fields[column]
        if f.kind == "json":
            return
        self.query.order_by = f.key
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        # Sorting 100,000 rows (Chinese by pinyin) takes a quarter of a second: show it is working.
        from PySide6.QtWidgets import QApplication
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.reload()
        finally:
            QApplication.restoreOverrideCursor()

    # ------------------------------------------------------------ helpers for the view
    def township_column(self) -> int | None:
        """The 乡镇 column, if this table has one (the county's database)."""
        return self.fields.index(TOWNSHIP) if TOWNSHIP in self.fields else None

    def row_id(self, row: int) -> int:
        return self.rows[row]["id"]

    def row_of_id(self, record_id: int) -> int | None:
        for i, r in enumerate(self.rows):
            if r["id"] == record_id:
                return i
        return None

    def cell_text(self, row: int, column: int) -> str:
        f = self.fields[column]
        return format_value(f, self.rows[row].get(f.key), self.rows[row])


def overdue_colour(today: dt.date | None = None) -> Callable[[dict], QColor | None]:
    """Light red for problems past their deadline that are still waiting or being fixed."""
    from hzdesk.services.rules import is_overdue

    def colour(row: dict) -> QColor | None:
        if is_overdue(row.get("state"), row.get("deadline"), today or clock.today()):
            return QColor("#fbd5d5")
        return None
    return colour
