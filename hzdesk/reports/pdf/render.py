"""A printed ledger (台账): title, office, period, printing date, a table whose header repeats on
every page, long text wrapped (never cut), "第 N 页 共 M 页", and signature lines.

Rows are laid out into pages first and then drawn straight onto the canvas: one giant platypus
table takes ~7 s for 10,000 rows; this takes a fraction of that.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Callable

from hzdesk import clock
from hzdesk.collector import collector_resting
from hzdesk.files import atomic_output
from hzdesk.reports.pdf.fonts import register
from hzdesk.reports.pdf.pages import PageNumbers, info

MM = 72 / 25.4


@dataclass(frozen=True)
class PdfColumn:
    title: str
    width: float          # relative width (characters)
    align: str = "left"   # left | right | center


@dataclass
class LedgerDoc:
    title: str
    office: str
    subtitle: str                      # 统计期间 / 有效日期 …
    columns: list[PdfColumn]
    rows: list[list[str]]
    landscape: bool | None = None      # None: decide from the columns' total width
    signatures: tuple[str, ...] = ("填报人", "审核人")
    printed_on: dt.date | None = None
    note: str = ""                     # one line under the table (legend, counts)
    binding_mm: float = 25.0           # 装订线: the left margin, where the pages are bound (设置)
    # One text per row (or None): a band under the row's cells, from the second column to the
    # right edge — what an inspector reads about a record that would crowd the columns (路线,
    # 同行人员, 整改措施, 验收…). Empty texts take no room.
    details: list[str] | None = None


def wrap_text(font: str, text: str, width: float, size: float) -> list[str]:
    """`text` in lines of at most `width` points (Chinese breaking rules); none for no text."""
    return _Wrapper(font, size).lines(text, width) if text else []


class _Wrapper:
    """Splits text into lines that fit a width, measuring each character once."""

    def __init__(self, font: str, size: float):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.size = size
        self._measure = lambda ch: stringWidth(ch, font, size)
        self._widths: dict[str, float] = {}
        self._wrapped: dict[tuple[str, float], list[str]] = {}

    def width(self, text: str) -> float:
        w = self._widths
        total = 0.0
        for ch in text:
            cw = w.get(ch)
            if cw is None:
                cw = w[ch] = self._measure(ch)
            total += cw
        return total

    def lines(self, text: str, limit: float) -> list[str]:
        return self.row_lines((text,), (limit,))[0]

    def row_lines(self, texts: list[str], limits: list[float]) -> list[list[str]]:
        """`lines` of each cell of a row (a 10,000-row ledger's 90,000 cells: a call a row, not a
        call a cell). Ledgers repeat themselves (dates, names, weather, the usual remarks): each
        text is wrapped once for a width."""
        found, wrapped = self._wrapped.get, self._wrapped
        out = []
        for key in zip(texts, limits):
            lines = found(key)
            if lines is None:
                lines = wrapped[key] = self._lines(*key)
            out.append(lines)
        return out

    def _lines(self, text: str, limit: float) -> list[str]:
        """Greedy filling over units that never break: a run of ASCII (a date, a time, a number,
        a code, a phone) and each other character, with closing punctuation held to the unit
        before it and opening punctuation to the unit after it (避头尾: no line starts with ，or
        ）, none ends with （). A unit wider than the line is cut by characters."""
        text = text or ""
        if "\n" not in text and self.width(text) < limit - 0.01:
            return [text]   # most cells: it fits (a 10,000-row ledger has 10,000 序号 alone)
        out: list[str] = []
        for para in text.split("\n"):
            line, used = "", 0.0
            for unit in _UNITS.findall(para):
                uw = self.width(unit)
                if used + uw > limit and line:
                    out.append(line)
                    line, used = "", 0.0
                    if unit.isspace():      # a space that broke the line is not carried over
                        continue
                if uw > limit:              # longer than a whole line: cut it where it must,
                    for ch in _CHARS.findall(unit):    # its punctuation still held to its neighbour
                        cw = self.width(ch)
                        if used + cw > limit and line:
                            out.append(line)
                            line, used = "", 0.0
                        line += ch
                        used += cw
                    continue
                line += unit
                used += uw
            out.append(line)
        return out or [""]


#: 避头尾 — characters a line may not start with (closing marks) or end with (opening marks).
_NO_START = "，。、；：？！）」』】》〉”’…—～%‰℃·,.;:?!)]}"
_NO_END = "（「『【《〈“‘([{"
#: The parts of a detail line, each with the "；" that ends it.
_PARTS = re.compile("[^；]*(?:；|$)")
#: A unit of line breaking: opening marks, then an ASCII run or one character, then closing marks.
_UNITS = re.compile("[" + re.escape(_NO_END) + "]*(?:[!-~]+|.)[" + re.escape(_NO_START) + "]*", re.S)
_CHARS = re.compile("[" + re.escape(_NO_END) + "]*.[" + re.escape(_NO_START) + "]*", re.S)


#: A laid-out row: each cell's lines, the whole height, and the detail band's lines (or []).
_Row = tuple[list[list[str]], float, list[str]]


@dataclass
class _Layout:
    """A ledger cut into pages: the geometry, the wrapped header and every page's wrapped rows."""

    font: str
    page_w: float
    page_h: float
    margin: float      # top, right and bottom
    left: float        # the bound edge: the binding margin, never less than `margin`
    body: float
    leading: float
    pad: float
    wrap: "_Wrapper"
    widths: list[float]
    header_lines: list[list[str]]
    header_h: float
    pages: list[list[_Row]]

    TITLE_BLOCK = 26 + 16 + 16   # title, office, subtitle lines
    FOOTER = 18

    @property
    def usable(self) -> float:
        return self.page_w - self.left - self.margin

    @property
    def centre(self) -> float:
        """The middle of the printed area (not of the sheet: the binding margin is wider)."""
        return self.left + self.usable / 2


