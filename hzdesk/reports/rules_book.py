"""The 巡河规则 workbook a county hands its townships: one sheet, the rule set's rows with their
生效日期 and 停止日期. Written through the same guarded writer as every workbook, read through
the same safety checks as every import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hzdesk.errors import HzdeskError, os_reason
from hzdesk.fields import FREQUENCY_RULE
from hzdesk.files import atomic_output
from hzdesk.reports.excel_export import cell_value
from hzdesk.reports.xlsx import XlsxWriter
from hzdesk.services import rule_sets

SHEET = "巡河规则"
HEADERS = [FREQUENCY_RULE.field(k).header for k in rule_sets.KEYS]


def write_rules(path: str | os.PathLike, session: Session) -> int:
    rows = rule_sets.rows_of(session)
    path = Path(path)
    try:
        with atomic_output(path) as tmp, XlsxWriter(tmp) as book:
            ws = book.sheet(SHEET, HEADERS, [max(len(h) * 2 + 4, 10) for h in HEADERS])
            for row in rows:
                ws.append([cell_value(row[k]) if row[k] is not None else None for k in rule_sets.KEYS])
    except OSError as exc:
        raise HzdeskError(f"无法写入“{path}”：{os_reason(exc)}") from exc
    return len(rows)


def read_rules(path: str | os.PathLike) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {field key: raw value}) of the 巡河规则 sheet; a clear refusal if it has none
    or lacks a column."""
    from hzdesk.reports.excel_import import ImportRefused, read_sheets

    sheets, _notices = read_sheets(path, known={SHEET})
    if SHEET not in sheets:
        raise ImportRefused(f"工作簿中没有“{SHEET}”工作表。")
    headers, data = sheets[SHEET]
    key_of = {h: k for h, k in zip(HEADERS, rule_sets.KEYS)}
    missing = [h for h in HEADERS if h not in headers and FREQUENCY_RULE.field(key_of[h]).required]
    if missing:
        raise ImportRefused(f"“{SHEET}”缺少必需的列：{'、'.join(missing)}")
    columns = [(i, key_of[h]) for i, h in enumerate(headers) if h in key_of]
    return [(number, {k: values[i] for i, k in columns}) for number, values in data]
