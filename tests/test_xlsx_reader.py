"""The import reader gives the values openpyxl gives, on files written by others too."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from hzdesk.reports.xlsx import XlsxWriter
from hzdesk.reports.xlsx_reader import UnsafeXml, Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade(path, sheet_xml: str, *, date1904: bool = False, strings: str = "", shared_xml: str = "") -> None:
    """A workbook as other programs write it: rich text, inline strings, rows without `r`."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types xmlns='http://schemas.openxmlformats.org/package/2006/"
                   "content-types'/>")
        z.writestr("xl/workbook.xml", f"<workbook xmlns='{MAIN}' xmlns:r='{REL}'>"
                   + ("<workbookPr date1904='1'/>" if date1904 else "")
                   + "<sheets><sheet name='巡河记录' sheetId='1' r:id='rId1'/></sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", "<Relationships xmlns='http://schemas.openxmlformats.org/"
                   "package/2006/relationships'><Relationship Id='rId1' Type='x' "
                   "Target='/xl/worksheets/sheet1.xml'/></Relationships>")
        z.writestr("xl/styles.xml", f"<styleSheet xmlns='{MAIN}'><numFmts count='1'><numFmt numFmtId='170' "
                   "formatCode='yyyy\"年\"m\"月\"d\"日\"'/></numFmts><cellXfs count='4'><xf numFmtId='0'/>"
                   "<xf numFmtId='170'/><xf numFmtId='20'/><xf numFmtId='2'/></cellXfs></styleSheet>")
        z.writestr("xl/sharedStrings.xml", shared_xml or f"<sst xmlns='{MAIN}'>{strings}</sst>")
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet xmlns='{MAIN}'><sheetData>{sheet_xml}"
                   "</sheetData></worksheet>")


def test_values_from_a_handmade_workbook(tmp_path):
    path = tmp_path / "h.xlsx"
    handmade(path, strings="<si><t>巡河日期</t></si><si><r><t>清溪</t></r><r><rPr/><t>河</t></r>"
             "<rPh><t>qing</t></rPh></si>",
             sheet_xml="<row><c t='s'><v>0</v></c><c t='inlineStr'><is><t>内联</t></is></c></row>"
                       "<row r='3'><c r='A3' s='1'><v>45721</v></c><c r='B3' t='s'><v>1</v></c>"
                       "<c r='D3' s='2'><v>0.375</v></c><c r='E3' t='b'><v>1</v></c>"
                       "<c r='F3' t='str'><f>A1&amp;B1</f><v>算出来的</v></c><c r='G3' s='3'><v>2.50</v></c>"
                       "<c r='H3'><v>13900139000</v></c></row>")
    wb = Workbook(path)
    assert [t for t, _ in wb.sheets] == ["巡河记录"]
    rows = list(wb.rows(wb.sheets[0][1], 50))
    assert rows[0] == (1, ["巡河日期", "内联"])
    number, values = rows[1]
    assert number == 3                      # the sheet's own row number, for messages
    assert values == [dt.datetime(2025, 3, 5), "清溪河", None, dt.time(9, 0), True, "算出来的", 2.5, 13900139000]
    assert list(wb.rows(wb.sheets[0][1], 2))[1][1] == [dt.datetime(2025, 3, 5), "清溪河"]  # columns capped


def test_1904_workbooks_count_days_from_1904(tmp_path):
    path = tmp_path / "mac.xlsx"
    handmade(path, date1904=True, sheet_xml="<row><c s='1'><v>1</v></c></row>")
    wb = Workbook(path)
    assert list(wb.rows(wb.sheets[0][1], 5)) == [(1, [dt.datetime(1904, 1, 2)])]


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    handmade(path, sheet_xml="<row><c t='s'><v>0</v></c></row>",
             shared_xml=f"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><sst xmlns='{MAIN}'><si><t>&a;</t>"
                        "</si></sst>")
    with pytest.raises(UnsafeXml):
        Workbook(path)
    # …in a sheet too, and behind a comment; the small parts are refused by defusedxml
    handmade(path, sheet_xml="")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (b"<?xml version='1.0'?><!-- x --><!DOCTYPE w [<!ENTITY a 'b'>]>"
                                         + f"<worksheet xmlns='{MAIN}'><sheetData/></worksheet>".encode())
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(UnsafeXml):  # every part is checked when the file is opened, before any fast reader
        Workbook(path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_dtd_in_utf16_without_a_bom_is_refused(tmp_path, encoding):
    """#15 point 14: UTF-16 without BOM slipped past the prolog check and an internal entity was
    expanded into a water body's name."""
    path = tmp_path / "u16.xlsx"
    handmade(path, sheet_xml="<row><c t='s'><v>0</v></c></row>")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/sharedStrings.xml"] = (f"<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]>"
                                     f"<sst xmlns='{MAIN}'><si><t>&a;</t></si></sst>").encode(encoding)
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(UnsafeXml):
        list(Workbook(path).rows(Workbook(path).sheets[0][1], 5))


