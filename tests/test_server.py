"""Several clerks on one database (#18): two writers at once keep one audit trail and distinct
problem numbers, and a stale edit is refused — on a SQLite file, and with HZDESK_TEST_PG on a
PostgreSQL server (the same tests, through the `db` fixture). Then what only a server has."""

import threading

import pytest
from sqlalchemy import func, select

from hzdesk import office
from hzdesk.db import models as m
from hzdesk.db.engine import open_database
from hzdesk.errors import DatabaseError
from hzdesk.paths import default_db_path, is_server
from hzdesk.services import records
from hzdesk.services.check import check_database

from conftest import SERVER


def _other(db):
    """A second program on the same database: its own engine and connections."""
    return open_database(db.url or db.path)


def _river(db):
    obj, _ = office.write(db, lambda s: records.create(s, "water_body", {"code": "XJ001", "name": "清溪河",
                                                                         "kind": "河流", "level": "县级"}))
    return obj.id


def _at_once(jobs):
    errors = []

    def run(job):
        try:
            job()
        except Exception as exc:   # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_two_clerks_saving_at_once_keep_one_trail_and_distinct_numbers(db):
    river = _river(db)
    second = _other(db)
    try:
        def clerk(database, who):
            def job():
                for i in range(40):
                    office.write(database, lambda s: records.create(s, "problem", {
                        "found_on": "2025-03-05", "water_body_id": river, "source": "暗访",
                        "category": "乱堆", "description": f"{who}发现的第 {i} 处"}))
            return job
        errors = _at_once([clerk(db, "甲"), clerk(second, "乙")])
    finally:
        second.close()
    assert errors == []
    with db.session() as s:
        numbers = s.scalars(select(m.Problem.number)).all()
        assert len(numbers) == 80 and len(set(numbers)) == 80
        assert s.scalar(select(func.count(func.distinct(m.AuditEntry.prev_hash)))) == \
            s.scalar(select(func.count(m.AuditEntry.id)))
        report = check_database(s)
    assert report.errors == [], report.errors


def test_a_stale_edit_is_refused_and_the_fresh_one_kept(db):
    river = _river(db)
    seen = office.read(db, records.changed_at, "water_body", river)
    second = _other(db)
    try:   # another clerk saves first
        office.write(second, lambda s: records.update(s, "water_body", river, {"notes": "乙的修改"},
                                                      seen=records.changed_at(s, "water_body", river)))
    finally:
        second.close()
    with pytest.raises(records.StaleEdit, match="已被他人修改"):
        office.write(db, lambda s: records.update(s, "water_body", river, {"notes": "甲的修改"}, seen=seen))
    assert office.read(db, lambda s: records.get(s, "water_body", river).notes) == "乙的修改"
    fresh = office.read(db, records.changed_at, "water_body", river)
    office.write(db, lambda s: records.update(s, "water_body", river, {"notes": "甲的修改"}, seen=fresh))
    assert office.read(db, lambda s: records.get(s, "water_body", river).notes) == "甲的修改"


def test_a_url_stays_a_url_and_a_bad_one_is_explained():
    url = "postgresql://clerk:secret@192.168.1.10:5432/hzdesk"
    assert is_server(url) and default_db_path(url) == url and not is_server("D:/台账/hzdesk.db")
    with pytest.raises(DatabaseError, match="无法连接服务器数据库") as err:
        open_database("postgresql://nobody:secret@127.0.0.1:1/hzdesk")
    assert "secret" not in str(err.value)   # the password is never shown


needs_server = pytest.mark.skipif(not SERVER, reason="needs HZDESK_TEST_PG (a PostgreSQL server)")


def _admin(sql):
    from conftest import _admin as run
    run(sql)


@needs_server
def test_a_database_of_other_software_is_refused_untouched():
    _admin('DROP DATABASE IF EXISTS "hzdesk_other"')
    _admin('CREATE DATABASE "hzdesk_other"')
    try:
        from sqlalchemy import create_engine, text
        engine = create_engine(f"{SERVER}/hzdesk_other")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE invoices (id int)"))
        with pytest.raises(DatabaseError, match="其他软件的表"):
            open_database(f"{SERVER}/hzdesk_other")
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public'")).scalars().all()
        engine.dispose()
        assert tables == ["invoices"]
    finally:
        _admin('DROP DATABASE IF EXISTS "hzdesk_other" WITH (FORCE)')


