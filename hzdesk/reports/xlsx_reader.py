"""Reading the cells of an .xlsx quickly and safely, for imports.

openpyxl's read-only mode builds a cell object per value (~20 µs): 1.9 s for a 10,000-row
workbook, half of a whole import. This reads each sheet's XML as a stream and keeps only values,
with the same meaning openpyxl gives them: shared and inline strings, numbers (int when whole),
booleans, cached results of formulas, and numbers in a date or time format as datetime / time
(openpyxl's own date-format test and serial conversion are reused, 1904 workbooks included).

No part may declare a DTD or entities (the "billion laughs"): the small parts go through
defusedxml, the big ones (sheets, shared strings) through the C parser after their prolog is
checked. The caller has already checked the zip container's sizes.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from typing import Any, BinaryIO, Callable, Iterator

from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Strict OOXML (Excel's "Strict Open XML" save option) uses other namespaces for the same parts.
STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(ref: str) -> int:
    """'C7' → 2 (0-based)."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n - 1


def _text_of(elem) -> str:
    """The text of a string item: plain <t>, or the runs of rich text; phonetic guides left out."""
    parts = []
    for child in elem:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(parts)


class Workbook:
    def __init__(self, path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        names = set(self.zip.namelist())
        book = fromstring(self.zip.read("xl/workbook.xml"))
        rels = fromstring(self.zip.read("xl/_rels/workbook.xml.rels")) if "xl/_rels/workbook.xml.rels" in names \
            else None
        targets = {}
        for r in (rels if rels is not None else []):
            target = r.get("Target", "")
            path_in_zip = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[r.get("Id")] = path_in_zip
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheets: list[tuple[str, str]] = []   # (title, part name)
        for elem in book.iter():
            name = _local(elem.tag)
            if name == "workbookPr" and elem.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif name == "sheet":
                rid = elem.get(f"{REL}id") or elem.get(f"{STRICT_REL}id")
                if rid in targets and targets[rid] in names:
                    self.sheets.append((elem.get("name", ""), targets[rid]))
        self._names = names
        self._loaded = False
        self._calamine: _Reader | None = None        # fast_rows' own, for a sheet not read ahead
        self._readers: list[_Reader] = []             # read_ahead's threads'
        self._ahead: dict[str, Any] = {}              # title → Future of [its parsed sheet or None]
        self._pool = None
        self.check_every_part()

    def _load_strings_and_styles(self) -> None:
        """Only the streaming path needs them (the fast path reads its own), so not at opening."""
        if not self._loaded:
            self.strings = self._shared_strings(self._names)
            self.date_styles, self.time_styles = self._styles(self._names)
            self._loaded = True

    def check_every_part(self) -> None:
        """Refuse a DTD in any XML part before anything reads it (the fast reader included)."""
        for name in sorted(self._names):
            if name.endswith((".xml", ".rels")):
                with self.zip.open(name) as fh:
                    _Checked(fh)

    def _shared_strings(self, names: set[str]) -> list[str]:
        part = next((n for n in ("xl/sharedStrings.xml", "xl/SharedStrings.xml") if n in names), None)
        if part is None:
            return []
        out = []
        with self.zip.open(part) as fh:
            for _event, elem in ElementTree.iterparse(_Checked(fh), events=("end",)):
                if _local(elem.tag) == "si":
                    out.append(_text_of(elem))
                    elem.clear()
        return out

    def _styles(self, names: set[str]) -> tuple[set[int], set[int]]:
        """Indexes of the cell styles whose number format shows a date (or only a duration)."""
        if "xl/styles.xml" not in names:
            return set(), set()
        root = fromstring(self.zip.read("xl/styles.xml"))
        formats = dict(BUILTIN_FORMATS)
        dates, times = set(), set()
        for elem in root.iter():
            if _local(elem.tag) == "numFmt":
                try:
                    formats[int(elem.get("numFmtId", "-1"))] = elem.get("formatCode", "")
                except ValueError:
                    continue
        xfs = next((e for e in root.iter() if _local(e.tag) == "cellXfs"), None)
        for i, xf in enumerate(xfs if xfs is not None else []):
            try:
                code = formats.get(int(xf.get("numFmtId", "0")), "")
            except ValueError:
                continue
            if code and is_date_format(code):
                (times if is_timedelta_format(code) else dates).add(i)
        return dates, times

    def rows(self, part: str, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) for each row that has a cell; values beyond `max_columns` are dropped."""
        self._load_strings_and_styles()
        with self.zip.open(part) as fh:
            yield from self._rows(fh, max_columns)

    def _rows(self, fh: BinaryIO, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
        strings, dates, times, epoch = self.strings, self.date_styles, self.time_styles, self.epoch
        number = cells = 0
        for _event, elem in ElementTree.iterparse(_Checked(fh), events=("end",)):
            tag = elem.tag
            if tag[-4:] != "}row" and tag != "row":
                if tag[-2:] == "}c" or tag == "c":
                    # A row is only seen whole at its end: count its cells as they close, so a
                    # row of millions is refused at Excel's own limit, not read to its end.
                    cells += 1
                    if cells > EXCEL_COLUMNS:
                        raise TooWide(number + 1)
                elif tag[-10:] == "}sheetData" or tag == "sheetData":
                    break
                continue
            cells = 0
            r = elem.get("r")
            number = int(r) if r and r.isdigit() else number + 1
            values: list[Any] = []
            next_col = 0
            for cell in elem:
                ref = cell.get("r")
                col = _column_index(ref) if ref else next_col
                next_col = col + 1
                if col >= max_columns:
                    continue
                kind = cell.get("t", "n")
                raw = None
                for child in cell:
                    child_name = child.tag.rsplit("}", 1)[-1]
                    if child_name == "v":
                        raw = child.text
                    elif child_name == "is":
                        raw = _text_of(child)
                value: Any = None
                if raw is not None:
                    if kind == "s":
                        value = strings[int(raw)] if raw.isdigit() and int(raw) < len(strings) else None
                    elif kind in ("str", "inlineStr", "e", "d"):
                        value = raw  # text; an error (#N/A) as shown; an ISO date the importer parses
                    elif kind == "b":
                        value = raw.strip() in ("1", "true")
                    else:
                        value = _number(raw)
                        style = int(cell.get("s", "0") or 0)
                        if (style in dates or style in times) and isinstance(value, (int, float)):
                            try:
                                value = from_excel(value, epoch, timedelta=style in times)
                            except (OverflowError, ValueError):
                                pass  # an impossible date stays a number; validation says so
                if col >= len(values):
                    values.extend([None] * (col - len(values) + 1))
                values[col] = value
            elem.clear()
            if values:
                yield number, values

    def fast_rows(self, title: str, part: str, max_columns: int,
                  tidy: bool = False) -> Iterator[tuple[int, list[Any]]] | None:
        """The same rows as `rows`, read by python-calamine (Rust) when the sheet is safe for it;
        None to read it with `rows` instead. `tidy`: texts also stripped (blank → None) and equal
        texts and dates given as one object, as an import keeps them — in the same pass.
        A sheet given to `read_ahead` is taken as parsed there."""
        if title in self._ahead:
            # Handed over in a box the future keeps empty: `as_completed` holds every future to
            # its end, and a parsed sheet held there stayed in memory through its conversion.
            sheet = self._ahead.pop(title).result().pop()
        else:
            try:
                from python_calamine import CalamineWorkbook
            except ImportError:
                return None
            if self._calamine is None:
                self._calamine = _Reader(self.path, CalamineWorkbook)
            sheet = self._calamine.parse_if_safe(title, part)
        if sheet is None:
            return None
        # Row by row from calamine's own copy, never the whole sheet as Python values at once:
        # the large export's read peaked at 332 MB with the sheet made whole first, 247 MB so.
        # Its rows start at the sheet's first row (empty ones given as empty) but at the column
        # of its first cell: the columns before it are put back in front.
        lead = sheet.start[1] if sheet.start else 0
        rows = sheet.iter_rows()
        return _tidied(rows, lead, max_columns) if tidy else _converted(rows, lead, max_columns)

    def read_ahead(self, sheets: list[tuple[str, str]]) -> None:
        """Start parsing these sheets (title, part) with calamine on two background threads, the
        largest first; `fast_rows` then takes each as it is parsed.

        calamine lets go of Python's lock while it parses, so the parse of the next sheet runs
        while this thread converts the one before, and a small sheet is parsed beside the large
        one: the large export's read went from 3.0 to 2.2 s. Each thread has its own zip handle
        and calamine workbook (one calamine workbook cannot parse two sheets at once)."""
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            return
        if len(sheets) < 2:
            return       # nothing to overlap; the sheet is parsed when it is asked for
        import threading
        from concurrent.futures import ThreadPoolExecutor

        local = threading.local()
        largest_checked = threading.Event()

        def parse(title: str, part: str, largest: bool):
            if not hasattr(local, "reader"):
                local.reader = _Reader(self.path, CalamineWorkbook)
                self._readers.append(local.reader)
            if not largest:
                # The largest sheet's parse is the longest task, and it waits for that sheet's
                # safety check: the check runs alone, not slowed by the others' (0.1 s sooner
                # on the large export).
                largest_checked.wait()
                return [local.reader.parse_if_safe(title, part)]
            try:
                return [local.reader.parse_if_safe(title, part, checked=largest_checked.set)]
            finally:
                largest_checked.set()

        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xlsx")
        by_size = sorted(sheets, key=lambda s: -self.zip.getinfo(s[1]).file_size)
        for title, part in by_size:
            self._ahead[title] = self._pool.submit(parse, title, part, title == by_size[0][0])

    def in_parsed_order(self, sheets: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        """`sheets` as `read_ahead` finishes parsing them; the ones it does not parse, last."""
        from concurrent.futures import as_completed
        by_future = {self._ahead[title]: (title, part) for title, part in sheets if title in self._ahead}
        not_ahead = [(title, part) for title, part in sheets if title not in self._ahead]
        for future in as_completed(by_future):
            yield by_future.pop(future)
        yield from not_ahead

    def close(self) -> None:
        read_ahead = self._pool is not None
        if read_ahead:       # parses under way finish (they cannot be stopped); queued ones do not start
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._ahead.clear()
        for reader in [self._calamine, *self._readers]:
            if reader is not None:
                reader.close()
        self.zip.close()
        if read_ahead:
            _return_freed_memory()


def _return_freed_memory() -> None:
    """Give the system back what the reading threads freed. glibc keeps a heap per thread and
    keeps what is freed there: after the large export was read ahead, some 35 MB more stayed with
    the process through the whole import than when it was read on one thread, and the import's
    peak went from 365 to 390 MB; with this, 371 MB. Other systems' C libraries have no such
    call (nor the same habit)."""
    import sys
    if sys.platform.startswith("linux"):
        import ctypes
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):   # not glibc (musl has no malloc_trim)
            pass


class _Reader:
    """One thread's python-calamine workbook, and its own zip handle for the safety check."""

    def __init__(self, path, calamine_workbook) -> None:
        self.zip = zipfile.ZipFile(path)
        self.path = path
        self.calamine = None
        self._open = calamine_workbook.from_path

    def parse_if_safe(self, title: str, part: str, checked: Callable[[], None] = lambda: None):
        """The sheet parsed by calamine, or None when it must go the streaming way.

        calamine builds each sheet as one dense grid from its top-left to its bottom-right cell:
        two cells at A1 and XFD1048576 make it allocate 512 GB and abort the process. So it only
        gets sheets whose every cell tag is written `<c r="…"` and none lies beyond column AZ or
        row 199,999 (a grid of at most 52 × 200,000) — as Excel, WPS, LibreOffice and openpyxl
        write them. Anything else, and anything calamine cannot open, goes the streaming way, which
        drops far columns and refuses rows over Excel's width as it reads."""
        from python_calamine import CalamineError
        with self.zip.open(part) as fh:
            if _unlike_excel(fh):
                return None
        checked()
        try:
            if self.calamine is None:
                self.calamine = self._open(str(self.path))
            return self.calamine.get_sheet_by_name(title)
        except (CalamineError, ValueError, KeyError, OSError):
            return None

    def close(self) -> None:
        if self.calamine is not None:
            self.calamine.close()
        self.zip.close()


def _converted(rows: Iterator[list[Any]], lead: int, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
    """calamine's rows (from the sheet's first row; `lead` empty columns before its first cell's)
    as the streaming reader gives them."""
    date, datetime, flt = dt.date, dt.datetime, float
    before = [""] * lead
    for index, row in enumerate(rows):
        if lead:
            row = before + row
        # As the streaming reader gives them: empty as None, whole numbers as int (a phone
        # number must not become "13900139000.0"), a date as a datetime at midnight. Written
        # out, not a call per cell, which cost a third of the whole read. Error cells (#N/A)
        # read as empty here; the streaming reader gives their text.
        values = [v if v.__class__ is str and v else     # most cells: text, first
                  None if v == "" else
                  int(v) if v.__class__ is flt and v.is_integer() and -2 ** 53 < v < 2 ** 53 else
                  datetime(v.year, v.month, v.day) if v.__class__ is date else v
                  for v in row[:max_columns]]
        while values and values[-1] is None:
            values.pop()
        if values:
            yield index + 1, values


def _tidied(rows: Iterator[list[Any]], lead: int, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
    """`_converted` and `tidy_cells` in one pass (a 100,000-row sheet has two million cells: a
    second pass over them cost half a second)."""
    date, datetime, flt = dt.date, dt.datetime, float
    share = {}.setdefault
    before = [""] * lead
    for index, row in enumerate(rows):
        if lead:
            row = before + row
        values = [(share(t, t) if (t := v.strip()) else None) if v.__class__ is str else
                  int(v) if v.__class__ is flt and v.is_integer() and -2 ** 53 < v < 2 ** 53 else
                  share(v, datetime(v.year, v.month, v.day)) if v.__class__ is date else
                  share(v, v) if v.__class__ is datetime else v
                  for v in row[:max_columns]]
        while values and values[-1] is None:
            values.pop()
        if values:
            yield index + 1, values


def tidy_cells(values: list[Any], share=None) -> list[Any]:
    """Texts stripped (blank → None), equal texts and datetimes one object: rows as an import keeps
    them (100,000 patrols repeat a few thousand names, codes, phrases and days)."""
    share = share or {}.setdefault
    moment = dt.datetime
    return [((share(t, t) if (t := v.strip()) else None) if v.__class__ is str else
             share(v, v) if v.__class__ is moment else v) for v in values]


#: What only a sheet not written as Excel writes it has (see _Reader.parse_if_safe), in one pass
#: over it: a cell tag (`<c` and a space, tab, line break, `/` or `>`) that does not go on as Excel
#: writes one within reach: ` r="`, column A … AZ, row 0 … 199,999 and the closing quote. So
#: `<c>`, `<c/>`, `<c s="1" r=…`, a tab or a line break after `<c`, and a cell beyond column AZ or
#: at row 200,000 or below are all found. Said as "not that" and not as a list of what is wrong,
#: the ordinary cell fails one short test: the large export's patrol sheet in 0.08 s, against 0.15 s
#: for the list (and 0.36 s for the four counts of "<c " and the like before it).
_UNLIKE_EXCEL = re.compile(rb'<c(?:[\t\r\n/>]| (?!r="A?[A-Z](?:[0-9]{1,5}|[01][0-9]{5})"))')
#: A cell tag with a namespace prefix (<x:c r="XFD1048576">): neither the counts nor the pattern
#: above see it, and calamine reads it as a cell — a far one made it ask for 512 GB and abort.
#: A separate pattern because its literal start makes it a fast search (20 ms over the large
#: export; in one pattern with the others, 200 ms). Text such as "a:c b" in a cell matches too:
#: that sheet is then read the streaming way, with the same values.
_PREFIXED_CELL = re.compile(rb':c[\s/>]')


def _unlike_excel(fh: BinaryIO, chunk: int = 1 << 20) -> bool:
    """Whether the sheet has anything `_UNLIKE_EXCEL` or `_PREFIXED_CELL` finds, read a megabyte
    at a time as it is unzipped: each piece is searched while the processor's cache still holds
    it (the large export's patrol sheet, 57 MB: 0.38 s, against 0.47 s for unzipping it whole and
    searching that), and the sheet is never held whole.

    A piece may end inside a tag (`<c ` cut before its `r="`), where a pattern matches what the
    next piece would show to be ordinary: a match that starts in a piece's last `_OVERLAP` bytes
    counts only at the sheet's end; otherwise those bytes are searched again with the next piece.
    A match, with what it looks at after it, spans at most 15 bytes (`<c r="AB123456"`), so one
    starting before them is seen whole."""
    data = b""
    while True:
        more = fh.read(chunk)
        data = data + more if more else data
        for pattern in (_UNLIKE_EXCEL, _PREFIXED_CELL):
            found = pattern.search(data)
            if found and (not more or found.start() < len(data) - _OVERLAP):
                return True
        if not more:
            return False
        data = data[-_OVERLAP:]


_OVERLAP = 64


#: Excel's most columns in a sheet (A … XFD).
EXCEL_COLUMNS = 16_384


class TooWide(ValueError):
    """A row with more cells than Excel allows: not a workbook anyone typed."""


class UnsafeXml(ValueError):
    """A part declares a DTD or entities: never needed by a workbook, the form of XML bombs."""


def _encoding(head: bytes) -> str:
    """The encoding the XML parser will read a part in, as it detects it (XML 1.0, appendix F):
    with a BOM, or UTF-16 without one ("<\0?\0"). Any other start with a NUL byte (UTF-32 and
    the like) is refused: Excel never writes it, and the check below could not read it."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    if b"\x00" in head[:4]:
        raise UnsafeXml("unusual encoding")
    return "utf-8"


class _Checked:
    """A part's byte stream, after checking that its prolog declares no DTD.

    The big parts (sheets, shared strings) are parsed by the C parser for speed; it would expand
    internal entities, so a document type declaration is refused before parsing. A DTD can only
    stand before the root element, so the prolog is all that needs reading.
    """

    HEAD = 65536

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.head = fh.read(self.HEAD)
        text = self.head.decode(_encoding(self.head), "replace")
        i = 0
        while True:  # skip the XML declaration, processing instructions and comments
            i = text.find("<", i)
            if i < 0:
                raise UnsafeXml("no root element in the first 64 KB")
            if text.startswith("<!--", i) or text.startswith("<?", i):
                close = "-->" if text.startswith("<!--", i) else "?>"
                end = text.find(close, i)
                if end < 0:
                    raise UnsafeXml("unterminated prolog")
                i = end + len(close)
            elif text.startswith("<!", i):
                raise UnsafeXml("document type declaration")
            else:
                break

    def read(self, size: int = -1) -> bytes:
        if self.head:
            chunk, self.head = self.head, b""
            return chunk
        return self.fh.read(size)



def _number(raw: str) -> Any:
    """As openpyxl reads it: int unless written with a point or an exponent."""
    text = raw.strip()
    try:
        return float(text) if ("." in text or "E" in text or "e" in text) else int(text)
    except ValueError:
        return raw
