import os

# Qt without a screen; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read the real clock: the whole run (and every command it starts) sees one "today",
# fixed once here — the real date unless HZDESK_TODAY already names one (CI runs the suite again
# on the first of a month, on 1 January and on 29 February). See hzdesk/clock.py.
from hzdesk import clock  # noqa: E402

os.environ.setdefault("HZDESK_TODAY", clock.today().isoformat())   # the one reading of the real date


import pytest  # noqa: E402
import tempfile  # noqa: E402

# What the program caches (the parsed font) goes to a folder of this run, not the user's own; so
# do the window's remembered settings (QSettings: size, the page left open), which the tests'
# windows would otherwise leave for the next real start on this PC.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="hzdesk-test-cache-")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="hzdesk-test-config-")

from hzdesk.db.engine import open_database  # noqa: E402


# HZDESK_TEST_PG=postgresql+psycopg://user@host:port/ runs every test that takes `db` on a fresh
# database of that server (#18): one database migrated once, then copied per test (CREATE
# DATABASE … TEMPLATE, ~0.1 s). Tests of what only a file has are marked sqlite_only and skipped.
SERVER = os.environ.get("HZDESK_TEST_PG", "").rstrip("/")
if SERVER:   # a server database's PC-side folder (its attachments' cache) lies under the user's data folder
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="hzdesk-test-data-")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: what only a SQLite file has (backups, the lock file, "
                                       "pragmas, the file's header); skipped on a server")


def pytest_collection_modifyitems(config, items):
    if SERVER:
        skip = pytest.mark.skip(reason="只对 SQLite 文件：服务器上不适用")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def server_template():
    """A migrated hzdesk database on the test server, the model of each test's database."""
    name = f"hzdesk_tpl_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    open_database(f"{SERVER}/{name}").close()
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_serial = iter(range(1, 10**9))


@pytest.fixture(scope="session")
def file_template(tmp_path_factory):
    """A database file built by running every migration, as the app builds a new one; each test's
    file is a copy of it (migrating from scratch per test took 0.3 s, a sixth of the suite).
    tests/test_migrations.py and test_upgrades.py build theirs from scratch."""
    folder = tmp_path_factory.mktemp("template")
    open_database(folder / "test.db").close()
    return folder


@pytest.fixture
def db(tmp_path, request):
    """A fresh database built by the migrations: a file (a copy of the migrated template, with
    the chain's head kept beside it), or with HZDESK_TEST_PG a database of its own on that server."""
    if not SERVER:
        import shutil
        template = request.getfixturevalue("file_template")
        for made in template.iterdir():   # the file and its chain's head (anchor.py)
            if made.is_file():
                shutil.copy2(made, tmp_path / made.name)
        database = open_database(tmp_path / "test.db")
        yield database
        database.close()
        return
    template = request.getfixturevalue("server_template")
    name = f"hzdesk_t{os.getpid()}_{next(_serial)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    database = open_database(f"{SERVER}/{name}")
    yield database
    database.close()
    # Dropped two tests later: a window's pending timer (a filter's delay) may still query it
    # while the next test sets up.
    _dropping.append(name)
    while len(_dropping) > 2:
        _admin(f'DROP DATABASE IF EXISTS "{_dropping.pop(0)}" WITH (FORCE)')


_dropping: list[str] = []


def pytest_sessionfinish(session, exitstatus):
    while SERVER and _dropping:
        _admin(f'DROP DATABASE IF EXISTS "{_dropping.pop(0)}" WITH (FORCE)')


@pytest.fixture
def session(db):
    with db.session(actor="测试员") as s:
        yield s


@pytest.fixture
def river(session):
    from hzdesk.services import records

    wb = records.create(session, "water_body", {"code": "XJ001", "name": "清溪河", "kind": "河流",
                                                "level": "县级", "length_km": 20})
    session.commit()
    return wb


@pytest.fixture
def chief(session):
    from hzdesk.services import records

    p = records.create(session, "person", {"name": "张建国", "phone": "13800138000", "sex": "男"})
    session.commit()
    return p

