"""A database on a PostgreSQL server — the office's server for several clerks at once, or the
county's (#18) — chosen by a URL where a file path would go (`--db`, HZDESK_DB, 文件 → 连接服务器数据库).

What a file gets from its own checks, a server gets here:

* Identity: a database whose tables are not hzdesk's (no `hzdesk_meta` marker) is refused
  untouched, as a SQLite file of other software is; one that a newer hzdesk upgraded is refused.
* Upgrades run under an advisory lock (two first starts at once: the second waits, then finds the
  schema made) in one transaction (PostgreSQL's DDL is transactional). A role that may not create
  tables is told to ask the administrator, and nothing is changed.
* No pragmas, no lock file, no file backups: the server's administrator backs it up (pg_dump).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from hzdesk.db.revisions import alembic_config, known_revisions
from hzdesk.paths import is_server  # noqa: F401  (re-exported)
from hzdesk.errors import DatabaseError, NotFound

# pg_advisory_xact_lock keys: "HZDK" for the schema, +1 for the audit trail's head and numbering.
SCHEMA_LOCK = 0x485A444B
WRITE_LOCK = SCHEMA_LOCK + 1
MARKER_TABLE = "hzdesk_meta"


def normalise(url: str) -> str:
    """postgres:// and postgresql:// as psql writes them mean the psycopg driver we carry."""
    url = url.strip()
    scheme, rest = url.split("://", 1)
    if "+" not in scheme:
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"


def shown(url: str) -> str:
    """The URL as a clerk may see it: the password never shown."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def local_folder(url: str) -> Path:
    """This PC's folder for what belongs to one server database (its attachments until they move
    into the database): under the user's data folder, named by the server and database."""
    from hzdesk.paths import user_data_dir

    u = make_url(url)
    tag = hashlib.sha256(f"{u.host}:{u.port}/{u.database}".encode()).hexdigest()[:12]
    return user_data_dir() / "服务器" / f"{u.database or 'db'}-{tag}"


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(
            normalise(url), future=True, pool_pre_ping=True,   # a server restarted overnight: reconnect
            # application_name must be ASCII (a Chinese name came back as ??????): pg_stat_activity
            # then shows which connections are hzdesk's.
            connect_args={"application_name": "hzdesk", "connect_timeout": 10},
            json_serializer=lambda obj: json.dumps(obj, ensure_ascii=False))
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseError(f"服务器数据库地址“{shown(url)}”写得不对（{exc}）。应形如 "
                            "postgresql://用户名:密码@服务器:5432/数据库名。") from None
    event.listen(engine, "connect", _without_jit)
    return engine


def _without_jit(dbapi_connection, _record) -> None:
    """No JIT compilation for this program's connections. hzdesk's queries are a clerk's — each
    over one office's rows, a few to 50 ms — and PostgreSQL's cost estimate switches JIT on for
    some of them: compiling then took 14 ms of a 50 ms query (a county's year problems, each
    township's). A server older than PostgreSQL 11 has no JIT to switch off."""
    import psycopg

    try:
        with dbapi_connection.cursor() as cur:
            cur.execute("SET jit = off")
        dbapi_connection.commit()
    except psycopg.Error:
        dbapi_connection.rollback()


def connection_failure(url: str, exc: BaseException) -> DatabaseError:
    """A server that cannot be reached or refuses the login, in words a clerk can act on."""
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else ""
    low = detail.lower()
    if "password" in low or "authentication" in low:
        why = "用户名或密码不对"
    elif "does not exist" in low and "database" in low:
        why = "服务器上没有这个数据库，请管理员先建立（见说明书“服务器”一节）"
    elif "role" in low and "does not exist" in low:
        why = "服务器上没有这个用户"
    elif "timeout" in low or "refused" in low or "could not" in low or "resolve" in low:
        why = "连不上服务器（请检查网络、服务器地址和端口，以及服务器是否开着）"
    elif "ssl" in low:
        why = "加密连接（SSL）没有建立起来，请检查地址中的 sslmode 等设置"
    else:
        why = detail or "连接失败"
    return DatabaseError(f"无法连接服务器数据库“{shown(url)}”：{why}。没有作任何改动。")


def prepare(engine: Engine, url: str, *, create: bool) -> None:
    """Refuse what is not ours, then bring the schema to head — all under the schema lock."""

    known, head = known_revisions()
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
            tables = set(inspect(conn).get_table_names())
            revision = None
            if tables:
                if MARKER_TABLE not in tables:
                    raise DatabaseError(f"服务器数据库“{shown(url)}”里已有其他软件的表（如 {sorted(tables)[0]}），"
                                        "不是河长办台账的数据库，已拒绝使用；数据库未做任何改动。"
                                        "请管理员为本软件单独建立一个数据库。")
                revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
                if revision not in known:
                    raise DatabaseError(f"服务器数据库“{shown(url)}”由更新版本的河长办台账升级过（结构版本 {revision}），"
                                        "本程序无法安全使用。请升级本机软件；数据库未做任何改动。")
            elif not create:
                raise NotFound(f"服务器数据库“{shown(url)}”还是空的。请在主窗口连接它（会自动建立台账结构），"
                               "或用 hzdesk demo / hzdesk import 建立。")
            if revision == head:
                return
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            from alembic import command
            try:
                command.upgrade(cfg, "head")
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) == "42501":   # insufficient_privilege
                    raise DatabaseError(
                        f"服务器数据库“{shown(url)}”需要{'建立台账结构' if revision is None else '升级到本程序的结构'}，"
                        "而当前登录的数据库用户没有建表的权限。请管理员升级数据库（用有权限的用户运行一次 "
                        "hzdesk check --db …），然后再打开；数据库未做任何改动。") from None
                raise
    except DBAPIError as exc:
        if exc.connection_invalidated or getattr(exc.orig, "sqlstate", "") in (None, "") \
                or str(getattr(exc.orig, "sqlstate", "")).startswith(("08", "28", "3D")):
            raise connection_failure(url, exc) from None
        raise


def reset_sequences(conn) -> None:
    """After rows were written with their ids given (the sample data, a restored copy), each
    table's id sequence is moved past the largest id, so the next record the server numbers
    does not collide."""
    from hzdesk.db.models import Base

    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                              f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


def hold_write_lock(conn) -> None:
    """Writers on a server take turns where order matters — the audit trail's head (two writers
    reading the same head forked the chain: 601 entries, 453 distinct predecessors) and the next
    problem number (100 of 200 failed on a duplicate). The lock is held to the end of the
    transaction, so entries and numbers follow the order of commits. SQLite needs nothing: a
    writing transaction there already holds the whole file (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})


def server_url(host: str, port: int, database: str, user: str, password: str = "",
               sslmode: str = "") -> str:
    """The URL for a server from its parts as a form asks for them (a password with @ or / in it
    escaped as a URL needs)."""
    from sqlalchemy.engine import URL

    query = {"sslmode": sslmode} if sslmode else {}
    return URL.create("postgresql+psycopg", username=user or None, password=password or None,
                      host=host, port=port, database=database, query=query).render_as_string(hide_password=False)
