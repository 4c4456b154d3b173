"""Every change leaves a trace in the same transaction, chained so outside edits show."""

import sqlite3

import pytest

from sqlalchemy import select

from hzdesk.db.audit import verify_chain
from hzdesk.db.models import AuditEntry
from hzdesk.services import records
from hzdesk.services.check import check_database


def trail(session):
    """The entries the test's own changes made (a new database starts with its 基线)."""
    return [(e.action, e.table_name, e.record_id, e.actor)
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action != "基线").order_by(AuditEntry.id))]


def test_insert_update_delete_are_recorded_with_before_and_after(session):
    p = records.create(session, "person", {"name": "王淼", "phone": "13900001111"})
    session.commit()
    records.update(session, "person", p.id, {"post": "村支书", "phone": "13900002222"})
    session.commit()
    records.delete(session, "person", p.id)
    session.commit()
    assert trail(session) == [("新增", "person", p.id, "测试员"), ("修改", "person", p.id, "测试员"),
                              ("删除", "person", p.id, "测试员")]
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action != "基线").order_by(AuditEntry.id)).all()
    assert entries[0].after["name"] == "王淼"
    assert entries[1].before == {"post": None, "phone": "13900001111"}
    digest = entries[1].after.pop("_digest")            # the whole row as stored then (digest.py)
    assert entries[1].after == {"post": "村支书", "phone": "13900002222"} and len(digest) == 24
    assert entries[2].before["phone"] == "13900002222"
    assert verify_chain(session.connection()) == []


def test_a_new_rows_entry_is_the_row_as_written(session, river, chief):
    """A new row's entry reads what the flush wrote without asking each unset column again; a
    column the database filled and did not send back (expired) is read, not taken as empty."""
    from hzdesk.db.audit import _row_dict

    patrol = records.create(session, "patrol", {"water_body_id": river.id, "person_id": chief.id,
                                                "patrol_date": "2025-03-05", "notes": "雨后巡查"})
    whole = _row_dict(patrol)
    assert _row_dict(patrol, inserted=True) == whole
    assert whole["notes"] == "雨后巡查" and whole["findings"] is None and whole["township_id"] == 1
    session.expire(patrol, ["notes", "township_id"])
    assert _row_dict(patrol, inserted=True) == whole


def test_a_files_rows_are_digested_as_sqlite_gives_them(session, river, chief):
    """On SQLite the values read are already as stored: the digest skips converting them, and
    must come out as if it had not (every file's sealed rows would otherwise fail `check`)."""
    from hzdesk.db import digest

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("a server's values are converted")
    records.create(session, "patrol", {"water_body_id": river.id, "person_id": chief.id, "patrol_date": "2025-03-05",
                                       "start_time": "08:00", "checklist": {"rubbish": True}, "found_problem": "是"})
    conn = session.connection()
    for table in ("patrol", "water_body", "person"):
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
        columns = tuple(result.keys())
        converted = {row[columns.index("id")]: digest.digest(columns, tuple(digest._as_sqlite_stores(v) for v in row))
                     for row in result}
        assert digest.rows_of(conn, table) == converted and converted


def test_rolled_back_change_leaves_no_trace(session):
    records.create(session, "person", {"name": "李四"})
    session.rollback()
    assert trail(session) == []


@pytest.mark.sqlite_only
def test_an_edit_outside_the_app_breaks_the_chain(db, session):
    for name in ("甲", "乙", "丙"):
        records.create(session, "person", {"name": name})
    session.commit()
    con = sqlite3.connect(db.path)
    con.execute("UPDATE audit_entry SET actor='别人' WHERE id=2")
    con.commit()
    problems = verify_chain(session.connection())
    assert problems == ["留痕第 2 条的内容与校验值不符（被改动过）"]
    con.execute("DELETE FROM audit_entry WHERE id=2")
    con.commit()
    session.rollback()
    assert any("衔接不上" in p for p in verify_chain(session.connection()))
    assert not check_database(session).ok
    con.close()


def test_record_history_in_words(session):
    from hzdesk.services.history import record_history
    p = records.create(session, "person", {"name": "王淼", "phone": "13900001111"})
    session.commit()
    records.update(session, "person", p.id, {"post": "村支书"})
    session.commit()
    lines = record_history(session, "person", p.id)
    assert len(lines) == 2 and lines[0].endswith("测试员　新增")
    assert lines[1].endswith("修改　职务：（空） → 村支书")