def _layout(doc: LedgerDoc, should_stop: Callable[[], bool]) -> _Layout:
    """Pass 1: wrap every cell, then cut the rows into pages (the signatures stay with the last
    rows; a cell longer than a page keeps what fits and says so).

    The rows laid out here are kept till the ledger is drawn (see `collector_resting`): a
    10,000-row ledger's layout 0.07–0.12 s, 0.06 s with the collector resting."""
    with collector_resting():
        return _laid_out(doc, should_stop)


def _laid_out(doc: LedgerDoc, should_stop: Callable[[], bool]) -> _Layout:
    from reportlab.lib.pagesizes import A4, landscape, portrait

    font = register()
    total_chars = sum(c.width for c in doc.columns)
    wide = doc.landscape if doc.landscape is not None else total_chars > 60
    page_w, page_h = landscape(A4) if wide else portrait(A4)
    margin, pad = 12 * MM, 2.5
    left = max(margin, doc.binding_mm * MM)
    body = 8.5 if total_chars > 90 else 9.5
    leading = body * 1.3
    wrap = _Wrapper(font, body)
    widths = _fit_numbers(doc, wrap, [c.width * (page_w - left - margin) / total_chars for c in doc.columns], pad)
    header_lines = [wrap.lines(c.title, w - 2 * pad) for c, w in zip(doc.columns, widths)]
    header_h = max(len(x) for x in header_lines) * leading + 2 * pad
    top = page_h - 2 * margin - header_h - _Layout.FOOTER
    max_row_h = top - _Layout.TITLE_BLOCK - 10
    laid: list[_Row] = []
    details = doc.details or ()
    band_width = sum(widths[1:]) - 2 * pad
    limits = [w - 2 * pad for w in widths]
    for n, row in enumerate(doc.rows):
        cells = wrap.row_lines(row, limits)
        h = max(map(len, cells)) * leading + 2 * pad
        detail = wrap.lines(details[n], band_width) if n < len(details) and details[n] else []
        if h + len(detail) * leading > max_row_h:
            keep = int((max_row_h - 2 * pad) / leading) - 1
            cells = [c[:keep] + (["（下略）"] if len(c) > keep else []) for c in cells]
            h = max(len(c) for c in cells) * leading + 2 * pad
            room_left = int((max_row_h - h - pad) / leading)
            detail = detail[:room_left - 1] + ["（下略）"] if len(detail) > room_left else detail
        laid.append((cells, h + (len(detail) * leading + pad if detail else 0), detail))
        if n % 2000 == 0 and should_stop():
            raise _cancelled()
    pages: list[list[_Row]] = [[]]
    room = top - _Layout.TITLE_BLOCK
    for entry in laid:
        h = entry[1]
        if h > room and pages[-1]:
            pages.append([])
            room = top - 14
        pages[-1].append(entry)
        room -= h
    lay = _Layout(font, page_w, page_h, margin, left, body, leading, pad, wrap, widths, header_lines, header_h, pages)
    if room < (34 if doc.signatures else 0) + 14 * len(_note_lines(lay, doc)):
        pages.append([])
    return lay


