"""Page numbers and document information shared by every PDF the program writes.

A ledger printed alone says "第 3 页 共 47 页". Inside the 迎检台账 the same pages carry the binder's
running numbers and their section ("巡河记录台账　第 215 页 共 1408 页"), so the contents, the
bookmarks and the paper agree: `PageNumbers` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from hzdesk import __version__


@dataclass(frozen=True)
class PageNumbers:
    first: int = 1            # the number printed on this document's first page
    total: int | None = None  # the last number of the whole book (None: this document's own count)
    section: str = ""         # named in the footer inside a binder

    def footer(self, page: int, pages: int) -> str:
        """The footer of this document's `page`-th page (1-based) of `pages`."""
        number, total = self.first + page - 1, self.total or pages
        text = f"第 {number} 页 共 {total} 页"
        return f"{self.section}　{text}" if self.section else text


def bound_margins(binding_mm: float, base_mm: float) -> tuple[float, float]:
    """(left, right) margins in points of a portrait page bound on its left edge (装订线): the
    binding margin on the left, the right one narrowed so the printed width stays as it was
    as far as it can (never below 12 mm)."""
    mm = 72 / 25.4
    left = max(base_mm, binding_mm)
    return left * mm, max(12.0, 2 * base_mm - left) * mm


def info(title: str, author: str, subject: str = "") -> dict[str, str]:
    """The PDF's document information: title, the office as author, and who made it."""
    return {"title": title, "author": author or "河长制办公室", "subject": subject,
            "creator": f"河长办桌面台账 hzdesk {__version__}"}


def numbered_canvas(numbers: PageNumbers, font: str, size: float = 9, bottom: float = 28.0):
    """A canvas class for platypus documents that writes every footer when the document is done,
    so each page can say 共 M 页."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, size)
                self.drawCentredString(self._pagesize[0] / 2, bottom, numbers.footer(n, total))
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas
