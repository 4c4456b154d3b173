"""Small shared pieces of the window: the data-changed signal, running service calls, messages."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QProgressDialog, QVBoxLayout, QWidget

from hzdesk.db.engine import Database
from hzdesk.errors import HzdeskError, explain_storage_error


class Bus(QObject):
    """One app-wide "data changed" signal: every tab refreshes itself on it."""

    changed = Signal()


class AppContext:
    """What every tab needs: the open database and the bus. Handed down explicitly."""

    def __init__(self, db: Database):
        self.db = db
        self.bus = Bus()

    def read(self, fn: Callable, *args, **kwargs) -> Any:
        with self.db.session() as s:
            return fn(s, *args, **kwargs)

    def write(self, fn: Callable, *args, **kwargs) -> Any:
        """Run a service call in one transaction; announce the change when it committed.

        Storage failures (disk full, read-only file) come back as a Chinese DatabaseError; the
        transaction is rolled back, and the caller keeps what the clerk typed.
        """
        from sqlalchemy.exc import OperationalError

        try:
            with self.db.session() as s:
                with s.begin():
                    result = fn(s, *args, **kwargs)
        except OperationalError as exc:
            raise explain_storage_error(exc) or exc from exc
        self.bus.changed.emit()
        return result


def ok_cancel(ok_text: str, accept: Callable[[], None], reject: Callable[[], None],
              cancel_text: str = "取消") -> QDialogButtonBox:
    """The dialog buttons in Chinese: what the OK button does, and 取消."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(accept)
    buttons.rejected.connect(reject)
    return buttons


def show_error(parent: QWidget | None, title: str, exc: Exception) -> None:
    text = str(exc) if isinstance(exc, HzdeskError) else f"出现了意外错误：{exc}"
    QMessageBox.warning(parent, title, text)


def confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


class Worker(QObject):
    step = Signal(str)
    done = Signal(object, object)  # result, error

    def __init__(self, fn: Callable[..., Any]):
        super().__init__()
        self.fn = fn
        self.cancelled = False

    def run(self) -> None:
        try:
            result = self.fn(self.step.emit, lambda: self.cancelled)
        except Exception as exc:  # reported to the user by the GUI thread
            self.done.emit(None, exc)
        else:
            self.done.emit(result, None)


class BackgroundTask(QObject):
    """Run `fn(report_step, should_stop)` off the GUI thread behind a progress dialog with a
    取消 button; `fn` checks `should_stop()` now and then and gives up cleanly.

    `on_done(result, error)` runs in the GUI thread when it ends.
    """

    def __init__(self, parent: QWidget, title: str, fn, on_done: Callable[[Any, Exception | None], None]):
        super().__init__(parent)
        self.on_done = on_done
        self.progress = QProgressDialog(f"{title}…", "取消", 0, 0, parent)
        self.progress.setWindowTitle(title)
        self.progress.setMinimumDuration(0)
        self.thread = QThread(self)
        self.worker = Worker(fn)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # Bound methods of this GUI-thread object, so Qt queues the calls to the GUI thread.
        self.worker.step.connect(self._step)
        self.worker.done.connect(self._done)
        self.progress.canceled.connect(self._cancel)

    @Slot()
    def _cancel(self) -> None:
        self.worker.cancelled = True
        self.progress.setLabelText("正在取消…")

    def start(self) -> None:
        self.thread.start()
        self.progress.show()

    @Slot(str)
    def _step(self, text: str) -> None:
        self.progress.setLabelText(f"正在处理：{text}…")

    @Slot(object, object)
    def _done(self, result, error) -> None:
        self.thread.quit()
        self.thread.wait()
        self.progress.close()
        self.on_done(result, error)
        self.deleteLater()


class LazyPage(QWidget):
    """A tab page whose content is built the first time it is shown, or asked for."""

    def __init__(self, build: Callable[[], QWidget]):
        super().__init__()
        self._build: Callable[[], QWidget] | None = build
        self._content: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def content(self) -> QWidget:
        if self._content is None:
            self._content = self._build()
            self._build = None
            self.layout().addWidget(self._content)
        return self._content

    def showEvent(self, event) -> None:
        self.content()
        super().showEvent(event)
