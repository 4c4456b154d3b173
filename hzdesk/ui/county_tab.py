"""县级汇总: the county's database — each township's figures for a period, ranked, the 排名通报,
and 合并乡镇台账 (a township's workbook into its township). Shown only when the database holds
several townships (#18 point 4)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError
from hzdesk.ui.common import AppContext, BackgroundTask, ok_cancel, show_error


class CountyTab(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        today = clock.today()
        self.period = QLineEdit(f"{today.year}Q{(today.month - 1) // 3 + 1}")
        self.period.setObjectName("county_period")
        self.period.setToolTip("2025-03（月）、2025Q1（季度）、2025H1（上半年）、2025（年）")
        self.period.returnPressed.connect(self.run)
        run = QPushButton("统计排名")
        run.setObjectName("county_run")
        run.clicked.connect(self.run)
        notice = QPushButton("生成排名通报…")
        notice.setObjectName("county_notice")
        notice.clicked.connect(self.make_notice)
        merge = QPushButton("合并乡镇台账…")
        merge.setObjectName("county_merge")
        merge.clicked.connect(lambda: merge_township_workbook(self.ctx, self))
        add = QPushButton("添加乡镇…")
        add.clicked.connect(lambda: add_township(self.ctx, self))
        row = QHBoxLayout()
        row.addWidget(QLabel("期间"))
        row.addWidget(self.period)
        row.addWidget(run)
        row.addWidget(notice)
        row.addSpacing(24)
        row.addWidget(merge)
        row.addWidget(add)
        row.addStretch(1)
        self.note = QLabel("点“统计排名”：各乡镇本期的巡河达标率、问题整改率、逾期问题和公示牌，按排名列出"
                           "（每个乡镇的数字与该乡镇自己统计的相同）。")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("county_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def _period(self):
        from hzdesk.periods import parse_period
        return parse_period(self.period.text())

    def run(self) -> None:
        try:
            start, end = self._period()
        except (HzdeskError, ValueError) as exc:
            QMessageBox.warning(self, "统计排名", str(exc))
            return
        from hzdesk.office import county_figures
        as_of = clock.today()

        def work(step, should_stop):
            return county_figures(self.ctx.db, start, end, as_of, progress=step, should_stop=should_stop)

        def done(result, error):
            if error is not None:
                show_error(self, "统计排名", error)
                return
            self.show_rows(*result)
            self.note.setText(f"{self.period.text().strip()}，截至 {as_of.isoformat()}；排名依次按巡河达标率、"
                              "问题整改率（高者在前），逾期未办结、公示牌未更新（少者在前）。")
        self._task = BackgroundTask(self, "正在统计各乡镇", work, done)
        self._task.start()

    def show_rows(self, rows: list[dict], total: dict) -> None:
        from hzdesk.services.county import COUNTS, MEASURES
        from hzdesk.services.stats import percent

        def shown(m, v):
            return "—" if v is None else (percent(v) if m.ratio else str(v))
        measures = MEASURES + COUNTS
        self.table.clear()
        self.table.setColumnCount(2 + len(measures))
        self.table.setHorizontalHeaderLabels(["排名", "乡镇"] + [m.label for m in measures])
        self.table.setRowCount(len(rows) + 1)
        for r, row in enumerate([*rows, None]):
            cells = ([str(row["rank"]), row["township"]] + [shown(m, row[m.key]) for m in measures] if row
                     else ["", "全县"] + [shown(m, total[m.path[0]][m.path[1]]) for m in measures])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def make_notice(self) -> None:
        try:
            period = self._period()
        except (HzdeskError, ValueError) as exc:
            QMessageBox.warning(self, "生成排名通报", str(exc))
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "保存排名通报", str(Path.home() / f"乡镇排名通报-{self.period.text().strip()}.docx"),
            "Word 文件 (*.docx);;PDF 文件 (*.pdf)")
        if not path:
            return
        if Path(path).suffix.lower() not in (".docx", ".pdf"):
            path += ".pdf" if "pdf" in chosen else ".docx"
        from hzdesk.office import make_report

        def work(step, should_stop):
            return make_report(self.ctx.db, "county-ranking", path, period=period, progress=step,
                               should_stop=should_stop)

        def done(_made, error):
            if error is not None:
                show_error(self, "生成排名通报", error)
                return
            self.last_notice = path
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(f"已生成 {path}", 15000)
        self._task = BackgroundTask(self, "正在生成排名通报", work, done)
        self._task.start()


def add_township(ctx: AppContext, parent: QWidget, name: str | None = None) -> str | None:
    """Ask for a township's name and add it to the database; None when the clerk cancelled."""
    if name is None:
        name, ok = QInputDialog.getText(parent, "添加乡镇", "乡镇名称（如 东岭镇）：")
        if not ok or not name.strip():
            return None
    from hzdesk.office import add_township as add, township_list
    from hzdesk.ui import common
    if not ctx.db.is_county and not common.confirm(
            parent, "添加乡镇",
            f"添加“{name.strip()}”后，本数据库将成为县级数据库（现有台账属于“{township_list(ctx.db)[0][1]}”）："
            "窗口右上角出现“乡镇”选择，全县汇总中只能查看和打印，录入和修改要先选择乡镇。\n\n"
            "乡镇自己的台账不需要添加乡镇。确定添加吗？"):
        return None
    try:
        added = add(ctx.db, name)
    except HzdeskError as exc:
        QMessageBox.warning(parent, "添加乡镇", str(exc))
        return None
    ctx.bus.announce()
    return added


class MergeDialog(QDialog):
    """合并乡镇台账: which township, which workbook."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("合并乡镇台账")
        from hzdesk.office import township_list
        self.township = QComboBox()
        self.township.setObjectName("merge_township")
        for _id, name, _code in township_list(ctx.db):
            self.township.addItem(name)
        self.file = QLineEdit()
        self.file.setObjectName("merge_file")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("乡镇", self.township)
        form.addRow("工作簿", file_row)
        hint = QLabel("乡镇用本软件“导出 Excel”报送的工作簿。编码只在所选乡镇内查找和查重；"
                      "先全部检查，全部正确才写入，有错误时一条也不写入。")
        hint.setWordWrap(True)
        buttons = ok_cancel("检查", self._accept, self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择乡镇报送的工作簿", str(Path.home()), "Excel 工作簿 (*.xlsx)")
        if path:
            self.file.setText(path)

    def _accept(self) -> None:
        if not self.file.text().strip():
            QMessageBox.warning(self, "合并乡镇台账", "请选择乡镇报送的工作簿。")
            return
        self.accept()


def merge_township_workbook(ctx: AppContext, parent: QWidget, township: str | None = None,
                            path: str | None = None) -> None:
    if township is None or path is None:
        dialog = MergeDialog(ctx, parent)
        if not dialog.exec():
            return
        township, path = dialog.township.currentText(), dialog.file.text().strip()
    from hzdesk.ui.excel_dialogs import import_excel
    import_excel(ctx, parent, path, township=township)
