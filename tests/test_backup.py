"""Backups: consistent, verified, rotated; restore puts a verified copy back after saving the present."""

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest

from hzdesk import clock
from hzdesk.db.backup import backup, backups_dir, list_backups, restore, rotate, verify
from hzdesk.errors import DatabaseError
from hzdesk.services import records


pytestmark = pytest.mark.sqlite_only   # what only a SQLite file has


def person_count(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        con.close()


def test_backup_is_verified_and_complete(db, session):
    for name in ("甲", "乙"):
        records.create(session, "person", {"name": name})
    session.commit()
    info = backup(db.path, "手动")
    assert info.path.parent == backups_dir(db.path) and info.counts["person"] == 2
    assert verify(info.path)["person"] == 2
    con = sqlite3.connect(info.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    con.close()
    assert not list(info.path.parent.glob(".tmp-*"))


def test_restore_saves_the_present_first_and_is_whole(db, session):
    records.create(session, "person", {"name": "甲"})
    session.commit()
    first = backup(db.path, "手动")
    records.create(session, "person", {"name": "乙"})
    session.commit()
    db.close()
    safety = restore(db.path, first.path)
    assert person_count(db.path) == 1 and verify(safety.path)["person"] == 2
    assert "恢复前" in safety.path.name


def test_foreign_or_damaged_backups_are_refused(db, tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseError, match="不是河长办台账"):
        restore(db.path, other)
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(DatabaseError):
        restore(db.path, broken)


def test_rotation_keeps_7_daily_4_weekly_12_monthly(db):
    start = dt.datetime(2025, 1, 1, 9, 0)
    for day in range(400):
        backup(db.path, "每日", now=start + dt.timedelta(days=day))
    rotate(db.path, today=(start + dt.timedelta(days=399)).date())
    kept = sorted(b.taken.date() for b in list_backups(db.path))
    newest = (start + dt.timedelta(days=399)).date()
    assert all((newest - dt.timedelta(days=i)) in kept for i in range(7))       # the last 7 days
    months = {(d.year, d.month) for d in kept}
    assert len(months) == 12                                                  # one per month for a year
    assert len(kept) <= 7 + 4 + 12 and min(kept) > dt.date(2025, 1, 1)


def test_later_starts_of_the_day_open_no_backup_file(db, monkeypatch):
    """Every start asks whether today's backup exists; with a full rotation (23 copies) that
    must not mean opening and checking 23 databases."""
    from hzdesk.db import backup as backup_module
    start = clock.now() - dt.timedelta(days=30)
    for day in range(30):
        backup(db.path, "每日", now=start + dt.timedelta(days=day))
    assert backup_module.daily_backup(db.path) is not None   # the first start today takes one
    opened = []
    monkeypatch.setattr(backup_module, "verify", lambda f: opened.append(f) or {})
    assert backup_module.daily_backup(db.path) is None       # a later start: nothing to do
    assert opened == []
    assert len(list_backups(db.path)) == len(opened) > 0      # choosing one to restore still checks each


def test_import_takes_a_backup_first(db, tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "人员名录"
    wb.active.append(["姓名"])
    wb.active.append(["甲"])
    wb.save(tmp_path / "p.xlsx")
    r = subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(db.path), "import", str(tmp_path / "p.xlsx")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert [b.reason for b in list_backups(db.path)] == ["导入前"]
    # Taken once the workbook had passed, before its rows were committed: the copy is the way back.
    assert person_count(list_backups(db.path)[0].path) == 0 and person_count(db.path) == 1


def test_a_refused_import_leaves_no_copy_and_a_failed_copy_no_import(db, tmp_path, monkeypatch):
    """A workbook the clerk mends and tries again, ten times, made ten copies of the whole database,
    each kept 30 days. Now the copy comes once every row has passed; without it nothing is written."""
    import openpyxl

    from hzdesk import office
    from hzdesk.db import backup as backup_module
    from hzdesk.errors import HzdeskError

    def workbook(name, date):
        wb = openpyxl.Workbook()
        wb.active.title = "人员名录"
        wb.active.append(["姓名", "离职日期"] if date else ["姓名"])
        wb.active.append(["甲", date] if date else ["甲"])
        wb.save(tmp_path / name)
        return tmp_path / name
    wrong = workbook("wrong.xlsx", "2025-02-30")
    result = office.import_workbook(db, wrong)
    assert result.issues and not result.written
    assert list_backups(db.path) == []

    def no_room(*args, **kwargs):
        raise HzdeskError("磁盘空间不足")
    monkeypatch.setattr(backup_module, "backup", no_room)
    with pytest.raises(HzdeskError, match="磁盘空间不足"):
        office.import_workbook(db, workbook("right.xlsx", None))
    assert person_count(db.path) == 0


def test_safety_copies_outlive_the_rotation(db):
    """#15 point 1: the 恢复前 copy the program had just named was deleted by the next backup."""
    start = dt.datetime(2025, 1, 1, 9, 0)
    safety = [backup(db.path, reason, now=start + dt.timedelta(days=i, hours=1))
              for i, reason in enumerate(["导入前", "恢复前", "升级前"] * 5)]   # 15, one a day
    for day in range(60):
        backup(db.path, "每日", now=start + dt.timedelta(days=day))
    rotate(db.path, today=(start + dt.timedelta(days=20)).date())
    left = {b.path for b in list_backups(db.path)}
    assert all(s.path in left for s in safety)                        # all within 30 days
    rotate(db.path, today=(start + dt.timedelta(days=100)).date())
    left = {b.path for b in list_backups(db.path)}
    assert [s.path in left for s in safety] == [False] * 5 + [True] * 10   # then the last 10


def test_a_backup_from_a_newer_program_is_refused_untouched(db, session, tmp_path):
    """#15 point 3: restoring it made every command refuse the database."""
    records.create(session, "person", {"name": "甲"})
    session.commit()
    newer = backup(db.path, "手动").path
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    records.create(session, "person", {"name": "乙"})
    session.commit()
    db.close()
    before = len(list_backups(db.path))
    with pytest.raises(DatabaseError, match="更新版本"):
        restore(db.path, newer)
    assert person_count(db.path) == 2 and len(list_backups(db.path)) == before   # no 恢复前 copy either


def test_restore_copies_a_cut_attachment_again(db, session, tmp_path):
    """#15 point 8: a truncated copy left by a killed restore was kept because it existed."""
    from PIL import Image

    from hzdesk.db.backup import blob_is_whole
    from hzdesk.services import attachments as A

    wb = records.create(session, "water_body", {"code": "XJ001", "name": "清溪河", "kind": "河流", "level": "县级"})
    p = records.create(session, "problem", {"found_on": "2025-03-05", "water_body_id": wb.id, "source": "暗访",
                                            "category": "乱堆", "description": "堆放"})
    Image.new("RGB", (64, 48), (10, 200, 30)).save(tmp_path / "a.jpg")
    att, _ = A.add_attachment(session, db.attachments, "problem", p.id, tmp_path / "a.jpg", purpose="整改前")
    session.commit()
    saved = backup(db.path, "手动")
    stored = A.file_of(db.attachments, att)
    stored.write_bytes(stored.read_bytes()[:10])           # cut short, as by a kill
    assert not blob_is_whole(stored)
    from hzdesk import office
    report = office.check(db)
    assert any("1 个附件文件已损坏" in e and "a.jpg" in e for e in report.errors)
    db.close()
    restore(db.path, saved.path)
    assert blob_is_whole(stored) and not list(stored.parent.glob(".tmp-*"))
    stored.unlink()
    assert any("1 个附件找不到文件" in e for e in office.check(db).errors)


def test_backups_while_another_program_writes_all_verify(db):
    """#15 point 14: one backup in 56 during concurrent imports failed "记录数与原数据库不一致"
    (the counts were read before the copy). Counts and copy now share one snapshot."""
    import threading

    db.close()
    stop = threading.Event()

    def writer():
        con = sqlite3.connect(db.path, timeout=10)
        i = 0
        while not stop.is_set():
            con.execute("INSERT INTO person (name, created_at, updated_at) VALUES (?, '2025-01-01', '2025-01-01')",
                        (f"人员{i}",))
            con.commit()
            i += 1
        con.close()
    t = threading.Thread(target=writer)
    t.start()
    try:
        infos = [backup(db.path, "手动", now=dt.datetime(2025, 1, 1, 8, 0) + dt.timedelta(minutes=k))
                 for k in range(25)]
    finally:
        stop.set()
        t.join()
    counts = [i.counts["person"] for i in infos]
    assert counts == sorted(counts) and counts[-1] > counts[0]   # the writer was busy throughout


def test_a_backup_whose_trail_was_cut_is_not_restored(db, session):
    """#15 point 4: the chain's head travels with every backup; a backup altered since is refused."""
    records.create(session, "person", {"name": "甲"})
    session.commit()
    saved = backup(db.path, "手动").path
    assert saved.with_name(saved.name + ".chain").exists()
    con = sqlite3.connect(saved)
    con.execute("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)")
    con.commit()
    con.close()
    db.close()
    with pytest.raises(DatabaseError, match="留痕与备份时不符"):
        restore(db.path, saved)
    assert person_count(db.path) == 1
