"""A full disk or a read-only file: a clear Chinese message, nothing half-saved, typing kept."""

import os
import re
import stat

import pytest
from sqlalchemy import event, func, select

from hzdesk.db import models as m
from hzdesk.errors import DatabaseError
from hzdesk.fields import WATER_BODY
from hzdesk.services import records
from hzdesk.ui.common import AppContext


pytestmark = pytest.mark.sqlite_only   # what only a SQLite file has


def test_disk_full_is_explained_and_nothing_is_written(db):
    ctx = AppContext(db)
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(db.engine, "connect")
    def full(dbapi_conn, _rec):  # no room to grow: what a full disk looks like to SQLite
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")
    db.engine.dispose()
    rows = [{"name": f"人员{i}", "notes": "备注" * 400} for i in range(200)]
    with pytest.raises(DatabaseError, match="磁盘空间不足"):
        ctx.write(lambda s: [records.create(s, "person", r) for r in rows])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Person)) == 0
        assert s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action != "基线")) == 0


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False,
                    reason="root ignores file permissions; the read-only case is checked with a read-only open")
def test_read_only_file_is_explained(db):  # pragma: no cover - needs a non-root user
    db.close()
    os.chmod(db.path, stat.S_IREAD)
    ctx = AppContext(db)
    with pytest.raises(DatabaseError, match="只读"):
        ctx.write(records.create, "person", {"name": "甲"})


def test_read_only_open_is_explained(db, qtbot, monkeypatch):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from hzdesk.db.engine import Database
    from hzdesk.ui.record_dialog import RecordDialog
    engine = create_engine(f"sqlite:///file:{db.path}?mode=ro&uri=true")
    ro = Database(db.path, engine, sessionmaker(engine, expire_on_commit=False))
    ctx = AppContext(ro)
    dialog = RecordDialog(ctx, WATER_BODY, None)
    qtbot.addWidget(dialog)
    shown = []
    import hzdesk.ui.record_dialog as rd
    monkeypatch.setattr(rd, "show_error", lambda parent, title, exc: shown.append(str(exc)))
    for key, value in {"code": "X1", "name": "新河", "kind": "河流", "level": "乡级"}.items():
        w = dialog.widgets[key]
        w.setText(value) if hasattr(w, "setText") else w.setCurrentText(value)
    dialog.save()
    assert shown and "只读" in shown[0]
    assert dialog.widgets["name"].text() == "新河" and dialog.result() == 0


@pytest.mark.parametrize("args", [["template", "{out}"], ["stats", "--period", "2025", "--xlsx", "{out}"],
                                  ["report", "rivers", "--out", "{pdf}"], ["export", "{out}"]])
