"""Opening a workbook someone sent: the file's safety checks (size, zip members, compression
ratio, XML entities), then its rows, sheet by sheet. Every import reads through here (the county
workbook, the 巡河规则 workbook), so a hostile file is refused the same way everywhere."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from itertools import chain
from pathlib import Path
from typing import Any

from hzdesk.collector import collector_resting
from hzdesk.errors import HzdeskError, os_reason
from hzdesk.reports.sheets import SHEET_BY_NAME
from hzdesk.reports.xlsx_reader import EXCEL_COLUMNS, TooWide, UnsafeXml, Workbook, tidy_cells

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200            # unpacked ÷ packed for one member; spreadsheets stay far below
MAX_MEMBERS = 2000
MAX_ROWS = 200_000
MAX_COLUMNS = 200


class ImportRefused(HzdeskError):
    """The file cannot be read at all (not a workbook, hostile, too large)."""



def check_container(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRefused(f"无法读取文件“{path}”：{os_reason(exc)}") from exc
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件太大（{size // 1024 // 1024} MB），超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # A password-protected .xlsx is also an OLE2 file: its directory names an EncryptionInfo stream.
        with open(path, "rb") as fh:
            encrypted = "EncryptionInfo".encode("utf-16-le") in fh.read(MAX_FILE_BYTES)
        if encrypted:
            raise ImportRefused("这个工作簿设置了打开密码，无法导入。请在 Excel 或 WPS 中打开它，取消密码"
                                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后保存，再导入。")
        raise ImportRefused("这是旧版 Excel（.xls）文件。请在 Excel 或 WPS 中打开，“另存为”.xlsx 格式后再导入。")
    if not head.startswith(b"PK\x03\x04"):
        raise ImportRefused("这不是 Excel（.xlsx）文件，无法导入。")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ImportRefused("文件内部结构异常（部件过多），已拒绝导入。")
            total = 0
            for info in infos:
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10_000_000:
                    raise ImportRefused("文件解压后异常膨胀（疑似“压缩炸弹”），已拒绝导入。")
            if total > MAX_UNPACKED_BYTES:
                raise ImportRefused("文件解压后过大，已拒绝导入。")
            if "xl/workbook.xml" not in z.namelist():
                raise ImportRefused("这不是 Excel 工作簿（缺少 workbook.xml），无法导入。")
    except zipfile.BadZipFile as exc:
        raise ImportRefused("文件已损坏，无法作为 .xlsx 读取。") from exc


def _unsafe_xml(exc: BaseException | None) -> bool:
    """defusedxml refused entity declarations somewhere down the chain (openpyxl wraps it)."""
    while exc is not None:
        if type(exc).__module__.startswith("defusedxml") or isinstance(exc, UnsafeXml):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


#: How many rows above the headers may hold a title ("2025年清溪镇巡河记录", 填报单位：…).
TITLE_ROWS = 5


def header_key(text: str) -> str:
    """A header as compared with the standard ones: brackets and letters in either width, no spaces,
    公里 for km and 平方公里 for km² — "长度（公里）" is 长度(km). A leading * (required) is dropped."""
    text = unicodedata.normalize("NFKC", text).lstrip("*")   # （ → (, ｋｍ → km, km² → km2
    return re.sub(r"\s+", "", text).lower().replace("平方公里", "km2").replace("公里", "km")


def _standard_headers(known: Any, name: str) -> dict[str, str]:
    """{header_key: standard header} of sheet `name`, when `known` describes its columns."""
    sheet = known.get(name) if isinstance(known, dict) else None
    return {header_key(c.header): c.header for c in getattr(sheet, "columns", ())}


def _header_row(rows, known: Any, name: str, notices: list[str]):
    """The row holding the column headers, and the rows read past it while looking: the first row
    that names two of the sheet's columns among its first rows (title rows above it are skipped,
    and said); else the first row, and the rows after it are data, every one of them."""
    headers = _standard_headers(known, name).keys()
    seen = []
    for row in rows:
        seen.append(row)
        names = {header_key(str(v)) for v in row[1] if v is not None}
        if not headers or len(names & headers) >= 2:
            if len(seen) > 1:
                notices.append(f"“{name}”表头在第 {row[0]} 行，上方的 {len(seen) - 1} 行标题已跳过。")
            return row, []
        if len(seen) > TITLE_ROWS:
            break
    # A sheet whose header names one known column (a 人员名录 of names only): the rows looked at
    # are its first data rows. They were once dropped, silently.
    return (seen[0], seen[1:]) if seen else (None, [])


#: A zip or XML error of any kind (Python's names for them mean nothing to a clerk).
UNREADABLE = ("工作簿的内容读不出来（文件不完整或已损坏），没有导入任何数据。"
              "请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入。")


def read_sheets(path: str | Path, known: Any = None) -> tuple[dict[str, tuple[list[str], list[tuple[int, list[Any]]]]], list[str]]:
    """{sheet name: (headers, [(row number, values)])} for the sheets we know (the county sheets,
    or the names in `known`); notices for the rest. Every safety check of an import applies."""
    known = SHEET_BY_NAME if known is None else known
    path = Path(path)
    check_container(path)
    try:
        wb = Workbook(path)
    except Exception as exc:  # zip and XML errors of many kinds; all mean "unreadable"
        if _unsafe_xml(exc):
            raise ImportRefused("文件中含有不安全的 XML 内容（实体定义），已拒绝导入。") from exc
        raise ImportRefused(UNREADABLE) from exc
    wanted = [(title, part) for title, part in wb.sheets if title.strip() in known]
    read: dict[str, tuple[tuple[list[str], list[tuple[int, list[Any]]]] | None, list[str]]] = {}
    # The rows read are all kept (they are what this returns) and hold no cycles: the collector
    # rests while they are made: it walked the growing rows again and again. The large export,
    # alternate runs: 2.25 → 2.08 s, 2.9 → 2.7 s of processor time over both threads.
    try:
        with collector_resting():
            wb.read_ahead(wanted)
            # Each sheet as soon as it is parsed (the large patrol sheet last, the others while
            # it is parsed); the result and its notices are put back in the workbook's order below.
            for title, part in wb.in_parsed_order(wanted):
                said: list[str] = []
                read[title] = (_read_sheet(wb, title, part, known, said), said)
    except ImportRefused:
        raise
    except TooWide as exc:
        raise ImportRefused(f"工作表第 {exc.args[0]} 行的单元格超过 Excel 的上限（{EXCEL_COLUMNS} 列），"
                            "文件异常，已拒绝导入。") from None
    except Exception as exc:
        if _unsafe_xml(exc):
            raise ImportRefused("文件中含有不安全的 XML 内容（实体定义），已拒绝导入。") from exc
        raise ImportRefused(UNREADABLE) from exc
    finally:
        wb.close()
    out: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]] = {}
    notices = []
    for title, _part in wb.sheets:
        name = title.strip()
        if title in read:
            sheet, said = read[title]
            notices += said
            if sheet is not None:
                if name in out:   # "巡河记录" and "巡河记录 ": one would silently stand for both
                    raise ImportRefused(f"工作簿中有两张表都叫“{name}”（名称前后的空格不算），没有导入任何数据。"
                                        "请把它们合并为一张后再导入。")
                out[name] = sheet
        elif name not in ("填写说明", "错误清单", "说明"):
            notices.append(f"工作表“{name}”不是标准台账表，已跳过。")
    return out, notices


def _read_sheet(wb: Workbook, title: str, part: str, known: Any, notices: list[str]):
    """(headers, [(row number, values)]) of one sheet we know, or None if it has no rows."""
    name = title.strip()
    fast = wb.fast_rows(title, part, MAX_COLUMNS + 1, tidy=True)
    share = {}.setdefault     # the streaming way tidies here, the fast way as it converts
    rows = fast if fast is not None else ((n, tidy_cells(v, share)) for n, v in wb.rows(part, MAX_COLUMNS + 1))
    first, looked_at = _header_row(rows, known, name, notices)
    if first is None:
        return None
    rows = chain(looked_at, rows)
    header_row = first[1]
    if len(header_row) > MAX_COLUMNS:
        raise ImportRefused(f"工作表“{name}”的列数过多，已拒绝导入。")
    standard = _standard_headers(known, name)
    headers = [str(h).strip().lstrip("*＊") if h is not None else "" for h in header_row]
    headers = [standard.get(header_key(h), h) for h in headers]   # as the clerk's template wrote them
    width = len(headers)
    data = []
    # Rows come tidied (tidy_cells): one object per distinct text or date — 100,000
    # patrols repeat a few thousand names, codes, phrases and days, and their rows held
    # 250 MB until the import ended.
    unheaded: dict[int, int] = {}   # column → its filled cells, where no header names the column
    for number, values in rows:
        if number > MAX_ROWS + 1:
            raise ImportRefused(f"工作表“{name}”超过 {MAX_ROWS} 行，已拒绝导入；请分批导入。")
        if len(values) > width:
            for i in range(width, len(values)):
                if values[i] is not None:
                    unheaded[i] = unheaded.get(i, 0) + 1
            del values[width:]
        if values and values[-1] is not None or any(v is not None for v in values):
            data.append((number, values + [None] * (width - len(values)) if len(values) < width else values))
    for i in (i for i, h in enumerate(headers) if not h):
        filled = sum(values[i] is not None for _n, values in data)
        if filled:
            unheaded[i] = filled
    if unheaded:   # not imported, and said so: a note typed beside the table is no column of it
        from hzdesk.reports.xlsx import column_letter
        notices.append(f"“{name}”第 {'、'.join(column_letter(i + 1) for i in sorted(unheaded))} 列没有列名，"
                       f"其中 {sum(unheaded.values())} 个单元格的内容没有导入。")
    return headers, data


# ---------------------------------------------------------------- resolving references
