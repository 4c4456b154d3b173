"""The streaming .xlsx writer: what it writes reads back exactly, in openpyxl's strict reader."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from hzdesk.reports.xlsx import XlsxWriter, column_letter


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_values_read_back_with_their_types(tmp_path):
    path = tmp_path / "t.xlsx"
    with XlsxWriter(path) as book:
        ws = book.sheet("巡河记录", ["日期", "文本", "数", "是否"], [12, 20, 8, 6])
        ws.append([dt.date(2025, 3, 5), "=SUM(A1:A9)", 3, True])
        ws.append([dt.datetime(2025, 3, 5, 8, 30), "  前后有空格 ", 1.25, False])
        ws.append([None, "a<b & c>\"d\"", -7, None])
        ws.append(["", "铁\x00路\x1f河Ⅴ类℃", 0, None])
        book.sheet("第二张", ["编码"], [10]).append(["+86 139"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["巡河记录", "第二张"]
    rows = list(wb["巡河记录"].iter_rows(values_only=True))
    assert rows[0] == ("日期", "文本", "数", "是否")
    assert rows[1] == (dt.datetime(2025, 3, 5), "=SUM(A1:A9)", 3, "是")   # text, never a formula
    assert rows[2] == (dt.datetime(2025, 3, 5, 8, 30), "  前后有空格 ", 1.25, "否")
    assert rows[3] == (None, "a<b & c>\"d\"", -7, None)
    assert rows[4] == (None, "铁路河Ⅴ类℃", 0, None)                      # control characters dropped
    ws = wb["巡河记录"]
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["A3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A1"].font.b and ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 20
    assert wb["第二张"]["A2"].value == "+86 139" and wb["第二张"]["A2"].data_type == "s"


def test_no_cell_is_a_formula(tmp_path):
    path = tmp_path / "t.xlsx"
    with XlsxWriter(path) as book:
        book.sheet("表", ["甲"], [8]).append(["=HYPERLINK(\"http://x\")"])
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_a_failure_midway_closes_the_file(tmp_path):
    path = tmp_path / "t.xlsx"
    with pytest.raises(RuntimeError):
        with XlsxWriter(path) as book:
            book.sheet("表", ["甲"], [8]).append(["一"])
            raise RuntimeError("取消")
    assert path.exists()  # closed, not leaked; the caller's atomic_output throws it away
