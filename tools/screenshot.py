"""Open the window on a database and save screenshots, e.g. of every tab.

Run under Xvfb to see what a clerk sees:
    xvfb-run -s "-screen 0 1366x768x24" python tools/screenshot.py --db demo.db --out shots/ --tabs
"""

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hzdesk.db.engine import open_database
from hzdesk.ui.app import MainWindow


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True, help="a .png file, or a folder with --tabs")
    ap.add_argument("--tabs", action="store_true", help="one screenshot per main tab")
    ap.add_argument("--size", default="1366x740")
    args = ap.parse_args()
    app = QApplication(sys.argv)
    app.setOrganizationName("hzdesk-shots")
    window = MainWindow(open_database(args.db))
    w, h = (int(x) for x in args.size.split("x"))
    window.resize(w, h)
    window.move(0, 0)
    window.show()
    shots = list(range(window.tabs.count())) if args.tabs else [None]

    def grab(i: int = 0) -> None:
        if i >= len(shots):
            app.quit()
            return
        if shots[i] is not None:
            window.tabs.setCurrentIndex(shots[i])
            target = Path(args.out) / f"tab{shots[i]}_{window.tabs.tabText(shots[i])}.png"
        else:
            target = Path(args.out)
        target.parent.mkdir(parents=True, exist_ok=True)
        QTimer.singleShot(600, lambda: (app.primaryScreen().grabWindow(0).save(str(target)), grab(i + 1)))

    QTimer.singleShot(1200, grab)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