def test_the_chains_head_outside_finds_truncation_and_rewriting(tmp_path):
    """#15 point 4 (part): deleting the trail's tail or rewriting and re-chaining it was invisible.
    The head kept beside the database after every commit finds both; a restore moves it."""
    import sqlite3

    from hzdesk import office
    from hzdesk.db.anchor import anchor_path, read_anchor
    from hzdesk.db.audit import GENESIS, entry_hash
    from hzdesk.db.engine import open_database
    from hzdesk.services import records

    path = tmp_path / "x.db"
    db = open_database(path)
    for name in ("甲", "乙", "丙"):
        office.write(db, records.create, "person", {"name": name})
    assert office.check(db).ok and read_anchor(path)["count"] >= 3
    db.close()

    def tamper(sql_steps):
        con = sqlite3.connect(path)
        for sql in sql_steps:
            con.execute(sql)
        rows = con.execute("SELECT id, at, actor, action, table_name, record_id, before, after FROM audit_entry "
                           "ORDER BY id").fetchall()
        prev = GENESIS     # …and the whole chain computed again, as a careful forger would
        import json
        for rid, at, actor, action, table, record, before, after in rows:
            e = {"at": at, "actor": actor, "action": action, "table_name": table, "record_id": record,
                 "before": json.loads(before) if before else None, "after": json.loads(after) if after else None}
            h = entry_hash(prev, e)
            con.execute("UPDATE audit_entry SET prev_hash = ?, entry_hash = ? WHERE id = ?", (prev, h, rid))
            prev = h
        con.commit()
        con.close()

    saved = path.read_bytes(), anchor_path(path).read_text()
    tamper(["DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)"])
    db = open_database(path)
    errors = office.check(db).errors
    db.close()
    assert any("留痕被截断" in e for e in errors), errors
    path.write_bytes(saved[0])
    tamper(["UPDATE audit_entry SET actor = '别人' WHERE id = (SELECT max(id) FROM audit_entry)"])
    db = open_database(path)
    errors = office.check(db).errors
    db.close()
    assert any("留痕被改写" in e for e in errors), errors


def test_outside_edits_of_every_kind_are_found_by_ledger_and_record(tmp_path):
    """#15 point 4: editing a patrol or a problem with sqlite3 was never noticed (3 of 25 caught).
    Every entry now seals its row; check compares each current row with its last seal."""
    import datetime as dt
    import sqlite3

    from hzdesk import office
    from hzdesk.db.engine import open_database
    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.services import records

    path = tmp_path / "x.db"
    db = open_database(path)
    load_demo(db, DemoOptions(scale="small", seed=4, until=dt.date(2025, 6, 30)))
    office.write(db, records.update, "person", 1, {"post": "站长"})      # a change the program made
    assert office.check(db).ok
    db.close()
    edits = {   # what a 25-line script with sqlite3 did, one kind per ledger
        "巡河记录：留痕之外被修改": "UPDATE patrol SET patrol_date = date(patrol_date, '-1 day') WHERE id = 7",
        "问题台账：留痕之外被修改": "UPDATE problem SET description = description || '。' WHERE id = 3",
        "人员名录：留痕之外被修改": "UPDATE person SET phone = '13000000000' WHERE id = 1",
        "河长任职：留痕之外被修改": "UPDATE appointment SET doc_number = coalesce(doc_number, '') || '号' WHERE id = 2",
        "公示牌台账：留痕之外被修改": "UPDATE sign_board SET place = coalesce(place, '') || '旁' WHERE id = 1",
        "办理经过：留痕之外被删除": "DELETE FROM problem_event WHERE id = 5",
        "巡河记录：留痕之外新增": "INSERT INTO patrol (person_id, water_body_id, patrol_date, entered_on, found_problem,"
                             " created_at, updated_at) VALUES (1, 1, '2025-03-01', '2025-03-01', 0, '2025-03-01',"
                             " '2025-03-01')",
        "选项：留痕之外被修改": "UPDATE choice_item SET value = value || '（改）' WHERE id = 1",
    }
    caught = 0
    saved = path.read_bytes()
    for expected, sql in edits.items():
        path.write_bytes(saved)
        for side in tmp_path.glob("x.db-*"):
            side.unlink()
        con = sqlite3.connect(path)
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute(sql)
        con.commit()
        con.close()
        db = open_database(path)
        errors = office.check(db).errors
        db.close()
        caught += any(expected in e for e in errors)
        assert any(expected in e for e in errors), (sql, errors)
    print(f"\noutside edits caught: {caught} / {len(edits)}")
