"""Excel in the window: export with a period, import with a preview and the list of problems.

Both run off the GUI thread behind a progress dialog; the import first checks (a dry run) and
shows what would be added or what is wrong, and writes only when the clerk confirms.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from hzdesk import clock
from hzdesk.errors import HzdeskError, os_reason
from hzdesk.ui.common import AppContext, BackgroundTask, ok_cancel, show_error


def export_excel(ctx: AppContext, parent: QWidget) -> None:
    from hzdesk.parsing import ParseError
    from hzdesk.periods import parse_period

    dialog = QDialog(parent)
    dialog.setWindowTitle("导出 Excel（县级报送）")
    form = QFormLayout(dialog)
    period = QLineEdit()
    period.setPlaceholderText("留空为全部；如 2025、2025Q1、2025-03")
    form.addRow("巡河和问题的期间", period)
    form.addRow(QLabel("河湖、人员、任职、公示牌等名录总是全部导出。"))
    form.addRow(ok_cancel("选择保存位置…", dialog.accept, dialog.reject))
    if not dialog.exec():
        return
    try:
        chosen = parse_period(period.text()) if period.text().strip() else None
    except ParseError as exc:
        QMessageBox.warning(parent, "导出 Excel", str(exc))
        return
    name = f"河长制台账-{clock.today().isoformat()}.xlsx"
    path, _ = QFileDialog.getSaveFileName(parent, "导出 Excel", str(Path.home() / name), "Excel 工作簿 (*.xlsx)")
    if not path:
        return
    from hzdesk.office import export_workbook

    def work(step, should_stop):
        return export_workbook(ctx.db, path, period=chosen, progress=step, should_stop=should_stop)

    def done(counts, error):
        if error is not None:
            show_error(parent, "导出 Excel", error)
            return
        QMessageBox.information(parent, "导出 Excel", f"已导出到 {path}\n\n"
                                + "\n".join(f"{k}：{v} 行" for k, v in counts.items()))
    BackgroundTask(parent, "正在导出 Excel", work, done).start()


class ImportPreview(QDialog):
    """What a workbook would add, or every problem in it; the import happens only on 确定."""

    def __init__(self, result, parent=None):
        super().__init__(parent)
        self.setWindowTitle("导入 Excel")
        self.error_file: str | None = None
        layout = QVBoxLayout(self)
        text = QPlainTextEdit()
        text.setReadOnly(True)
        lines = []
        if result.ok:
            lines.append("检查通过，将导入：")
            lines += [f"  {line}" for line in result.sheet_lines()]
            if result.changes:
                lines.append("已有记录中将改动的内容：")
                lines += [f"  {line}" for line in result.change_lines(200)]
            if not any(result.counts.values()):
                lines = ["工作簿中没有数据行。"]
        else:
            lines.append(f"发现 {len(result.issues)} 处错误，不会导入任何数据。请改正后再导入：")
            lines += [f"  {line}" for line in result.issue_lines(500)]
        lines += [f"提示：{n}" for n in result.notices]
        text.setPlainText("\n".join(lines))
        layout.addWidget(text, 1)
        buttons = QDialogButtonBox()
        if result.ok and any(result.counts.values()):
            go = buttons.addButton("确定导入", QDialogButtonBox.ButtonRole.AcceptRole)
            go.setObjectName("confirm_import")
        else:
            save = QPushButton("保存错误清单…")
            save.clicked.connect(lambda: self.save_errors(result))
            save.setEnabled(not result.ok)
            buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 520)

    def save_errors(self, result) -> None:
        from hzdesk.reports.error_workbook import write_error_workbook

        path, _ = QFileDialog.getSaveFileName(self, "保存错误清单", str(Path.home() / "导入错误清单.xlsx"),
                                              "Excel 工作簿 (*.xlsx)")
        if path:
            try:
                write_error_workbook(path, result)
            except OSError as exc:
                QMessageBox.warning(self, "保存错误清单", f"无法保存：{os_reason(exc)}")
                return
            self.error_file = path


def import_excel(ctx: AppContext, parent: QWidget, path: str | None = None, *, township: str | None = None) -> None:
    """Check a workbook in full, show what it would do, write it when the clerk agrees. With
    `township`: 合并乡镇台账, into that township of the county's database."""
    title = "导入 Excel" if township is None else f"合并乡镇台账（{township}）"
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入 Excel", str(Path.home()), "Excel 工作簿 (*.xlsx)")
        if not path:
            return
    from hzdesk.office import import_workbook, merge_township

    def run(step, should_stop, dry_run):
        if township is None:
            return import_workbook(ctx.db, path, dry_run=dry_run, progress=step, should_stop=should_stop)
        return merge_township(ctx.db, path, township, dry_run=dry_run, progress=step, should_stop=should_stop)

    def check(step, should_stop):
        return run(step, should_stop, True)

    def write(step, should_stop):
        return run(step, should_stop, False)

    def written(result, error):
        if error is not None or not result.written:
            show_error(parent, title, error or HzdeskError("导入未完成，没有写入数据。"))
            return
        ctx.bus.announce()
        QMessageBox.information(parent, title, "导入完成：\n" + "\n".join(result.sheet_lines()))

    def checked(result, error):
        if error is not None:
            show_error(parent, title, error)
            return
        if ImportPreview(result, parent).exec():
            BackgroundTask(parent, "正在导入", write, written).start()

    BackgroundTask(parent, "正在检查工作簿", check, checked).start()


def save_template(ctx: AppContext, parent: QWidget) -> None:
    path, _ = QFileDialog.getSaveFileName(parent, "保存导入模板", str(Path.home() / "河长制台账导入模板.xlsx"),
                                          "Excel 工作簿 (*.xlsx)")
    if not path:
        return
    from hzdesk.office import write_template
    try:
        write_template(ctx.db, path)
    except (HzdeskError, OSError) as exc:
        show_error(parent, "导入模板", exc)
        return
    QMessageBox.information(parent, "导入模板", f"模板已保存到 {path}")
