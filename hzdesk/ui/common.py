"""Small shared pieces of the window: the data-changed signal, running service calls, messages."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QMessageBox, QProgressDialog, QVBoxLayout,
                               QWidget)

from hzdesk.errors import HzdeskError, file_failure

if TYPE_CHECKING:   # the operations layer (and SQLAlchemy under it) loads after the window's frame
    from hzdesk.office import Changes, Database


class Bus(QObject):
    """One app-wide "data changed" signal carrying what changed (an `office.Changes`)."""

    changed = Signal(object)

    def announce(self, changes: Changes | None = None) -> None:
        """Say what changed; nothing named means everything (F5, a restore, another database)."""
        if changes is None:
            from hzdesk.office import EVERYTHING
            changes = EVERYTHING
        self.changed.emit(changes)


class AppContext:
    """What every tab needs: the open database and the bus. Handed down explicitly."""

    #: How many writes of the session 撤销 can take back, newest first.
    UNDO_DEPTH = 20

    def __init__(self, db: Database):
        self.db = db
        self.bus = Bus()
        self.undo_stack: list[tuple[int, int, str]] = []   # (first, last audit entry, in words)

    def read(self, fn: Callable, *args, **kwargs) -> Any:
        from hzdesk import office
        return office.read(self.db, fn, *args, **kwargs)

    def write(self, fn: Callable, *args, **kwargs) -> Any:
        """Run a service call through the operations layer (one transaction, storage errors in
        Chinese, the caller keeps what the clerk typed); announce what it changed."""
        from hzdesk import office
        result, changes = office.write(self.db, fn, *args, **kwargs)
        if changes.audit:
            from hzdesk.services.undo import describe

            first, last = changes.audit
            self.undo_stack = [*self.undo_stack[-(self.UNDO_DEPTH - 1):],
                               (first, last, self.read(describe, first, last))]
        if changes:
            self.bus.announce(changes)
        return result

    def undo(self) -> str:
        """Take back the newest write of the session still on the stack; return it in words.
        Raises HzdeskError (nothing changed) when the trail no longer allows it."""
        from hzdesk.services.undo import CannotUndo, undo

        if not self.undo_stack:
            raise CannotUndo("本次没有可撤销的保存或删除。")
        first, last, _words = self.undo_stack.pop()   # one that cannot be undone now never can
        from hzdesk import office
        words, changes = office.write(self.db, undo, first, last)
        self.bus.announce(changes)
        return words


#: The tables the office's figures read (概览, 报表): a change to one of them changes a figure.
FIGURES_READ = frozenset({"patrol", "patrol_track", "problem", "problem_event", "appointment", "person",
                          "water_body", "sign_board", "board_chief", "frequency_rule", "setting", "plan_item",
                          "river_plan"})


class ChangeFollower(QObject):
    """Refresh a screen when a change touches the tables it shows: at once if it is on screen,
    else the next time it is shown (a save in 快速录入 does not rebuild five hidden tabs)."""

    def __init__(self, widget: QWidget, bus: Bus, tables: set[str] | frozenset[str],
                 refresh: Callable[[], None]):
        super().__init__(widget)
        self.widget, self.tables, self.refresh = widget, frozenset(tables), refresh
        self.stale = False
        bus.changed.connect(self.on_changed)
        widget.installEventFilter(self)

    @Slot(object)
    def on_changed(self, changes: Changes) -> None:
        if not changes.touches(self.tables):
            return
        # On screen, or about to be (a page just built inside the current tab is shown by Qt a
        # moment later): refresh now; else when next shown.
        top = self.widget.window()
        if top.isVisible() and self.widget.isVisibleTo(top):
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def _refresh(self) -> None:
        # A refresh of a big page (概览 over 100,000 patrols) can take a moment: show it is working.
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.refresh()
        finally:
            QApplication.restoreOverrideCursor()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._refresh()
        return False


def opens_on_enter(view: QWidget, open_row: Callable[[], None]) -> None:
    """Enter (either key) on a list opens its chosen row, as a double click does — as Explorer's
    lists do; the keyboard alone reached a row and could not open it."""
    from PySide6.QtGui import QKeySequence, QShortcut

    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        QShortcut(QKeySequence(key), view, activated=open_row, context=Qt.ShortcutContext.WidgetShortcut)


@contextmanager
def busy(widget: QWidget, text: str) -> Iterator[None]:
    """A wait cursor and a status-bar note while something short but noticeable runs."""
    window = widget.window()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(text)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


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
    if isinstance(exc, HzdeskError):
        text = str(exc)
    elif isinstance(exc, OSError):   # a file: which one and why, in Chinese (the system's words are often English)
        text = f"无法读写文件：{file_failure(exc)}"
    else:
        text = f"出现了意外错误：{exc}"
    QMessageBox.warning(parent, title, text)


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return choose(parent, title, text, ["确定"], cancel="取消") == 0


def settle_unsaved(dialog: QDialog, changed: bool, text: str, save: Callable[[], bool]) -> bool:
    """Whether a dialog closing with typing not yet saved may close: asked first (保存后关闭 /
    不保存 / 返回), so that nothing the clerk typed is dropped without a word. `save` says whether
    it saved; a refusal shows its red words and keeps the dialog open."""
    if not changed:
        return True
    choice = choose(dialog, dialog.windowTitle(), text, ["保存后关闭", "不保存"])
    return choice == 1 or choice == 0 and save()


def choose(parent: QWidget, title: str, text: str, options: list[str], cancel: str = "返回") -> int | None:
    """Which of `options` the clerk pressed (0, 1, …); None for `cancel`, Esc or the box's ×."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    buttons = [box.addButton(o, QMessageBox.ButtonRole.AcceptRole) for o in options]
    box.setDefaultButton(buttons[0])
    box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return buttons.index(box.clickedButton()) if box.clickedButton() in buttons else None


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


