"""The error workbook of a failed import: the whole submitted workbook again, each bad cell
marked, so that the clerk corrects it in place and imports it again (#14 point 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hzdesk.reports.excel_import import ImportResult
    from hzdesk.errors import SheetIssue as Issue


def write_error_workbook(path: str | Path, result: ImportResult) -> None:
    """The whole submitted workbook again, each bad cell pale red and a 错误说明 column on every
    row that has one, after a 错误清单 of every problem: correct it in place and import it again
    (the import skips 错误清单 and the 错误说明 column). Written in one pass, streaming, to a
    temporary file renamed at the end; every value is written as what it is (no formulas)."""
    from hzdesk.files import atomic_output
    from hzdesk.reports.xlsx import XlsxWriter

    by_sheet: dict[str, dict[int, list[Issue]]] = {}
    for issue in result.issues:
        by_sheet.setdefault(issue.sheet, {}).setdefault(issue.row, []).append(issue)
    # Rows are written one under another (blank and title rows of the original left out): the
    # 错误清单 gives the row numbers of this workbook, where the clerk will correct them.
    moved = {(name, number): i for name, (_h, rows) in result.rows.items()
             for i, (number, _v) in enumerate(rows, start=2)}
    with atomic_output(path) as tmp, XlsxWriter(tmp) as book:
        ws = book.sheet("错误清单", ["工作表", "行号", "列", "值", "原因"], [12, 8, 14, 24, 60])
        for issue in result.issues:
            ws.append([issue.sheet, moved.get((issue.sheet, issue.row), issue.row), issue.column,
                       _as_written(issue.value), issue.reason])
        for name, (headers, rows) in result.rows.items():
            row_issues = by_sheet.get(name, {})
            index = {h: i for i, h in enumerate(headers) if h}
            out = book.sheet(name, [*headers, "错误说明"], [max(8.0, min(40.0, len(h) * 2.2)) for h in headers] + [50])
            for number, values in rows:
                found = row_issues.get(number, [])
                marked = {index[c] for i in found for c in str(i.column).split("、") if c in index}
                out.append([_as_written(v) for v in values] + [""] * (len(headers) - len(values))
                           + ["；".join(f"{i.column}：{i.reason}" for i in found)], marked=marked)


def _as_written(value: Any) -> Any:
    """A cell as the clerk typed it: a date read with a midnight time is a date again."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value
