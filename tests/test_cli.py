"""The command line as a clerk (or a script) runs it."""

import hashlib
import os
import sqlite3
import subprocess
import sys

from hzdesk import __version__


def hz(*args, env=None):
    return subprocess.run([sys.executable, "-m", "hzdesk", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_version_and_chinese_help():
    r = hz("--version")
    assert r.returncode == 0 and __version__ in r.stdout and "河长办桌面台账" in r.stdout
    r = hz("--help")
    assert r.returncode == 0
    for word in ("用法：", "选项", "显示本帮助并退出", "demo", "check", "示例数据"):
        assert word in r.stdout
    assert "show this help" not in r.stdout
    r = hz("report", "--help", env={"COLUMNS": "80"})
    lines = [line.split() for line in r.stdout.splitlines()]
    assert ["sections", "水质监测断面名录"] in lines and ["closure-sheet", "销号单"] in lines   # whole, one a line


def test_help_is_laid_out_as_a_terminal_shows_chinese():
    """A Chinese character takes two columns: the options' help starts in one column whatever
    their placeholders (--db 路径, --user 用户名), the usage's lines are continued under its first
    option, and no line runs past the terminal's width, nor starts with a comma."""
    import re

    from hzdesk.cli_help import shown_width
    for args in (["--help"], ["report", "--help"], ["demo", "--help"]):
        out = hz(*args, env={"COLUMNS": "80"}).stdout.splitlines()
        body = out[out.index(next(line for line in out if not line.strip())):]   # after the usage
        assert all(shown_width(line) <= 80 for line in out), args
        usage = out[:out.index("")]                   # continued under the first option, as shown
        first = usage[0].index("[")
        assert all(len(line) - len(line.lstrip()) == shown_width(usage[0][:first]) for line in usage[1:])
        assert not any(line.strip().startswith(("、", "，", "。", "；")) for line in body), args
        starts = {shown_width(m.group(1)) for line in body if (m := re.match(r"(  -.*?\s{2,})\S", line))}
        assert len(starts) == 1, (args, starts)


def test_bad_command_is_refused_in_chinese():
    r = hz("bogus")
    assert r.returncode == 2 and "无效的选择" in r.stderr


def test_demo_then_check(tmp_path):
    db = tmp_path / "x.db"
    r = hz("--db", str(db), "demo", "--until", "2025-06-30")
    assert r.returncode == 0, r.stderr
    assert "完成：" in r.stdout and "巡河记录" in r.stdout
    r = hz("--db", str(db), "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "检查通过。" in r.stdout
    r = hz("--db", str(db), "demo")
    assert r.returncode == 2 and "只能写入空数据库" in r.stderr


def test_selfcheck_leaves_nothing_behind(tmp_path):
    r = subprocess.run([sys.executable, "-m", "hzdesk", "selfcheck"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert r.returncode == 0 and "自检通过" in r.stdout, r.stdout + r.stderr
    assert list(tmp_path.iterdir()) == []


def test_hzdesk_db_environment_variable_chooses_the_file(tmp_path):
    db = tmp_path / "env.db"
    assert hz("demo", "--scale", "small", env={"HZDESK_DB": str(db)}).returncode == 0   # demo may create it
    r = hz("check", env={"HZDESK_DB": str(db)})
    assert r.returncode == 0, r.stderr
    assert db.exists() and str(db) in r.stdout


def test_check_fails_on_inconsistent_ledgers(tmp_path):
    db = tmp_path / "bad.db"
    assert hz("--db", str(db), "demo", "--until", "2025-06-30").returncode == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE problem SET closed_on=NULL WHERE state='已销号' AND id=(SELECT min(id) FROM problem WHERE state='已销号')")
    con.commit()
    con.close()
    r = hz("--db", str(db), "check")
    assert r.returncode == 1
    assert "1 个问题已销号但没有销号日期" in r.stdout and "检查未通过" in r.stdout


def test_newer_database_refused_by_every_command_byte_for_byte(tmp_path):
    from hzdesk.db.engine import open_database

    db = tmp_path / "newer.db"
    open_database(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    for f in tmp_path.glob("newer.db-*"):
        f.unlink()  # the check above left WAL side files; only the main file matters here
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in (("check",), ("demo",)):
        r = hz("--db", str(db), *args)
        assert r.returncode == 2 and "更新版本" in r.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_writing_commands_honour_the_windows_lock(tmp_path):
    """With a window holding the database, commands that write are refused with who has it open;
    commands that only read still work (#11 point 3)."""
    from hzdesk import office

    db = tmp_path / "x.db"
    assert hz("--db", str(db), "demo", "--until", "2025-06-30").returncode == 0
    assert hz("--db", str(db), "backup").returncode == 0
    backup_file = next((tmp_path / "x-备份").glob("*.db"))
    lock = office.claim(db)       # what the window takes when it opens the database
    try:
        for args in (["demo"], ["restore", str(backup_file)], ["import", str(tmp_path / "无.xlsx")]):
            r = hz("--db", str(db), *args)
            assert r.returncode == 2, (args, r.stdout, r.stderr)
            assert "正由" in r.stderr and "打开" in r.stderr and "Traceback" not in r.stderr
        for args in (["stats", "--period", "2025Q1", "--json"], ["check"], ["backups"],
                     ["export", str(tmp_path / "导出.xlsx")], ["report", "rivers", "--out", str(tmp_path / "r.pdf")]):
            r = hz("--db", str(db), *args)
            assert r.returncode == 0, (args, r.stderr)
    finally:
        lock.release()
    r = hz("--db", str(db), "restore", str(backup_file))
    assert r.returncode == 0, r.stderr       # with the window closed the same command works


def test_report_options_a_clerk_gets_wrong_are_refused_in_chinese(tmp_path):
    db = tmp_path / "x.db"
    assert hz("--db", str(db), "demo", "--until", "2025-06-30").returncode == 0
    for args, words in ((["issues", "--state", "完成", "--out", str(tmp_path / "a.pdf")], "没有“完成”这个状态"),
                        (["rivers", "--out", str(tmp_path / "无此文件夹" / "a.pdf")], "不存在"),
                        (["summary", "--out", str(tmp_path / "s.pdf")], "需要指定期间"),
                        (["issue-sheet", "--out", str(tmp_path / "d.pdf")], "需要指定问题编号")):
        r = hz("--db", str(db), "report", *args)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert not list(tmp_path.glob("*.pdf"))


def test_importing_a_sent_back_export_updates_what_changed(tmp_path):
    """#13 point 5: the county's copy of our own workbook, with one cell corrected, updates that
    record; the dry run shows 新增 / 更新 / 不变 and the changed cell first."""
    from openpyxl import load_workbook

    db, book = tmp_path / "x.db", tmp_path / "台账.xlsx"
    assert hz("--db", str(db), "demo", "--until", "2025-06-30").returncode == 0
    assert hz("--db", str(db), "export", str(book)).returncode == 0
    wb = load_workbook(book)
    ws = wb["河湖名录"]
    header = [c.value for c in ws[1]]
    old = ws.cell(row=2, column=header.index("名称") + 1).value
    ws.cell(row=2, column=header.index("名称") + 1).value = old + "（更正）"
    wb.save(book)
    r = hz("--db", str(db), "import", str(book), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "河湖名录" in r.stdout and "更新 1" in r.stdout and "不变" in r.stdout and "新增" not in r.stdout
    assert f"“名称”：{old} → {old}（更正）" in r.stdout
    r = hz("--db", str(db), "import", str(book))
    assert r.returncode == 0 and "导入完成" in r.stdout
    r = hz("--db", str(db), "import", str(book), "--dry-run")
    assert "更新" not in r.stdout                      # now the file and the database agree


def test_a_mistyped_db_path_makes_nothing(tmp_path):
    """#15 point 11: `--db typo/x.db check` made folders and an empty database and said 检查通过."""
    typo = tmp_path / "typo" / "x.db"
    for args in (["check"], ["stats", "--period", "2025"], ["backups"], ["export", str(tmp_path / "o.xlsx")],
                 ["report", "rivers", "--out", str(tmp_path / "r.pdf")], ["template", str(tmp_path / "t.xlsx")]):
        r = hz("--db", str(typo), *args)
        assert r.returncode == 2 and "找不到数据库文件" in r.stderr, (args, r.stdout, r.stderr)
    assert not (tmp_path / "typo").exists() and not list(tmp_path.iterdir())


def test_a_command_rests_the_garbage_collector_only_while_it_starts(tmp_path, monkeypatch):
    """Collection pauses for a command's start (what it imports lives to the end), is back on
    once the database is open — an import of 100,000 rows must not pile up its garbage — and
    on when main() returns, however the command ended."""
    import gc

    import hzdesk.reports.make as make_module
    from hzdesk.cli import main

    db = tmp_path / "g.db"
    assert main(["--db", str(db), "demo", "--until", "2025-06-30"]) == 0 and gc.isenabled()
    seen = []
    real = make_module.make
    monkeypatch.setattr(make_module, "make", lambda *a, **k: (seen.append(gc.isenabled()), real(*a, **k))[1])
    assert main(["--db", str(db), "report", "rivers", "--out", str(tmp_path / "r.pdf")]) == 0
    assert seen == [True] and gc.isenabled()
    assert main(["--db", str(tmp_path / "missing.db"), "check"]) == 2 and gc.isenabled()
    import hzdesk.selfcheck as selfcheck_module       # opens its databases itself, not through open_db
    monkeypatch.setattr(selfcheck_module, "run_selfcheck", lambda server: (seen.append(gc.isenabled()), 0)[1])
    assert main(["selfcheck"]) == 0 and seen == [True, True]
