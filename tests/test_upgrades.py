"""Databases made by earlier versions of hzdesk, holding data, upgrade to this one intact.

`tests/data/rev000N-small-demo.db.gz` were written by the hzdesk of that schema revision (the small
demo set, seed 11, until 2025-06-30) and are never regenerated with newer code: they are what an
office's file looks like after using that version. A new migration needs the database of the
revision before it, made with the code before it:

    git worktree add /tmp/old HEAD   # before committing the migration
    cd /tmp/old && HZDESK_TODAY=2025-06-30 PYTHONPATH=/tmp/old python -m hzdesk --db /tmp/revN.db \
        demo --until 2025-06-30 --seed 11
    sqlite3 /tmp/revN.db "PRAGMA journal_mode=DELETE; VACUUM;" && gzip -9 -c /tmp/revN.db > tests/data/revNNNN-small-demo.db.gz
"""

import datetime as dt
import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest

from hzdesk.db.engine import known_revisions, open_database
from hzdesk.services.check import check_database
from hzdesk.services.stats import period_stats

DATA = Path(__file__).parent / "data"
OLD = sorted(DATA.glob("rev*-small-demo.db.gz"))


def unpack(src: Path, folder: Path) -> Path:
    out = folder / src.name.removesuffix(".gz")
    with gzip.open(src) as fin, open(out, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return out


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def test_every_earlier_revision_has_a_database_here():
    known, head = known_revisions()
    have = {p.name[3:7] for p in OLD}
    assert have >= known - {head}, f"add a database made by the hzdesk of revisions {sorted(known - {head} - have)}"


@pytest.mark.parametrize("src", OLD, ids=lambda p: p.name)
def test_upgrading_keeps_every_row_and_figure(tmp_path, src):
    path = unpack(src, tmp_path)
    before = counts(path)
    con = sqlite3.connect(path)
    patrol_sum = con.execute("SELECT sum(distance_km), min(patrol_date), max(patrol_date) FROM patrol").fetchone()
    problems = con.execute("SELECT number, state, deadline FROM problem ORDER BY id").fetchall()
    settings = con.execute("SELECT key, value FROM setting").fetchall()
    con.close()

    db = open_database(path)   # runs the migrations (after a 升级前 backup)
    try:
        with db.session() as s:
            assert check_database(s).ok
            stats = period_stats(s, dt.date(2025, 1, 1), dt.date(2025, 3, 31), dt.date(2025, 6, 30))
    finally:
        db.close()
    after = counts(path)
    grows = ("audit_entry", "setting", "choice_item")   # upgrades record themselves, may add defaults
    assert {t: n for t, n in after.items() if t in before and t not in grows} == \
        {t: n for t, n in before.items() if t not in grows}
    assert all(after[t] >= before[t] for t in grows)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == known_revisions()[1]
    assert con.execute("SELECT sum(distance_km), min(patrol_date), max(patrol_date) FROM patrol").fetchone() == patrol_sum
    assert con.execute("SELECT number, state, deadline FROM problem ORDER BY id").fetchall() == problems
    assert set(settings) <= set(con.execute("SELECT key, value FROM setting").fetchall())
    # Rules that were in force before the upgrade stay in force for every period.
    assert con.execute("SELECT count(*) FROM frequency_rule WHERE effective_from IS NOT NULL "
                       "OR effective_to IS NOT NULL").fetchone()[0] == 0
    # Every 责任单位 in use is on the unit list (0007), so editing an old record keeps its unit.
    in_use = {r[0] for t in ("problem", "outfall", "plan_item") for r in con.execute(
        f"SELECT DISTINCT responsible_unit FROM {t} WHERE responsible_unit IS NOT NULL")}
    listed = {r[0] for r in con.execute("SELECT value FROM choice_item WHERE list_name = 'unit'")}
    assert in_use and in_use <= listed
    con.close()
    assert stats["patrols"]["due"] > 0 and stats["issues"]["found"] > 0


def test_a_new_column_reseals_intact_rows_and_still_reports_a_tampered_one(tmp_path):
    """0011 adds 记录人 to every patrol, which changes every row's digest: the rows the trail
    vouched for are sealed anew, and one changed behind the program's back before the upgrade is
    still named by `check` afterwards."""
    path = unpack(DATA / "rev0010-small-demo.db.gz", tmp_path)
    con = sqlite3.connect(path)
    con.execute("UPDATE patrol SET distance_km = distance_km + 1 WHERE id = 7")
    con.commit()
    con.close()
    db = open_database(path)
    try:
        with db.session() as s:
            report = check_database(s)
    finally:
        db.close()
    assert report.errors == ["巡河记录：留痕之外被修改 1 条（记录号 7）"], report.errors
