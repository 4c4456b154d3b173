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


def _problem_with(window, state):
    from sqlalchemy import select

    from hzdesk.db.models import Problem
    return window.ctx.read(lambda s: s.scalar(select(Problem.id).where(Problem.state == state).limit(1)))


def _dialogs():
    from hzdesk.fields import LEDGERS, PATROL, PROBLEM
    from hzdesk.ui.patrols_tab import FastEntryDialog
    from hzdesk.ui.problems_tab import MoveDialog
    from hzdesk.ui.record_dialog import RecordDialog
    from hzdesk.ui.roster_tab import ReshuffleDialog
    from hzdesk.ui.settings_dialog import SettingsDialog
    from hzdesk.ui.village_reshuffle import VillageReshuffleDialog
    from hzdesk.vocab import ProblemState

    def failed_problem(w):
        d = RecordDialog(w.ctx, PROBLEM, None, w)
        d.widgets["found_on"].set_value("2025-02-30")
        d.save()
        return d
    return {
        "problem_form": failed_problem,
        "patrol_form": lambda w: RecordDialog(w.ctx, PATROL, None, w),
        "fast_entry": lambda w: FastEntryDialog(w.ctx, w),
        "assign": lambda w: MoveDialog(w.ctx, _problem_with(w, ProblemState.REGISTERED), "交办", {"number": "WT"}, w),
        "reshuffle": lambda w: ReshuffleDialog(w.ctx, w.roster.appointments.model.row_id(0), w),
        "village_reshuffle": lambda w: VillageReshuffleDialog(w.ctx, w),
        "settings": lambda w: SettingsDialog(w.ctx, w),
        # The new-record form of every ledger (the problem and patrol forms are above).
        **{f"form_{key}": (lambda w, lg=lg: RecordDialog(w.ctx, lg, None, w))
           for key, lg in LEDGERS.items() if lg not in (PATROL, PROBLEM)},
    }


DIALOGS = _dialogs()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True, help="a .png file, or a folder with --tabs")
    ap.add_argument("--tabs", action="store_true", help="one screenshot per main tab")
    ap.add_argument("--dialogs", action="store_true", help="one screenshot per main dialog")
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
    if args.dialogs:
        shots = [("dialog", name) for name in DIALOGS]

    def grab(i: int = 0) -> None:
        if i >= len(shots):
            app.quit()
            return
        if isinstance(shots[i], tuple):
            dialog = DIALOGS[shots[i][1]](window)
            dialog.move(40, 20)
            dialog.show()
            target = Path(args.out) / f"dialog_{shots[i][1]}.png"

            def snap_and_close(d=dialog, t=target):
                app.primaryScreen().grabWindow(0).save(str(t))
                d.hide()   # not close(): a half-filled form would ask before closing
                grab(i + 1)
            target.parent.mkdir(parents=True, exist_ok=True)
            QTimer.singleShot(600, snap_and_close)
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
