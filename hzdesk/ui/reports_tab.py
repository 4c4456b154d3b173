"""报表: a period's figures and the sentence for the report; every registered report kind to PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThread, Slot
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError
from hzdesk.ui.common import FIGURES_READ, AppContext, BackgroundTask, ChangeFollower, in_background, show_error


class StatsTab(QWidget):
    """报表: a period's figures as text to paste into a report, and the printed ledgers (PDF)."""

    PLACEHOLDER = "本期巡河、问题、公示牌的数字和可直接用于报告的文字；可在此修改后复制。"

    def __init__(self, ctx: AppContext):
        super().__init__()

        from PySide6.QtWidgets import QComboBox
        self.ctx = ctx
        today = clock.today()
        self.period = QLineEdit(f"{today.year}-{today.month:02d}")
        self.period.setObjectName("period")
        self.period.setToolTip("2025-03（月）、2025Q1（季度）、2025H1（上半年）、2025（年）或 2025-03-01..2025-03-31")
        run = QPushButton("统计")
        run.setObjectName("run_stats")
        run.clicked.connect(lambda: self.run())
        self.period.returnPressed.connect(lambda: self.run())
        self.kind = QComboBox()
        self.kind.setObjectName("report_kind")
        from hzdesk.reports.kinds import KINDS
        for key, title in ((k.key, k.title) for k in KINDS.values() if k.in_window):
            self.kind.addItem(title, key)
        pdf = self.make_button = QPushButton("生成 PDF…")
        pdf.setObjectName("make_pdf")
        pdf.clicked.connect(self.make_pdf)
        from PySide6.QtWidgets import QCheckBox
        self.with_sheets = QCheckBox("附本年督办单、销号单")
        self.with_sheets.setToolTip("迎检台账后附本年签发的每份督办单和本年销号问题的销号单（问题多时较慢）")
        self.with_sheets.setVisible(False)
        self.brief = QCheckBox("简表")
        self.brief.setObjectName("report_brief")
        self.brief.setToolTip("每条记录只印一行：不印巡河的职务、路线、同行人员、检查项，问题的责任人、整改措施、验收等明细行（页数约减半）")
        self.brief.setVisible(False)

        def kind_chosen(_i):
            # The 工作总结 is written in Word (the clerk finishes it there) or PDF; the binder may
            # carry the year's sheets.
            pdf.setText("生成 Word/PDF…" if KINDS[self.kind.currentData()].document else "生成 PDF…")
            self.with_sheets.setVisible(self.kind.currentData() == "binder")
            self.brief.setVisible(KINDS[self.kind.currentData()].details)
        self.kind.currentIndexChanged.connect(kind_chosen)
        row = QHBoxLayout()
        row.addWidget(QLabel("期间"))
        row.addWidget(self.period)
        row.addWidget(QLabel("（如 2025-03、2025Q1、2025H1、2025）"))
        row.addWidget(run)
        row.addSpacing(24)
        row.addWidget(QLabel("台账与报告"))
        row.addWidget(self.kind)
        row.addWidget(self.with_sheets)
        row.addWidget(self.brief)
        row.addWidget(pdf)
        row.addStretch(1)
        self.text = QPlainTextEdit()
        self.text.setObjectName("stats_text")
        self.text.setPlaceholderText(self.PLACEHOLDER)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        # The month's figures are there when the tab is first opened, and follow the ledgers'
        # changes while the text is as 统计 wrote it; a text the clerk has edited is never replaced
        # (统计 replaces it when asked). Figured off the GUI thread: 0.5 s for a month of a
        # large township, which froze the window when it was figured here.
        self._generated = ""
        self._requests = 0
        self._counting = (0, True)     # the request being counted, and whether the clerk asked
        self._thread: QThread | None = None
        self._again = ""               # "asked" or "followed": to count again when this one ends
        self.follower = ChangeFollower(self, ctx.bus, FIGURES_READ, self._follow)
        self.follower.stale = True

    def _period(self):
        from hzdesk.periods import parse_period
        return parse_period(self.period.text()) if self.period.text().strip() else None

    def run(self, *, asked: bool = True) -> None:
        """The period's figures as of today, as `hzdesk stats` gives them, into the text box.
        Not `asked` (a change to the ledgers): only into a text the clerk has not edited meanwhile."""
        self._requests += 1      # a count under way for an earlier request is not shown
        try:
            start, end = self._period()
        except (HzdeskError, ValueError, TypeError) as exc:
            self._show(f"无法统计：{exc}")
            return
        if self._thread is not None:    # one count at a time; the latest request's follows it
            # (the clerk's 统计 outranks a change's: it replaces an edited text)
            self._again = "asked" if asked or self._again == "asked" else "followed"
            return
        from hzdesk.office import statistics
        db = self.ctx.db
        self._counting = (self._requests, asked)
        self._say("正在统计……")
        self._thread, self._worker = in_background(
            self, lambda _step, _stop: statistics(db, start, end), self._counted)

    @Slot(object, object)
    def _counted(self, stats, error) -> None:
        from hzdesk.services.stats import summary_text
        self.finish()
        if self._again:
            again, self._again = self._again, ""
            self.run(asked=again == "asked")
            return
        self._say("")
        request, asked = self._counting
        if request != self._requests or not asked and self.text.toPlainText() != self._generated:
            return       # asked again since (a period mistyped), or the clerk has edited the text
        if isinstance(error, (HzdeskError, ValueError, TypeError)):
            self._show(f"无法统计：{error}")
        elif error is not None:
            show_error(self, "统计", error)
        else:
            self._show(summary_text(stats))

    def _say(self, text: str) -> None:
        """While counting, said where the clerk looks: in the empty box, and in the status bar."""
        self.text.setPlaceholderText(text or self.PLACEHOLDER)
        window = self.window()
        if hasattr(window, "statusBar"):
            if text:
                window.statusBar().showMessage(text)
            elif window.statusBar().currentMessage() == "正在统计……":
                window.statusBar().clearMessage()

    def _show(self, text: str) -> None:
        self.text.setPlainText(text)
        self._generated = text

    def _follow(self) -> None:
        if self.text.toPlainText() == self._generated:
            self.run(asked=False)

    def finish(self) -> None:
        """Wait for a count under way (the window waits for it before it closes)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread = None

    def make_pdf(self, path: str | None = None) -> None:
        """Write the chosen ledger off the GUI thread, then open it in the PDF viewer to print."""

        try:
            period = self._period()
        except (HzdeskError, ValueError) as exc:
            QMessageBox.warning(self, "生成 PDF", str(exc))
            return
        kind, title = self.kind.currentData(), self.kind.currentText()
        from hzdesk.reports.kinds import KINDS
        if not path and KINDS[kind].document:
            path, chosen = QFileDialog.getSaveFileName(
                self, f"保存{title}", str(Path.home() / f"{title}-{self.period.text().strip()}.docx"),
                "Word 文件 (*.docx);;PDF 文件 (*.pdf)")
            if path and Path(path).suffix.lower() not in (".docx", ".pdf"):
                path += ".pdf" if "pdf" in chosen else ".docx"
        elif not path:
            path, _ = QFileDialog.getSaveFileName(self, "保存 PDF", str(Path.home() / f"{title}-{clock.today()}.pdf"),
                                                  "PDF 文件 (*.pdf)")
        if not path:
            return

        from hzdesk.office import make_report
        from hzdesk.reports.kinds import check_options
        try:
            check_options(kind, period=period)
        except HzdeskError as exc:
            QMessageBox.warning(self, "生成 PDF", f"{exc}。")
            return

        def work(step, should_stop):
            return make_report(self.ctx.db, kind, path, period=period, progress=step, should_stop=should_stop,
                               with_sheets=kind == "binder" and self.with_sheets.isChecked(),
                               brief=KINDS[kind].details and self.brief.isChecked()).pages

        def done(pages, error):
            if error is not None:
                show_error(self, "生成 PDF", error)
                return
            self.last_pdf = path
            # Said in the status bar: the text box holds the clerk's (possibly edited) sentence.
            window = self.window()
            word = pages is None
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(f"已生成 {path}" + ("（Word 文件，可直接修改）" if word else f"（共 {pages} 页）"),
                                               15000)
            if word and QApplication.platformName() not in ("offscreen", "minimal"):
                from PySide6.QtCore import QUrl
                from PySide6.QtGui import QDesktopServices
                QDesktopServices.openUrl(QUrl.fromLocalFile(path))   # Word or WPS, whichever the PC has
            elif QApplication.platformName() not in ("offscreen", "minimal"):
                from hzdesk.ui.print_preview import show_preview
                show_preview(self, path, title)   # 打印, page range, copies, 另存为 PDF
        BackgroundTask(self, f"正在生成{title}", work, done).start()
