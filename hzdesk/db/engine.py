"""Opening a database file: checks before touching it, connection settings, migrations.

Order matters. A file that is not ours, or that a newer hzdesk wrote, is read through a read-only
sqlite3 handle and refused before any engine opens it (setting WAL alone rewrites the header).
Only then is the engine created and the migrations run, in one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from hzdesk.db import audit  # noqa: F401  (registers the audit hook on every Session)
from hzdesk.db import township as township_rules  # (registers the township scope on every Session)
from hzdesk.db.township import COUNTY, SCOPE
from hzdesk.collation import sort_key
from hzdesk.errors import DamagedDatabase, DatabaseError, StorageUnavailable, os_reason, storage_reason

from hzdesk.db.identity import APPLICATION_ID  # noqa: F401  (PRAGMA application_id: "HZDK")
from hzdesk.db.revisions import MIGRATIONS_DIR, alembic_config, known_revisions  # noqa: F401  (re-exported)

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Database:
    """An open hzdesk database: where it is (a file, or a server's URL), its engine, and how to
    get a session."""

    path: Path | None          # the SQLite file; None on a server
    engine: Engine
    sessions: sessionmaker[Session]
    actor: str | None = None   # the logged-in account's name, when accounts are on
    role: str | None = None    # its role; every session carries it, so the services enforce it
    read_only: bool = False    # on a write-protected disk or folder: read, print and export only
    url: str | None = None     # postgresql+psycopg://… when the database is on a server (#18)
    township: int | None = None  # the county's database narrowed to one township (db/township.py)

    _county: bool | None = None

    def __post_init__(self) -> None:
        # Sessions that will write begin as writers: on SQLite `BEGIN IMMEDIATE` takes the write
        # lock before the first read, since a transaction that read first cannot later write while
        # another program writes (SQLITE_BUSY_SNAPSHOT ignores the busy timeout: 220 of 400 saves
        # of two writers failed "database is locked" with a plain BEGIN, none with IMMEDIATE).
        self.write_sessions = sessionmaker(self.engine.execution_options(hz_write=True),
                                           expire_on_commit=False)

    @property
    def on_server(self) -> bool:
        return self.url is not None

    @property
    def name(self) -> str:
        """A short name for the title bar: the file's name, or the server's database and host."""
        if self.url is not None:
            from sqlalchemy.engine import make_url
            u = make_url(self.url)
            return f"{u.database}（服务器 {u.host}）"
        return self.path.name

    @property
    def where(self) -> str:
        """What to call this database in a message: its file, or its server without the password."""
        if self.url is not None:
            from hzdesk.db.server import shown
            return shown(self.url)
        return str(self.path)

    def session(self, actor: str | None = None, *, write: bool = False) -> Session:
        s = (self.write_sessions if write else self.sessions)()
        if actor or self.actor:
            s.info["actor"] = actor or self.actor
        if self.role:
            s.info["role"] = self.role
        if self.township is not None:
            s.info[SCOPE] = self.township
        elif self.is_county:
            s.info[COUNTY] = True
        return s

    @property
    def is_county(self) -> bool:
        """Whether it holds several townships' ledgers (the county's database). Asked once: a
        township is added only by the county's own commands, which call `forget_townships`."""
        if self._county is None:
            from sqlalchemy.exc import DBAPIError
            try:
                with self.sessions() as s:
                    self._county = township_rules.is_county(s)
            except DBAPIError:   # a file of an older version opened without upgrading it
                self._county = False
        return self._county

    def forget_townships(self) -> None:
        self._county = None

    @property
    def attachments(self) -> Path:
        """The folder where its photos and documents are kept: beside the file, or for a server
        database this PC's folder for it."""
        if self.url is not None:
            from hzdesk.db.server import local_folder
            return local_folder(self.url) / "附件"
        from hzdesk.paths import attachments_dir
        return attachments_dir(self.path)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(path)


def writable(path: Path) -> bool:
    """Whether the database and its folder can be written (the folder holds the WAL files)."""
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _make_engine(path: Path, *, foreign_keys: bool = True, read_only: bool = False) -> Engine:
    # Read-only media (a CD, a write-protected USB stick, a folder without write permission):
    # SQLite opens the file as unchangeable, needing no -wal or -shm beside it.
    url = (f"sqlite:///{path.resolve().as_uri()}?mode=ro&immutable=1&uri=true" if read_only
           else _sqlite_url(path))
    engine = create_engine(url, future=True,
                           json_serializer=lambda obj: json.dumps(obj, ensure_ascii=False))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # pysqlite's own transaction handling does not cover DDL; take it over so that a
        # migration is one real transaction (SQLAlchemy's documented recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = " + ("ON" if foreign_keys else "OFF"))
        cur.execute("PRAGMA busy_timeout = 5000")
        if not read_only:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()
        # ORDER BY pinyin_key(name): Chinese sorted by pinyin (hzdesk/collation.py).
        dbapi_conn.create_function("pinyin_key", 1, sort_key, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("hz_write") else "BEGIN")

    return engine