def test_a_password_protected_workbook_is_named_so(tmp_path):
    from hzdesk.reports.workbook_file import ImportRefused, check_container

    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
    (tmp_path / "locked.xlsx").write_bytes(ole)
    with pytest.raises(ImportRefused, match="设置了打开密码"):
        check_container(tmp_path / "locked.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(ImportRefused, match="旧版 Excel"):
        check_container(tmp_path / "old.xls")


def test_same_values_as_openpyxl_on_openpyxl_and_our_own_files(tmp_path):
    theirs = tmp_path / "openpyxl.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名录"
    ws.append(["姓名", "电话", "日期", "时间", "数", "是否"])
    ws.append(["张三", 13900139000, dt.date(2025, 3, 5), dt.time(8, 30), 1.5, False])
    ws.append([None, None, None, None, None, None])
    ws.append(["李四", "0731-5551234", dt.datetime(2024, 12, 31, 23, 59), None, -3, True])
    wb.save(theirs)
    ours = tmp_path / "ours.xlsx"
    with XlsxWriter(ours) as book:
        sheet = book.sheet("人员名录", ["姓名", "日期"], [8, 12])
        sheet.append(["王五", dt.date(2025, 1, 2)])
        sheet.append(["=1+1", None])
    for path in (theirs, ours):
        expected = []
        for i, r in enumerate(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True), 1):
            r = list(r)
            while r and r[-1] is None:
                r.pop()
            if r:
                expected.append((i, r))
        got = Workbook(path)
        title, part = got.sheets[0]
        assert [(n, v) for n, v in got.rows(part, 50)] == expected
        assert list(got.fast_rows(title, part, 50)) == expected   # the Rust reader gives the same values


def test_a_sheet_whose_cells_start_away_from_a1_keeps_its_row_numbers_and_columns(tmp_path):
    """calamine hands rows over from the sheet's first row but from its first cell's column: the
    fast reader puts the columns before it back, so a value is where the streaming reader and
    openpyxl put it, and an error message names the row the clerk sees in Excel."""
    path = tmp_path / "away.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名录"
    ws["C3"], ws["D3"] = "姓名", "电话"
    ws["C4"], ws["E6"] = "张三", 13900139000
    ws["D7"] = "  李四 "
    wb.save(path)
    expected = [(3, [None, None, "姓名", "电话"]), (4, [None, None, "张三"]),
                (6, [None, None, None, None, 13900139000]), (7, [None, None, None, "  李四 "])]
    got = Workbook(path)
    title, part = got.sheets[0]
    assert list(got.rows(part, 50)) == expected
    assert list(got.fast_rows(title, part, 50)) == expected
    assert list(got.fast_rows(title, part, 4, tidy=True)) == [
        (3, [None, None, "姓名", "电话"]), (4, [None, None, "张三"]), (7, [None, None, None, "李四"])]

def whole_package(path, sheet_xml: str) -> None:
    """A workbook with every part and content type a strict reader (calamine) asks for."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
                   f"<Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>"
                   "<Default Extension='xml' ContentType='application/xml'/>"
                   f"<Override PartName='/xl/workbook.xml' ContentType='{main}.sheet.main+xml'/>"
                   f"<Override PartName='/xl/worksheets/sheet1.xml' ContentType='{main}.worksheet+xml'/></Types>")
        z.writestr("_rels/.rels", f"<Relationships xmlns='{rels}'><Relationship Id='rId1' Type='{REL}/officeDocument' "
                   "Target='xl/workbook.xml'/></Relationships>")
        z.writestr("xl/workbook.xml", f"<workbook xmlns='{MAIN}' xmlns:r='{REL}'><sheets>"
                   "<sheet name='巡河记录' sheetId='1' r:id='rId1'/></sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f"<Relationships xmlns='{rels}'><Relationship Id='rId1' "
                   f"Type='{REL}/worksheet' Target='worksheets/sheet1.xml'/></Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)


FAR_CORNER = {   # A1 and XFD1048576, as Excel writes cells and as other writers may
    "as Excel": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                f'</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    "prefixed": f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is>'
                f'<x:t>x</x:t></x:is></x:c></x:row><x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c>'
                f'</x:row></x:sheetData></x:worksheet>',
    "line break": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                  f'</row><row r="1048576"><c\nr="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
}


@pytest.mark.parametrize("written", FAR_CORNER)
def test_far_corner_cells_are_read_the_streaming_way_not_the_dense_one(tmp_path, written):
    """#19 point 3: calamine builds a dense grid; A1 + XFD1048576 made it ask for 512 GB and
    abort the process — also when the cells were written <x:c …> (a namespace prefix). Such a
    sheet goes to the streaming reader, which says the row is too wide or drops the far cell."""
    import subprocess
    import sys

    near = tmp_path / "near.xlsx"          # the same package without the far cell reaches calamine
    whole_package(near, FAR_CORNER["as Excel"].split('<row r="1048576">')[0] + "</sheetData></worksheet>")
    wb = Workbook(near)
    assert list(wb.fast_rows(*wb.sheets[0], 50)) == [(1, ["x"])]
    path = tmp_path / "corner.xlsx"
    whole_package(path, FAR_CORNER[written])
    # In a process of its own: a sheet that reached calamine would end the process, not fail a test.
    code = f"""
