import os

# Qt without a screen; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read the real clock: the whole run (and every command it starts) sees one "today",
# fixed once here — the real date unless HZDESK_TODAY already names one (CI runs the suite again
# on the first of a month, on 1 January and on 29 February). See hzdesk/clock.py.
from hzdesk import clock  # noqa: E402

os.environ.setdefault("HZDESK_TODAY", clock.today().isoformat())   # the one reading of the real date


import pytest  # noqa: E402

from hzdesk.db.engine import open_database  # noqa: E402


@pytest.fixture
def db(tmp_path):
    """A fresh database built by running the migrations, as the app does."""
    database = open_database(tmp_path / "test.db")
    yield database
    database.close()


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

