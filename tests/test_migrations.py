"""The database is built by the migrations, and files that are not ours are never touched."""

import hashlib
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hzdesk.db.engine import APPLICATION_ID, known_revisions, open_database
from hzdesk.db.models import Base
from hzdesk.errors import DatabaseError
from hzdesk.fields import CHOICE_LISTS
from hzdesk.vocab import DEFAULT_FREQUENCY_RULES


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrations_build_exactly_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


@pytest.mark.sqlite_only
def test_new_database_has_head_revision_application_id_and_defaults(db):
    _known, head = known_revisions()
    con = sqlite3.connect(db.path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    n_choices = sum(len(v) for _t, v in CHOICE_LISTS.values())
    assert con.execute("SELECT count(*) FROM choice_item").fetchone()[0] == n_choices
    assert con.execute("SELECT count(*) FROM frequency_rule").fetchone()[0] == len(DEFAULT_FREQUENCY_RULES)
    assert str(con.execute("SELECT value FROM setting WHERE key='board_update_days'").fetchone()[0]) == "15"
    con.close()


@pytest.mark.sqlite_only
def test_foreign_keys_are_enforced_on_every_connection(db):
    from sqlalchemy import text
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_reopening_changes_no_defaults_the_office_edited(tmp_path):
    path = tmp_path / "a.db"
    db = open_database(path)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE setting SET value='30' WHERE key='board_update_days'")
        conn.exec_driver_sql("DELETE FROM frequency_rule WHERE level='县级'")
    db.close()
    db = open_database(path)
    with db.engine.connect() as conn:
        assert str(conn.exec_driver_sql("SELECT value FROM setting WHERE key='board_update_days'").scalar()) == "30"
        assert conn.exec_driver_sql("SELECT count(*) FROM frequency_rule").scalar() == 2
    db.close()


def test_database_from_a_newer_hzdesk_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.db"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    before = sha(path)
    with pytest.raises(DatabaseError, match="更新版本"):
        open_database(path)
    assert sha(path) == before


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    before = sha(path)
    with pytest.raises(DatabaseError, match="其他软件"):
        open_database(path)
    assert sha(path) == before


def test_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes("这是一个文本文件，不是数据库。\n".encode() * 20)
    before = sha(path)
    with pytest.raises(DatabaseError, match="不是 SQLite"):
        open_database(path)
    assert sha(path) == before


def test_missing_file_is_created_with_its_folder(tmp_path):
    path = tmp_path / "新建文件夹" / "台账.db"
    open_database(path).close()
    assert path.exists()


def test_open_without_create_refuses_missing_file(tmp_path):
    with pytest.raises(DatabaseError, match="不存在"):
        open_database(tmp_path / "nothing.db", create=False)


def test_known_revisions_agree_with_alembic():
    from alembic.script import ScriptDirectory

    from hzdesk.db.engine import alembic_config
    script = ScriptDirectory.from_config(alembic_config())
    known, head = known_revisions()
    assert [head] == list(script.get_heads())
    assert known == {r.revision for r in script.walk_revisions()}


def test_opening_an_up_to_date_database_does_not_import_alembic(db):
    import subprocess
    import sys
    code = (f"import sys; from hzdesk.db.engine import open_database; open_database({str(db.url or db.path)!r});"
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _foreign(path, *, user_version=0, tables=(), revision=None, app_id=0):
    con = sqlite3.connect(path)
    for t in tables:
        con.execute(f"CREATE TABLE {t} (id INTEGER PRIMARY KEY, x TEXT)")
    if revision:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        con.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    con.execute(f"PRAGMA user_version = {user_version}")
    con.execute(f"PRAGMA application_id = {app_id}")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("make", [
    lambda p: _foreign(p, user_version=7),                                    # no tables, user_version 7
    lambda p: _foreign(p, tables=("customer",), revision="0002"),            # someone else's Alembic
    lambda p: _foreign(p, tables=("customer",), revision="0001"),
    lambda p: _foreign(p, tables=("orders",)),
], ids=["user_version", "alembic-0002", "alembic-0001", "plain"])
def test_foreign_sqlite_files_are_never_written(tmp_path, make):
    """#15 point 12: a foreign file was taken over, or had its header rewritten to WAL, or left an
    empty 备份 folder. Nothing that is not an hzdesk database is written to, nothing is left."""
    from hzdesk.errors import DatabaseError

    path = make(tmp_path / "x.db")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="其他软件"):
        open_database(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_an_hzdesk_file_without_its_revision_is_left_untouched(tmp_path):
    from hzdesk.errors import DamagedDatabase

    path = tmp_path / "x.db"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE alembic_version")
    con.execute("PRAGMA journal_mode=DELETE")
    con.commit()
    con.close()
    for side in tmp_path.glob("x.db-*"):
        side.unlink()
    before = path.read_bytes()
    with pytest.raises(DamagedDatabase, match="缺少结构版本"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_blank_sqlite_file_from_a_cut_creation_is_taken(tmp_path):
    path = _foreign(tmp_path / "x.db")          # header only: what a creation killed early leaves
    open_database(path).close()
