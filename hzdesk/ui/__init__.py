"""The window. Qt is imported only under this package (tests/test_layering.py), so this file runs
before the first Qt import of any kind.

In the installed program, Qt is made ready here, as PyInstaller's start-up hook for PySide6 would
have done: that hook imports Qt's core library at every start of either program (45 ms), and the
command line's commands never show a window. installer.spec leaves the hook out."""

import sys

if getattr(sys, "frozen", False):
    def _prepare_bundled_qt() -> None:
        """What PyInstaller's pyi_rth_pyside6 does: Qt's plugins and libraries found in the
        bundle's folder, not wherever the machine's settings point."""
        import os

        base = sys._MEIPASS
        qt = os.path.join(base, "PySide6") if sys.platform.startswith("win") else os.path.join(base, "PySide6", "Qt")
        os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
        os.environ["QML2_IMPORT_PATH"] = os.path.join(qt, "qml")
        if sys.platform.startswith("win"):
            os.environ["PATH"] = os.pathsep.join([base, os.environ.get("PATH", "")])
        try:
            from _pyi_rth_utils import qt as pyinstaller_qt   # PyInstaller's own helper, in the bundle
        except ImportError:
            return
        pyinstaller_qt.create_embedded_qt_conf("PySide6", qt)   # Qt's prefix: the bundle's folder

    _prepare_bundled_qt()
