"""The window on a real database, driven as a clerk would (offscreen)."""

import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QLabel, QPushButton

from hzdesk.ui.app import MainWindow


def test_empty_database_offers_sample_data_and_loads_it(qtbot, db):
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    assert window.findChild(QLabel, "count_巡河记录").text() == "0 条"
    button = window.findChild(QPushButton, "load_demo")
    assert button is not None and button.text() == "载入示例数据"
    button.click()
    qtbot.waitUntil(lambda: window.findChild(QLabel, "count_巡河记录").text() != "0 条", timeout=60_000)
    assert int(window.findChild(QLabel, "count_巡河记录").text().split()[0]) > 1000
    assert window.findChild(QPushButton, "load_demo") is None
    assert "清溪镇河长制办公室" in window.windowTitle()


def test_qt_model_callbacks_returning_none_do_not_crash():
    """PySide6 6.12.0 on CPython 3.11 aborts ("none_dealloc") after a few thousand Python callbacks
    that return None. Run that pattern in a child process so a bad combination fails this test
    instead of killing the test run."""
    code = textwrap.dedent("""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        class Model(QAbstractTableModel):
            def rowCount(self, parent=None): return 100
            def columnCount(self, parent=None): return 10
            def data(self, index, role=Qt.ItemDataRole.DisplayRole): return None
        model = Model()
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        for _ in range(30):
            for r in range(100):
                for c in range(10):
                    proxy.data(proxy.index(r, c))
        print("survived")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "survived" in r.stdout, r.stderr[-2000:]


def test_counting_rules_help_is_shipped_and_shown(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QDialog, QTextBrowser

    from hzdesk.ui.app import HELP_DIR

    text = (HELP_DIR / "统计口径.md").read_text(encoding="utf-8")
    for term in ("巡河率", "旬", "超期", "整改率", "过期起始日"):
        assert term in text
    shown = {}

    def fake_exec(dialog):
        shown["text"] = dialog.findChild(QTextBrowser).toPlainText()
        return 0

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show_rules_help()
    assert "计入次数" in shown["text"]