def in_background(owner: QObject, fn: Callable[..., Any], done: Callable[[Any, Exception | None], None]
                  ) -> tuple[QThread, Worker]:
    """Run `fn(step, should_stop)` on a thread of its own without a progress dialog — work the
    clerk did not ask for (the daily backup, 报表's count) — and `done(result, error)` in the GUI
    thread: `done` must be a slot of a GUI-thread object, so Qt queues the call there. The caller
    keeps the pair, and waits for the thread (quit, wait) before it goes."""
    thread = QThread(owner)
    worker = Worker(fn)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(done)
    thread.start()
    return thread, worker


class BackgroundTask(QObject):
    """Run `fn(report_step, should_stop)` off the GUI thread behind a progress dialog with a
    取消 button; `fn` checks `should_stop()` now and then and gives up cleanly.

    `on_done(result, error)` runs in the GUI thread when it ends.
    """

    def __init__(self, parent: QWidget, title: str, fn, on_done: Callable[[Any, Exception | None], None],
                 *, cancellable: bool = True):
        super().__init__(parent)
        self.on_done = on_done
        self.progress = QProgressDialog(f"{title}…", "取消", 0, 0, parent)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)   # no other work on the data meanwhile
        if not cancellable:   # a restore half done is worse than a wait: no button that cannot work
            self.progress.setCancelButton(None)
        self.progress.setWindowTitle(title)
        self.progress.setMinimumWidth(420)   # long titles (迎检台账（全年合订本）) are not cut
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
    """A tab page whose content is built the first time it is shown, or asked for — once
    `ready()` says it can be (the window's frame shows "正在打开数据库…" until then)."""

    def __init__(self, build: Callable[[], QWidget], ready: Callable[[], bool] | None = None):
        super().__init__()
        self._build: Callable[[], QWidget] | None = build
        self._ready = ready
        self._content: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._waiting: QWidget | None = None
        if ready is not None and not ready():
            from PySide6.QtWidgets import QLabel

            self._waiting = QLabel("正在打开数据库…")
            self._waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._waiting.setStyleSheet("color: #666;")
            layout.addWidget(self._waiting)

    def built(self) -> QWidget | None:
        """The content if it has been built (nothing is built by asking)."""
        return self._content

    def content(self) -> QWidget:
        if self._content is None:
            self._content = self._build()
            self._build = None
            if self._waiting is not None:
                self._waiting.deleteLater()
                self._waiting = None
            self.layout().addWidget(self._content)
            # Not hidden from now on (Qt would otherwise show it only after the next event loop
            # turn): visible exactly when this page is.
            self._content.show()
        return self._content

    def showEvent(self, event) -> None:
        if self._ready is None or self._ready():
            self.content()
        super().showEvent(event)