def _note_lines(lay: _Layout, doc: LedgerDoc) -> list[str]:
    """The note under the table, wrapped to the printed width (a period's totals can be long)."""
    return _Wrapper(lay.font, 9).lines(doc.note, lay.usable) if doc.note else []


def _fit_numbers(doc: LedgerDoc, wrap: _Wrapper, widths: list[float], pad: float) -> list[float]:
    """Numbers, codes, short labels and short headings are never split: a centred or right-aligned
    column (序号, 里程, counts), one of short ASCII values (dates, times, codes, phones) or one of
    labels of up to eight characters (states, categories) is widened to its longest value (序号
    10000 on one line, 2025-03-05 not 2025-03-0/5), and a column to its heading of up to six
    characters (发现问题, not 发现问/题), taking the room from the widest text column."""
    widths = list(widths)
    donor = max(range(len(widths)), key=lambda i: widths[i] if doc.columns[i].align == "left" else -1)
    for i, col in enumerate(doc.columns):
        need = wrap.width(col.title) + 2 * pad + 1 if len(col.title) <= 6 else 0.0
        if doc.rows:
            longest = max((row[i] for row in doc.rows), key=len)
            # numbers (centred, right-aligned) and codes, dates, times, phones (ASCII) stay whole,
            # and so do short labels (states, categories, sources: 整改中（超期）, not 整改中/（超/期）)
            if (len(longest) <= 12 and (col.align != "left" or longest.isascii())) or len(longest) <= 8:
                need = max(need, wrap.width(longest) + 2 * pad + 1)
        if i != donor and need > widths[i] and widths[donor] - (need - widths[i]) > max(widths[i], 60):
            widths[donor] -= need - widths[i]
            widths[i] = need
    return widths


def _page_top(c, lay: _Layout, doc: LedgerDoc, number: int, printed: dt.date) -> float:
    """The title block on the first page, "（续）" on the others; returns where the table starts."""
    y = lay.page_h - lay.margin
    if number > 1:
        c.setFont(lay.font, 9)
        c.drawString(lay.left, y - 10, f"{doc.title}（续）")
        return y - 14
    c.setFont(lay.font, 16)
    c.drawCentredString(lay.centre, y - 16, doc.title)
    c.setFont(lay.font, 10.5)
    c.drawCentredString(lay.centre, y - 34, doc.office)
    c.setFont(lay.font, 9)
    c.drawString(lay.left, y - 52, doc.subtitle)
    c.drawRightString(lay.page_w - lay.margin, y - 52, f"打印日期：{printed.year}年{printed.month}月{printed.day}日")
    return y - _Layout.TITLE_BLOCK


def _ending(c, lay: _Layout, doc: LedgerDoc, y: float) -> None:
    """The note and the signature lines under the last rows (or "本期无记录" under the header)."""
    c.setFont(lay.font, 9)
    if not doc.rows:
        c.drawCentredString(lay.centre, y - 14, "（本期无记录）")
        y -= 20
    for line in _note_lines(lay, doc):
        c.drawString(lay.left, y - 13, line)
        y -= 14
    if doc.signatures:
        gap = lay.usable / (len(doc.signatures) + 1)
        for i, who in enumerate(doc.signatures):
            c.drawString(lay.left + i * gap, y - 26, f"{who}：")
            c.line(lay.left + i * gap + 40, y - 28, lay.left + (i + 1) * gap - 16, y - 28)
        c.drawString(lay.left + len(doc.signatures) * gap, y - 26, "日期：    年    月    日")


