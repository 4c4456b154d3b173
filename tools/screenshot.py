"""Open the window on a database and save a screenshot of the whole screen.

Run under Xvfb to see what a clerk sees, e.g.:
    xvfb-run -s "-screen 0 1366x768x24" python tools/screenshot.py --db demo.db --out shot.png
"""

import argparse
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hzdesk.db.engine import open_database
from hzdesk.ui.app import MainWindow


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--maximized", action="store_true")
    args = ap.parse_args()
    app = QApplication(sys.argv)
    window = MainWindow(open_database(args.db))
    window.showMaximized() if args.maximized else window.show()

    def grab() -> None:
        app.primaryScreen().grabWindow(0).save(args.out)
        app.quit()

    QTimer.singleShot(1500, grab)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