from hzdesk.reports.workbook_file import ImportRefused, read_sheets
from hzdesk.reports.xlsx_reader import Workbook
wb = Workbook({str(path)!r})
print("fast" if wb.fast_rows(*wb.sheets[0], 50) is not None else "streaming")
try:
    read_sheets({str(path)!r})
    print("read")
except ImportRefused as exc:
    print(exc)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-500:]
    said = run.stdout.split()
    assert said[0] == "streaming" and said[1:]     # then refused or read, in Chinese, without dying


def test_the_fast_and_streaming_readers_agree_on_a_whole_export(tmp_path):
    from hzdesk.db.engine import open_database
    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.reports.excel_export import write_workbook

    db = open_database(tmp_path / "source.db")
    load_demo(db, DemoOptions(scale="small", seed=5, until=dt.date(2025, 6, 30)))
    path = tmp_path / "county.xlsx"
    with db.session() as s:
        write_workbook(path, s)
    db.close()
    wb = Workbook(path)
    for title, part in wb.sheets:
        fast = wb.fast_rows(title, part, 60)
        assert fast is not None, title
        assert list(fast) == list(wb.rows(part, 60)), title


def test_a_row_of_millions_of_cells_is_refused_quickly_and_small(tmp_path):
    """#15 point 6: one row of 20,000,000 cells was read to its end before "列数过多" (181 s,
    4.5 GB). A row is refused at Excel's limit of 16,384 cells, as it is read."""
    import subprocess
    import sys

    path = tmp_path / "wide.xlsx"
    handmade(path, sheet_xml="<row><c/></row>")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (f"<worksheet xmlns='{MAIN}'><sheetData><row r='1'>".encode()
                                         + b"<c/>" * 2_400_000 + b"</row></sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    code = f"""
import resource, time, json
from hzdesk.reports.workbook_file import ImportRefused, read_sheets
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    read_sheets({str(path)!r})
    said = None
except ImportRefused as exc:
    said = str(exc)
print(json.dumps({{"s": time.perf_counter() - t, "mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024,
                   "said": said}}))
"""
    import json
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                    timeout=120).stdout)
    assert out["said"] and "超过 Excel 的上限" in out["said"]
    assert out["s"] < 5 and out["mb"] < 300, out


CELL_TAGS = [
    ('<c r="A1" t="s">', False), ('<c r="AZ199999">', False), ('<c r="Z1">', False),
    ("<cols><col min='1'/>", False), ("<cfRule type='x'>", False), ("</c><c r=\"B2\">", False),
    ("<c>", True), ("<c/>", True), ('<c s="1" r="A1">', True), ("<c r='A1'>", True),
    ('<c  r="A1">', True), ('<c\tr="A1">', True), ('<c\nr="A1">', True),
    ('<c r="BA1">', True), ('<c r="XFD1">', True), ('<c r="A200000">', True), ('<c r="A1048576">', True),
    ('<c r="AB2000000">', True), ('<c r="A100000">', False), ('<c r="AZ012345">', False),
    ('<c r="A1000000">', True), ('<c r="A1" s="2"/>', False), ('<c r="">', True), ('<c r="a1">', True),
    ('<c r="A1x">', True), ('<c\r\nr="A1">', True),
]


@pytest.mark.parametrize("cell, unlike", CELL_TAGS)
def test_what_keeps_a_sheet_from_calamine(cell, unlike):
    """#19 point 3: one pattern finds every cell tag not written as Excel writes it, or too far."""
    from hzdesk.reports.xlsx_reader import _UNLIKE_EXCEL
    assert bool(_UNLIKE_EXCEL.search(f'<row r="1">{cell}<v>1</v></c></row>'.encode())) is unlike


@pytest.mark.parametrize("cell, unlike", CELL_TAGS + [('<x:c r="A1">', True)])
def test_a_sheet_searched_piece_by_piece_is_judged_as_whole_wherever_it_is_cut(cell, unlike):
    """The sheet is searched a piece at a time as it is unzipped: a piece ending inside a tag
    (`<c ` before its `r="`) must not make an ordinary sheet look unlike Excel, and a tag cut in
    two must still be seen. Every cut of a sheet with the tag among ordinary rows, or in its last
    row, is tried."""
    import io

    from hzdesk.reports.xlsx_reader import _unlike_excel
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n}</v></c><c r="B{n}"><v>1.5</v></c></row>'
                   for n in range(1, 9))
    among = f'<sheetData>{rows}<row r="9">{cell}<v>1</v></c></row>{rows}</sheetData>'
    last = f'<sheetData>{rows}<row r="9">{cell}<v>1</v></c></row></sheetData>'
    for sheet in (among, last):
        for size in range(1, 100):
            assert _unlike_excel(io.BytesIO(sheet.encode()), chunk=size) is unlike, (sheet, size)