def test_a_full_disk_while_writing_a_file_is_explained(db, tmp_path, monkeypatch, capsys, args):
    """#15 point 10: on a full disk a valid workbook became a broken zip, and a PDF failure
    printed an English traceback; now the old file stays whole and the message is Chinese."""
    import errno
    import zipfile

    from hzdesk import cli, files

    out, pdf = tmp_path / "old.xlsx", tmp_path / "old.pdf"
    import openpyxl
    openpyxl.Workbook().save(out)
    pdf.write_bytes(b"%PDF-1.4 old")
    before = out.read_bytes(), pdf.read_bytes()
    db.close()

    def no_room(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files.os, "fsync", no_room)   # the bytes do not fit when forced to disk
    code = cli.main(["--db", str(db.path), *[a.format(out=out, pdf=pdf) for a in args]])
    err = capsys.readouterr().err
    assert code == 2 and "磁盘空间不足" in err and "Traceback" not in err
    assert (out.read_bytes(), pdf.read_bytes()) == before and zipfile.is_zipfile(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hzdesk-")]


def test_a_database_on_read_only_media_opens_read_only_with_a_banner(db, qtbot, monkeypatch):
    """#15 point 2: a read-only folder or mount made every command say "可能已损坏" and the window
    show an English [Errno 30]. It opens read-only: reading, printing and exporting work, a save
    is refused in Chinese, and the window says so at the top."""
    import os as real_os

    from hzdesk import office
    from hzdesk.db.engine import open_database
    from hzdesk.office import claim
    from hzdesk.services.stats import period_stats
    from hzdesk.ui.app import MainWindow

    with db.session() as s:
        records.create(s, "person", {"name": "甲"})
        s.commit()
    path = db.path
    db.close()
    for side in path.parent.glob(path.name + "-*"):
        side.unlink()
    access = real_os.access
    monkeypatch.setattr(real_os, "access", lambda p, mode: False if mode & real_os.W_OK else access(p, mode))
    lock = claim(path)                      # no lock file can be made there, and none is needed
    ro = open_database(path)
    try:
        assert ro.read_only
        with ro.session() as s:
            assert s.scalar(select(func.count()).select_from(m.Person)) == 1
            period_stats(s, __import__("datetime").date(2025, 1, 1), __import__("datetime").date(2025, 12, 31),
                         __import__("datetime").date(2025, 12, 31))
        with pytest.raises(DatabaseError, match="只读"):
            office.write(ro, records.create, "person", {"name": "乙"})
        window = MainWindow(ro)
        qtbot.addWidget(window)
        assert "（只读）" in window.windowTitle() and "只读打开" in window.read_only_note.text()
        assert not list(path.parent.glob(path.name + "-*"))      # no -wal or -shm left beside it
    finally:
        ro.close()
        lock.release()


def test_a_failed_file_operation_is_told_in_chinese():
    """The C library's words are English even on a Chinese Windows ("Is a directory", "Permission
    denied"); the cases a clerk meets are named once (errors.os_reason), the rest marked as the
    system's."""
    import errno

    from hzdesk.errors import os_reason, storage_reason

    assert os_reason(IsADirectoryError(errno.EISDIR, "Is a directory")) == "这是一个文件夹，不是文件"
    assert os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == "文件或文件夹不存在"
    assert "Excel" in os_reason(PermissionError(errno.EACCES, "Permission denied"))
    held = PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。")
    held.winerror = 32   # Windows: a workbook Excel or WPS has open
    assert os_reason(held) == "文件正被其他程序（如 Excel、WPS）打开，请关闭后再试"
    assert os_reason(OSError(errno.ENOTEMPTY, "Directory not empty")) == "系统报告：Directory not empty"
    assert storage_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    assert storage_reason(FileNotFoundError(errno.ENOENT, "x")) is None   # a wrong path is not storage


@pytest.mark.parametrize("args, said", [
    (["export", "{folder}"], "“{folder}”：这是一个文件夹，不是文件。文件没有写出"),
    (["report", "rivers", "--out", "{folder}"], "“{folder}”：这是一个文件夹，不是文件。文件没有写出"),
    (["import", "{folder}/无此文件.xlsx"], "“{folder}/无此文件.xlsx”：文件或文件夹不存在"),
    (["restore", "{folder}/无此备份.db"], "备份文件“{folder}/无此备份.db”不存在"),
    (["restore", "{folder}/garbled.db"], "备份文件“{folder}/garbled.db”已损坏，或不是数据库文件"),
    (["tracks", "import", "{folder}/garbled.db"], "“{folder}/garbled.db”是一个文件，这里要的是放轨迹文件的文件夹"),
    (["--db", "{folder}", "stats", "--period", "2025"], "“{folder}”是一个文件夹，不是数据库文件"),
    (["--db", "{folder}/damaged.db", "stats", "--period", "2025"], "数据库文件“{folder}/damaged.db”已损坏，无法读取。"),
])
def test_a_wrong_path_on_the_command_line_is_told_in_chinese(db, tmp_path, capsys, args, said):
    from hzdesk import cli

    folder = tmp_path / "文件夹"
    folder.mkdir()
    (folder / "garbled.db").write_bytes(b"not a database, just bytes" * 40)
    (folder / "damaged.db").write_bytes(db.path.read_bytes()[:100] + b"\x5a" * 8092)   # SQLite's header, then noise
    db.close()
    words = [a.format(folder=folder) for a in args]
    code = cli.main(words if words[0] == "--db" else ["--db", str(db.path), *words])
    err = capsys.readouterr().err
    assert code == 2 and said.format(folder=folder) in err, err
    english = set(re.findall(r"[A-Za-z]{3,}", err.replace(str(folder), "")))
    assert english <= {"garbled", "damaged", "xlsx", "hzdesk", "tracks", "attach"}, err   # no system's English


def test_a_file_that_is_no_basemap_is_told_in_chinese(tmp_path):
    from hzdesk.geo.basemap import BasemapError, open_basemap

    tiles = tmp_path / "底图.mbtiles"
    tiles.write_bytes(b"no tiles here" * 100)
    with pytest.raises(BasemapError) as caught:
        open_basemap(tiles)
    assert str(caught.value) == "“底图.mbtiles”不是可用的 MBTiles 底图文件（不是 SQLite 文件，或缺少瓦片表）。"


def test_an_unexpected_file_error_in_a_command_is_told_in_chinese(db, monkeypatch, capsys):
    """Whatever file a command trips on, the clerk reads which one and why, not a traceback; a
    reader that left the pipe (`hzdesk stats | head`) is no error at all."""
    import errno
    import io

    from hzdesk import cli

    def denied(args):
        raise PermissionError(errno.EACCES, "Permission denied", "县级报送.xlsx")
    monkeypatch.setitem(cli.COMMANDS, "stats", denied)
    assert cli.main(["--db", str(db.path), "stats", "--period", "2025"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：“县级报送.xlsx”：没有读写权限") and "Permission" not in err

    def reader_left(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")
    monkeypatch.setitem(cli.COMMANDS, "stats", reader_left)
    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    assert cli.main(["--db", str(db.path), "stats", "--period", "2025"]) == 0


def test_an_unexpected_file_error_in_the_window_is_told_in_chinese(qtbot, monkeypatch):
    import errno

    from hzdesk.ui import common

    shown = []
    monkeypatch.setattr(common.QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    common.show_error(None, "导出 Excel", PermissionError(errno.EACCES, "Permission denied", "县级报送.xlsx"))
    assert shown == ["无法读写文件：“县级报送.xlsx”：没有读写权限，或文件正被其他程序（如 Excel、WPS）打开"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs a folder where no file can be made (Linux /proc)")
def test_a_folder_where_no_lock_can_be_made_is_not_said_to_be_in_use(tmp_path):
    """A database in a protected folder: the lock could not be taken because its file could not
    be made, and the clerk was told another user had the database open."""
    from hzdesk.office import claim

    with pytest.raises(DatabaseError) as caught:
        claim("/proc/台账.db")
    assert "建不了它旁边的锁文件" in str(caught.value) and "正由" not in str(caught.value)
