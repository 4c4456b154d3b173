"""Print like a Windows program: the PDF the program made, shown in Qt's print preview (pages
drawn by pdfium), printed to any installed printer with page range and copies, or saved as a PDF
elsewhere — without depending on a PDF viewer being installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QToolBar, QWidget

from hzdesk.errors import os_reason

PREVIEW_DPI = 150   # the screen's preview: a page renders in 0.03 s
PRINT_DPI = 300     # paper: 9-point Chinese stays sharp on an office laser printer; 0.07 s a page


def paint_pages(printer: QPrinter, pdf_path: str | Path) -> int:
    """Draw the PDF's pages (the printer's page range, else all) onto `printer`; returns how many."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        first = max(printer.fromPage(), 1)
        last = min(printer.toPage() or len(doc), len(doc))
        # Qt's preview records the pages as pictures; printing (or 打印到 PDF) paints the device.
        previewing = printer.paintEngine() is not None and \
            printer.paintEngine().type() == QPaintEngine.Type.Picture
        dpi = PREVIEW_DPI if previewing else PRINT_DPI
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        if previewing:
            # The page's image shrinks to the preview's zoom: smoothly, or thin strokes (the
            # hyphens of WT-2024-013, table rules) fall between the pixels kept and vanish.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        drawn = 0
        for number in range(first, last + 1):
            if drawn:
                printer.newPage()
            page = doc[number - 1]
            image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            data = image.tobytes("raw", "RGB")   # QImage borrows this buffer: copy before it goes
            qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()
            area = painter.viewport()
            size = QSize(image.width, image.height).scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(area.x(), area.y(), size.width(), size.height())
            painter.setWindow(qimage.rect())
            painter.drawImage(0, 0, qimage)
            painter.setViewport(area)
            painter.setWindow(QRect(0, 0, area.width(), area.height()))
            drawn += 1
        painter.end()
        return drawn
    finally:
        doc.close()


def preview_dialog(parent: QWidget | None, pdf_path: str | Path, title: str) -> QPrintPreviewDialog:
    """The preview of a made PDF, ready to exec(); its toolbar gains 另存为 PDF…."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    pages = len(doc)
    width, height = doc[0].get_size()
    doc.close()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if width > height
                               else QPageLayout.Orientation.Portrait)
    printer.setFromTo(1, pages)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.printer_ = printer   # the dialog does not own its printer: keep it alive as long as the dialog
    dialog.setWindowTitle(f"打印预览 — {title}（共 {pages} 页）")
    dialog.paintRequested.connect(lambda p: paint_pages(p, pdf_path))
    toolbar = dialog.findChild(QToolBar)
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addAction("另存为 PDF…", lambda: _save_copy(dialog, pdf_path, title))
    dialog.resize(1100, 720)
    return dialog


def _save_copy(parent: QWidget, pdf_path: str | Path, title: str) -> None:
    target, _ = QFileDialog.getSaveFileName(parent, "另存为 PDF", str(Path.home() / f"{title}.pdf"), "PDF 文件 (*.pdf)")
    if not target:
        return
    try:
        shutil.copyfile(pdf_path, target)
    except OSError as exc:
        QMessageBox.warning(parent, "另存为 PDF", f"无法保存：{os_reason(exc)}")
        return
    QMessageBox.information(parent, "另存为 PDF", f"已保存到\n{target}")


def show_preview(parent: QWidget | None, pdf_path: str | Path, title: str) -> None:
    preview_dialog(parent, pdf_path, title).exec()


def print_one(parent: QWidget, ctx, kind: str, title: str, file_name: str, path: str | None = None,
              **options) -> str | None:
    """A one-record sheet (督办单, 销号单, 巡河轨迹核对单): asks where to save it (unless `path`),
    makes it, says so in the status line and shows it for printing. Returns the file, or None
    when cancelled or refused (the refusal said in Chinese)."""
    from PySide6.QtWidgets import QApplication

    from hzdesk.errors import HzdeskError
    from hzdesk.office import make_report
    from hzdesk.ui.common import show_error

    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, f"保存{title}", str(Path.home() / file_name), "PDF 文件 (*.pdf)")
        if not path:
            return None
    try:
        make_report(ctx.db, kind, path, **options)
    except HzdeskError as exc:
        show_error(parent, title, exc)
        return None
    window = parent.window()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(f"已生成{title}：{path}", 8000)
    if QApplication.platformName() not in ("offscreen", "minimal"):
        show_preview(parent, path, title)
    return path