@pytest.fixture(scope="module")
def county_export(tmp_path_factory):
    """The small demo's county workbook, with a title row above one sheet's headers and a sheet
    of the office's own after the first: what read_sheets reports in the workbook's order."""
    from hzdesk.db.engine import open_database
    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.reports.excel_export import write_workbook

    folder = tmp_path_factory.mktemp("export")
    db = open_database(folder / "source.db")
    load_demo(db, DemoOptions(scale="small", seed=5, until=dt.date(2025, 6, 30)))
    with db.session() as s:
        write_workbook(folder / "county.xlsx", s)
    db.close()
    book = openpyxl.load_workbook(folder / "county.xlsx")
    book.create_sheet("备忘", 1).append(["随手记"])
    book["巡河记录"].insert_rows(1)
    book["巡河记录"]["A1"] = "2025年巡河记录"
    book.save(folder / "county.xlsx")
    return folder / "county.xlsx"


def test_sheets_read_ahead_give_what_one_by_one_gives_in_the_workbooks_order(county_export, monkeypatch):
    """#19 point 3: the sheets are parsed on background threads, the largest first, and taken as
    they are parsed; the rows, the sheets' order and the notices' order are the workbook's."""
    import threading

    from hzdesk.reports.workbook_file import read_sheets

    taken = []
    fast_rows = Workbook.fast_rows

    def noted(self, title, *args, **kw):
        taken.append((title, title in self._ahead))
        return fast_rows(self, title, *args, **kw)

    monkeypatch.setattr(Workbook, "fast_rows", noted)
    ahead, ahead_notices = read_sheets(county_export)
    assert all(was_ahead for _title, was_ahead in taken)
    in_book = [title for title, _part in Workbook(county_export).sheets]
    assert [t for t, _ in taken] != [t for t in in_book if t in ahead]   # parsed out of the book's order …
    assert list(ahead) == [t for t in in_book if t in ahead]             # … and handed back in it
    assert not [t for t in threading.enumerate() if t.name.startswith("xlsx")]
    monkeypatch.setattr(Workbook, "read_ahead", lambda self, sheets: None)
    one_by_one, notices = read_sheets(county_export)
    assert list(ahead) == list(one_by_one) and ahead == one_by_one
    assert ahead_notices == notices
    assert notices[0].startswith("工作表“备忘”") and "巡河记录”表头在第 2 行" in notices[1]


def test_a_refusal_while_sheets_are_read_ahead_stops_them(county_export, monkeypatch):
    """A sheet refused while others are still being parsed: the refusal comes, the background
    parses end, the file is let go (no thread of it left)."""
    import threading

    from hzdesk.reports import workbook_file

    monkeypatch.setattr(workbook_file, "MAX_ROWS", 50)
    with pytest.raises(workbook_file.ImportRefused, match="超过 50 行"):
        workbook_file.read_sheets(county_export)
    assert not [t for t in threading.enumerate() if t.name.startswith("xlsx")]


def test_the_collector_rests_while_rows_are_read_and_is_left_as_found(county_export, monkeypatch):
    """The rows read are kept and hold no cycles: the collector rests while they are made (it
    walked them again and again), and collects again afterwards —
    after a refusal too; a caller that had paused it finds it still paused."""
    import gc

    from hzdesk.reports import workbook_file

    during = []
    read_sheet = workbook_file._read_sheet
    monkeypatch.setattr(workbook_file, "_read_sheet",
                        lambda *a: (during.append(gc.isenabled()), read_sheet(*a))[1])
    assert gc.isenabled()
    sheets, _ = workbook_file.read_sheets(county_export)
    assert sheets and during and not any(during) and gc.isenabled()
    monkeypatch.setattr(workbook_file, "MAX_ROWS", 50)
    with pytest.raises(workbook_file.ImportRefused, match="超过 50 行"):
        workbook_file.read_sheets(county_export)
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(workbook_file.ImportRefused):
            workbook_file.read_sheets(county_export)
        assert not gc.isenabled()
    finally:
        gc.enable()