@needs_server
def test_a_clerk_role_without_rights_is_told_to_ask_the_administrator(db):
    _admin('DROP DATABASE IF EXISTS "hzdesk_empty"')
    _admin('CREATE DATABASE "hzdesk_empty"')
    _admin("DROP ROLE IF EXISTS hz_clerk")
    _admin("CREATE ROLE hz_clerk LOGIN")
    try:
        base = SERVER.split("://", 1)[1].split("@", 1)[1]
        with pytest.raises(DatabaseError, match="请管理员升级数据库"):
            open_database(f"postgresql+psycopg://hz_clerk@{base}/hzdesk_empty")
        # and on an hzdesk database, a role that may only read gets its refusal in Chinese
        name = db.url.rsplit("/", 1)[1]
        _admin(f'GRANT CONNECT ON DATABASE "{name}" TO hz_clerk')
        from sqlalchemy import create_engine, text
        with db.engine.begin() as conn:
            conn.execute(text("GRANT SELECT ON ALL TABLES IN SCHEMA public TO hz_clerk"))
        viewer = open_database(f"postgresql+psycopg://hz_clerk@{base}/{name}")
        try:
            with pytest.raises(DatabaseError, match="没有这项操作的权限"):
                office.write(viewer, lambda s: records.create(s, "person", {"name": "张三"}))
        finally:
            viewer.close()
    finally:
        _admin('DROP DATABASE IF EXISTS "hzdesk_empty" WITH (FORCE)')
        _admin(f'REVOKE ALL ON DATABASE "{db.url.rsplit("/", 1)[1]}" FROM hz_clerk')
        with db.engine.begin() as conn:
            from sqlalchemy import text
            conn.execute(text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM hz_clerk"))
        _admin("DROP ROLE IF EXISTS hz_clerk")


@needs_server
def test_backups_are_the_servers_and_say_so(db):
    with pytest.raises(DatabaseError, match="pg_dump"):
        office.file_of(db)


def test_a_whole_database_copies_into_a_new_one_and_verifies_there(db, tmp_path):
    """导出离线副本 / an office's file moved onto its server: every row with its id, the trail
    and its seals — the copy's check passes and its figures are the original's, on whichever
    backend each side is. A target in use, or a file that exists, is refused untouched."""
    import datetime as dt

    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.services.stats import period_stats

    until = dt.date(2025, 6, 30)
    load_demo(db, DemoOptions(scale="small", seed=5, until=until))
    copied = office.copy_to(db, tmp_path / "副本.db")
    assert copied.counts["patrol"] > 1000 and copied.counts["audit_entry"] >= 2
    copy = open_database(tmp_path / "副本.db")
    try:
        with copy.session() as s, db.session() as t:
            assert check_database(s).errors == []
            assert period_stats(s, dt.date(2025, 1, 1), until, until) == period_stats(t, dt.date(2025, 1, 1), until, until)
        office.write(copy, lambda s: records.create(s, "person", {"name": "副本里新增"}))
        assert office.check(copy).errors == []          # the copy goes on as a database of its own
        from hzdesk.db.transfer import copy_database
        with pytest.raises(DatabaseError, match="已有台账记录"):
            copy_database(db, copy)
        assert office.read(copy, lambda s: s.scalar(select(func.count(m.Person.id)))) == copied.counts["person"] + 1
    finally:
        copy.close()
    with pytest.raises(DatabaseError, match="已存在"):
        office.copy_to(db, tmp_path / "副本.db")


@needs_server
def test_an_office_file_moves_onto_an_empty_server_database(tmp_path):
    import datetime as dt

    from hzdesk.demo import DemoOptions, load_demo

    source = open_database(tmp_path / "本机.db")
    load_demo(source, DemoOptions(scale="small", seed=6, until=dt.date(2025, 6, 30)))
    _admin('DROP DATABASE IF EXISTS "hzdesk_moved"')
    _admin('CREATE DATABASE "hzdesk_moved"')
    try:
        copied = office.copy_to(source, f"{SERVER}/hzdesk_moved")
        moved = open_database(f"{SERVER}/hzdesk_moved")
        try:
            assert office.check(moved).errors == []
            new, _ = office.write(moved, lambda s: records.create(s, "person", {"name": "搬上服务器后新增"}))
            assert new.id > copied.counts["person"]     # the server's counters moved past the copied ids
        finally:
            moved.close()
    finally:
        source.close()
        _admin('DROP DATABASE IF EXISTS "hzdesk_moved" WITH (FORCE)')


def test_photos_travel_with_the_database(db, tmp_path):
    """A photo one clerk attaches is there for every PC: on a server its bytes are in the
    database and another PC (an empty folder here) fetches them the first time; check hashes the
    database's copy. A copy of the database carries the photos wherever it goes."""
    import shutil

    from test_attachments import photo
    from hzdesk.services import attachments as A

    river = _river(db)
    problem, _ = office.write(db, lambda s: records.create(s, "problem", {
        "found_on": "2025-03-05", "water_body_id": river, "source": "暗访", "category": "乱堆", "description": "堆放"}))
    src = photo(tmp_path / "现场.jpg")
    att, _ = office.write(db, lambda s: A.add_attachment(s, db.attachments, "problem", problem.id, src)[0])
    if db.on_server:
        shutil.rmtree(db.attachments)                  # another PC: nothing of it in its folder
    path = office.read(db, lambda s: A.file_of(db.attachments, A.attachment(s, att.id)))
    assert path.read_bytes() == src.read_bytes()
    assert office.check(db).errors == []
    copied = office.copy_to(db, tmp_path / "带照片的副本.db")
    assert copied.counts["附件文件"] == 1
    copy = open_database(tmp_path / "带照片的副本.db")
    try:
        assert office.check(copy).errors == []
        assert office.read(copy, lambda s: A.file_of(copy.attachments, A.attachment(s, att.id))).read_bytes() == src.read_bytes()
    finally:
        copy.close()
    if db.on_server:   # a blob changed behind the program's back is named by check
        from sqlalchemy import text
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE attachment_blob SET data = :d"), {"d": b"not the photo"})
        assert any("已损坏" in e for e in office.check(db).errors)


@needs_server
def test_connections_run_without_jit(db):
    # PostgreSQL's JIT switched itself on for a county's year of problems and spent 14 ms of a
    # 50 ms query compiling; hzdesk's queries are a clerk's, each connection turns it off.
    from sqlalchemy import text

    with db.session() as s:
        assert s.execute(text("SHOW jit")).scalar() == "off"