def count_pages(doc: LedgerDoc, should_stop: Callable[[], bool] = lambda: False) -> tuple[int, _Layout]:
    """How many pages the ledger takes, and its layout to draw later (a binder numbers its pages
    before drawing any)."""
    lay = _layout(doc, should_stop)
    return len(lay.pages), lay


def write_ledger(path: str | os.PathLike, doc: LedgerDoc, *,
                 should_stop: Callable[[], bool] = lambda: False, numbers: PageNumbers = PageNumbers(),
                 layout: _Layout | None = None) -> int:
    """Write the ledger to `path` (atomically). Returns the number of pages."""
    from reportlab.pdfgen.canvas import Canvas

    lay = layout or _layout(doc, should_stop)
    total = len(lay.pages)
    with atomic_output(path) as tmp:
        c = Canvas(tmp, pagesize=(lay.page_w, lay.page_h), pageCompression=1)
        c.setPageCallBack(_quickly_compressed(c))
        meta = info(doc.title, doc.office, doc.subtitle)
        c.setTitle(meta["title"])
        c.setAuthor(meta["author"])
        c.setSubject(meta["subject"])
        c.setCreator(meta["creator"])
        printed = doc.printed_on or clock.today()
        ink = _TableInk(c, lay.font, lay.body, lay.leading, lay.pad, lay.wrap, lay.widths, doc.columns)
        for number, rows in enumerate(lay.pages, start=1):
            y = _page_top(c, lay, doc, number, printed)
            y = ink.draw(lay.left, y, [(lay.header_lines, lay.header_h, [])] + rows, header_rows=1)
            if number == total:
                _ending(c, lay, doc, y)
            c.setFont(lay.font, 9)
            c.drawCentredString(lay.centre, lay.margin - 4, numbers.footer(number, total))
            c.showPage()
            if number % 50 == 0 and should_stop():
                raise _cancelled()
        c.save()
    return total


def _quickly_compressed(canvas):
    """A page callback: the page just finished gets the stream reportlab would make for it
    (`PDFPage.check_format`), compressed by zlib at level 2 instead of 6.

    A 10,000-row ledger's 359 pages are 8 MB of drawing: level 6 took 0.074 s and made 1.15 MB,
    level 2 takes 0.038 s and makes 1.35 MB. (Compressing on a second thread beside the drawing
    gained nothing: each page's zlib call is short, and handing Python's lock to and fro for it
    slowed the drawing as much.)"""
    from reportlab.pdfbase.pdfdoc import PDFStream

    def page_done(_number: int) -> None:
        page = canvas._doc.Pages.pages[-1]
        stream = PDFStream(content=page.stream, filters=[_FLATE_QUICK])
        stream.__Comment__ = "page stream"
        page.Contents = stream
    return page_done


class _QuickFlate:
    """reportlab's Flate filter (`PDFStreamFilterZCompress`) at zlib's level 2."""
    pdfname = "FlateDecode"

    def encode(self, text: str | bytes) -> bytes:
        import zlib
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 2)


_FLATE_QUICK = _QuickFlate()


