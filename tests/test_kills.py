"""Killed at any moment (SIGKILL), the work is all there or none of it, and the file stays sound.

Each test starts a child process doing real work and kills it after a random delay, many times.
The counts are printed (pytest -s) for the record.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
KILLS = int(os.environ.get("HZDESK_KILLS", "12"))


def run_and_kill(code: str, delay: float) -> int | None:
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    return child.wait()


def timed(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def delays(rng: random.Random, start: float, done: float) -> list[float]:
    """Kill times spread over where the work happens, measured on this machine: a child's start-up
    (imports) takes about as long as the work, so fixed delays landed before any work began.
    Most land between start-up and the end of the work; every fourth well after it, so that
    both outcomes (nothing written, all written) are seen and asserted."""
    out = []
    for i in range(KILLS):
        if i % 4 == 3:
            out.append(done * 1.5 + 0.2)
        else:
            out.append(rng.uniform(start * 0.8, start + (done - start) * 0.7))
    return out


def sound(path) -> bool:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def tables(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def test_killed_migration_leaves_nothing_or_everything(tmp_path):
    rng = random.Random(1)
    outcomes = {"empty": 0, "complete": 0}
    start = timed("from hzdesk.db.engine import open_database")
    done = timed(f"from hzdesk.db.engine import open_database; open_database({str(tmp_path / 'timing.db')!r})")
    for i, delay in enumerate(delays(rng, start, done)):
        path = tmp_path / f"m{i}.db"
        run_and_kill(f"from hzdesk.db.engine import open_database; open_database({str(path)!r})", delay)
        if not path.exists() or not tables(path):
            outcomes["empty"] += 1
            continue
        assert sound(path)
        found = tables(path)
        assert "alembic_version" in found and {"patrol", "problem", "audit_entry"} <= found, found
        con = sqlite3.connect(path)
        assert con.execute("SELECT count(*) FROM choice_item").fetchone()[0] > 0  # seeded in the same step
        con.close()
        outcomes["complete"] += 1
    print(f"\nmigration kills: {KILLS}, {outcomes} (start-up {start:.2f} s, whole {done:.2f} s)")
    assert outcomes["empty"] and outcomes["complete"], outcomes   # kills landed on both sides of the commit


def test_killed_import_writes_all_or_nothing(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员名录"
    ws.append(["姓名", "电话"])
    for i in range(3000):
        ws.append([f"人员{i}", f"139{i:08d}"])
    book = tmp_path / "people.xlsx"
    wb.save(book)
    base = tmp_path / "base.db"
    from hzdesk.db.engine import open_database
    open_database(base).close()   # an empty database (commands other than demo/import do not create one)
    rng = random.Random(2)
    seen = {0: 0, 3000: 0}
    command = "import sys; from hzdesk.cli import main; sys.exit(main(['--db', {db!r}, 'import', {book!r}]))"
    (tmp_path / "timing.db").write_bytes(base.read_bytes())
    start = timed("import sys; from hzdesk.cli import main")
    done = timed(command.format(db=str(tmp_path / "timing.db"), book=str(book)))
    for i, delay in enumerate(delays(rng, start, done)):
        path = tmp_path / f"i{i}.db"
        path.write_bytes(base.read_bytes())
        run_and_kill(command.format(db=str(path), book=str(book)), delay)
        assert sound(path)
        con = sqlite3.connect(path)
        people = con.execute("SELECT count(*) FROM person").fetchone()[0]
        audit = con.execute("SELECT count(*) FROM audit_entry WHERE action != '基线'").fetchone()[0]
        con.close()
        assert people in (0, 3000), people
        assert audit == people  # the trail went in with the rows, or not at all
        seen[people] += 1
    print(f"\nimport kills: {KILLS}, rows after kill: {seen} (start-up {start:.2f} s, whole {done:.2f} s)")
    assert seen[0] and seen[3000], seen


def test_killed_backup_never_harms_the_previous_one(tmp_path):
    from hzdesk.db.backup import backup, list_backups
    from hzdesk.db.engine import open_database
    from hzdesk.demo import DemoOptions, load_demo
    import datetime as dt
    path = tmp_path / "b.db"
    db = open_database(path)
    load_demo(db, DemoOptions(scale="small", seed=1, until=dt.date(2025, 6, 30)))
    db.close()
    first = backup(path, "每日", now=dt.datetime(2025, 1, 1, 8, 0))
    rng = random.Random(3)
    code = f"from hzdesk.db.backup import backup; backup({str(path)!r}, '手动')"
    start = timed("from hzdesk.db.backup import backup")
    done = timed(code)
    before = len(list_backups(path))
    for delay in delays(rng, start, done):
        run_and_kill(code, delay)
        assert sound(path)
        assert first.path.exists() and sound(first.path)
        for b in list_backups(path):  # whatever was finished verifies; half-written ones are temp files
            assert sound(b.path)
    leftovers = len(list(first.path.parent.glob(".tmp-*")))
    finished = len(list_backups(path)) - before   # counted before the rotation keeps one a day
    from hzdesk.db.backup import rotate
    rotate(path)
    assert not list(first.path.parent.glob(".tmp-*"))  # the next rotation tidies what kills left
    print(f"\nbackup kills: {KILLS}, finished backups: {finished}, temp files tidied: {leftovers} "
          f"(start-up {start:.2f} s, whole {done:.2f} s)")
    assert 0 < finished < KILLS   # some kills cut a backup short, some came after it was done