def inspect_file(path: Path) -> tuple[int, str | None]:
    """Read (application_id, alembic revision) of an existing file without changing a byte.

    Raises DatabaseError with a Chinese message when the file is not a usable SQLite database.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise _unavailable(path, exc) from exc
    if len(head) == 0:
        return 0, None  # an empty file: treat as new
    if not head.startswith(SQLITE_MAGIC):
        raise DatabaseError(f"文件“{path}”不是 SQLite 数据库，也不是本软件的台账文件，已拒绝打开。")
    app_id = int.from_bytes(head[68:72], "big")
    user_version = int.from_bytes(head[60:64], "big")
    # On read-only media a WAL database cannot be read without -shm beside it unless SQLite is
    # told it cannot change (immutable).
    uri = Path(path).resolve().as_uri() + "?mode=ro" + ("" if writable(Path(path)) else "&immutable=1")
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        # Disk full, read-only, locked, an I/O error: the content may be perfectly sound, and the
        # file is never treated as damaged for it. Only SQLite finding the content bad is damage.
        if storage_reason(exc):
            raise _unavailable(path, exc) from exc
        raise DamagedDatabase(f"数据库文件“{path}”已损坏，无法读取。") from exc   # SQLite's English stays in the chain
    # Every hzdesk database carries its application id from its first migration on. A SQLite file
    # without it is taken only when it is blank (no tables, no user_version: a creation that was
    # cut short); anything else belongs to other software and is never written to.
    if app_id != APPLICATION_ID:
        if app_id == 0 and not tables and user_version == 0:
            return 0, None
        raise DatabaseError(f"文件“{path}”是其他软件的 SQLite 数据库，不是河长办台账，已拒绝打开；文件未做任何改动。")
    if revision is None:
        raise DamagedDatabase(f"数据库文件“{path}”缺少结构版本信息（alembic_version），无法确定如何打开；"
                              "文件未做任何改动。")
    return app_id, revision


def _start_anchor(path: Path, engine: Engine) -> None:
    """A database without the chain's outside head (new, or from a version before it): start it."""
    from hzdesk.db.anchor import anchor_path, chain_head, write_anchor
    if anchor_path(path).exists():
        return
    try:
        with engine.connect() as conn:
            write_anchor(path, chain_head(conn))
    except Exception:   # noqa: BLE001 - a read-only folder: check will say the anchor is missing
        pass


def _unavailable(path: Path, exc: BaseException) -> StorageUnavailable:
    reason = os_reason(exc) if isinstance(exc, OSError) else storage_reason(exc) or exc
    return StorageUnavailable(f"数据库文件“{path}”现在无法读取：{reason}。"
                              "文件本身没有损坏，也没有作任何改动；请处理后再打开（如清理磁盘、换到可写的文件夹）。")


def upgrade(path: Path) -> None:
    """Bring the file to the newest schema in one transaction (old or new, never half)."""
    from alembic import command

    engine = _make_engine(path, foreign_keys=False)  # batch table rebuilds need FKs off
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise DatabaseError(f"数据库升级后发现 {len(bad)} 处外键不一致，已撤销升级。")
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    finally:
        engine.dispose()


def open_database(path: str | os.PathLike, *, create: bool = True) -> Database:
    """Open (and if needed create and migrate) the database at `path` — a file, or a server's
    postgresql:// URL (hzdesk/db/server.py)."""
    from hzdesk.db.server import is_server
    if is_server(path):
        return _open_server(str(path), create=create)
    path = Path(path).expanduser()
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise DatabaseError(f"数据库文件“{path}”不存在。")
    if path.is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是数据库文件。")
    known, head = known_revisions()
    revision = None
    if exists:
        _app_id, revision = inspect_file(path)
        if revision is not None and revision not in known:
            raise DatabaseError(
                f"数据库“{path}”由更新版本的河长办台账创建（结构版本 {revision}），"
                "本程序无法安全打开。请升级软件后再打开；文件未做任何改动。")
        if not writable(path):
            if revision != head:
                raise StorageUnavailable(f"数据库“{path}”所在的磁盘或文件夹是只读的，而它需要先升级到本程序的结构"
                                         "才能打开。请把它复制到可写的文件夹（如“文档”）后再打开。")
            engine = _make_engine(path, read_only=True)
            configure_mappers()
            return Database(path=path, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False),
                            read_only=True)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"无法创建文件夹“{path.parent}”：{os_reason(exc)}") from exc
    if revision != head:
        if revision is not None:  # an existing database about to change shape: keep a copy first
            from hzdesk.db.backup import backup
            backup(path, "升级前")
        upgrade(path)
    engine = _make_engine(path)
    # SQLAlchemy wires the models together on the first query (~0.1 s); do it while opening,
    # so it is not paid by whichever table or report happens to come first.
    configure_mappers()
    _start_anchor(path, engine)
    return Database(path=path, engine=engine,
                    sessions=sessionmaker(engine, expire_on_commit=False))


def _open_server(url: str, *, create: bool) -> Database:
    from hzdesk.db import server

    engine = server.make_engine(url)
    try:
        server.prepare(engine, url, create=create)
    except BaseException:
        engine.dispose()
        raise
    configure_mappers()
    return Database(path=None, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False),
                    url=server.normalise(url))