class _TableInk:
    """The table of one page as raw PDF operators, handed to the canvas in one piece.

    reportlab's drawString builds a text object per call (~20 µs); a 10,000-row ledger has
    126,000 cell lines. Here each distinct text is encoded once (font subset runs, escaped) and
    every line is one `Tm … Tj`; the grid is one line per row and per column instead of a
    rectangle per cell.
    """

    def __init__(self, canvas, font_name: str, size: float, leading: float, pad: float,
                 wrap: _Wrapper, widths: list[float], columns: list[PdfColumn]):
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canvas, self.font, self.doc = canvas, getFont(font_name), canvas._doc
        self.size, self.leading, self.pad, self.wrap = size, leading, pad, wrap
        self.widths, self.columns = widths, columns
        self._shown: dict[str, str] = {}
        self._placed: dict[tuple[int, str, bool], tuple[str, str]] = {}
        self._heights: dict[float, str] = {}
        self._subsets: dict[int, str] = {}

    def _subset(self, subset: int) -> str:
        """The PDF name of a font subset (asked for once: reportlab looks it up through a weak
        dictionary of documents, 28,000 times for a 10,000-row ledger)."""
        name = self._subsets[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name

    def _place(self, left: float, i: int, line: str, header: bool) -> tuple[str, str]:
        """(x as text, the operators that show `line`) for a line of column `i`."""
        w, align = self.widths[i], self.columns[i].align
        if header or align == "center":
            x = left + (w - self.wrap.width(line)) / 2
        elif align == "right":
            x = left + w - self.pad - self.wrap.width(line)
        else:
            x = left + self.pad
        return f"{x:.2f}", self.shown(line)

    def shown(self, text: str) -> str:
        ops = self._shown.get(text)
        if ops is None:
            if "；" in text[:-1]:
                # A detail line is unique but made of parts that recur (职务：村级河长；检查项：
                # 未见异常): each part encoded once; one Tj after another continues the line.
                ops = " ".join(self.shown(part) for part in _PARTS.findall(text) if part)
            else:
                escape, named = self.canvas._escape, self._subsets
                ops = " ".join(
                    f"{named.get(subset) or self._subset(subset)} {self.size} Tf ({escape(chunk)}) Tj"
                    for subset, chunk in self.font.splitString(text, self.doc))
            self._shown[text] = ops
        return ops

    def draw(self, x0: float, top: float, rows: list[_Row], header_rows: int) -> float:
        """Draw `rows` (the first `header_rows` of them shaded and centred) from `top` down; returns the bottom.

        A row with a detail band has its column rules stop above the band: the band reads as one
        line across the row, inside the 序号 column's rule and the table's right edge. (The rules
        are drawn whole and each band painted white over them: a rectangle a row, not a rule
        segment a column and row — half the drawing time of a 10,000-row ledger.)"""
        size, leading, pad = self.size, self.leading, self.pad
        right = x0 + sum(self.widths)
        lefts = [x0 + sum(self.widths[:i]) for i in range(len(self.widths))]
        placed, heights = self._placed, self._heights  # the same rows sit at the same heights page after page
        shade, rules, text, thin, bands = [], [], ["BT"], [], []
        y = top
        for n, (cells, h, detail) in enumerate(rows):
            header = n < header_rows
            if header:
                shade.append(f"{x0:.2f} {y - h:.2f} {right - x0:.2f} {h:.2f} re")
            for i, lines in enumerate(cells):
                ty = y - pad - size
                for line in lines:
                    if line:
                        key = (i, line, header)
                        where = placed.get(key)
                        if where is None:
                            where = placed[key] = self._place(lefts[i], i, line, header)
                        at = heights.get(ty)
                        if at is None:
                            at = heights[ty] = f"{ty:.2f}"
                        text.append(f"1 0 0 1 {where[0]} {at} Tm {where[1]}")
                    ty -= leading
            if detail:
                band_top = y - h + len(detail) * leading + pad
                bands.append(f"{lefts[1] + 0.3:.2f} {y - h:.2f} {right - lefts[1] - 0.6:.2f} {band_top - y + h:.2f} re")
                thin.append(f"{lefts[1]:.2f} {band_top:.2f} m {right:.2f} {band_top:.2f} l")
                ty = band_top - pad / 2 - size
                for line in detail:
                    text.append(f"1 0 0 1 {lefts[1] + pad:.2f} {ty:.2f} Tm {self.shown(line)}")
                    ty -= leading
            y -= h
            rules.append(f"{x0:.2f} {y:.2f} m {right:.2f} {y:.2f} l")
        rules.append(f"{x0:.2f} {top:.2f} m {right:.2f} {top:.2f} l")
        inner = [f"{x:.2f} {top:.2f} m {x:.2f} {y:.2f} l" for x in lefts[2:]]
        for x in lefts[:2] + [right]:
            rules.append(f"{x:.2f} {top:.2f} m {x:.2f} {y:.2f} l")
        text.append("ET")
        ops = ["q"]
        if shade:
            ops += ["0.88 g", *shade, "f", "0 g"]
        ops += ["0.5 w", "0 G", *inner, "S"]
        if bands:
            ops += ["1 g", *bands, "f", "0 g"]
        ops += [*rules, "S"]
        if thin:
            ops += ["0.3 w", "0.6 G", *thin, "S", "0 G"]
        ops += [*text, "Q"]
        self.canvas.addLiteral("\n".join(ops))
        return y


def _cancelled():
    from hzdesk.reports.excel_export import Cancelled
    return Cancelled()
