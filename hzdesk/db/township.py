"""Which township a session sees and writes (the county edition, #18 point 4).

Every ledger row carries its township (models.InTownship). A session scoped to one township — a
county clerk who opened 某某镇, or a county import of that township's workbook — gets every ORM
query narrowed to that township's rows (SQLAlchemy's `with_loader_criteria`, so the services, the
import's lookups and its uniqueness checks need no change), and its new rows are put in it.

A session without a scope sees everything: a township's own database (it has one township, and
every query stays as it always was) or the county's 全县 view, which reads, counts and prints
across townships and writes no ledger row: a record belongs to one township, chosen first.
"""

from __future__ import annotations

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, with_loader_criteria

from hzdesk.db.models import HOME_TOWNSHIP, InTownship, Township
from hzdesk.errors import HzdeskError

SCOPE = "township"      # session.info key: the township id the session is narrowed to
COUNTY = "county"       # session.info key: the database holds several townships


class NoTownshipChosen(HzdeskError):
    """A ledger record was to be added, changed or deleted in the county's 全县 view."""


def scope(session: Session, township_id: int | None) -> Session:
    """Narrow `session` to one township (None: all of them)."""
    if township_id is None:
        session.info.pop(SCOPE, None)
    else:
        session.info[SCOPE] = township_id
    return session


def narrowed(statement, township_id: int):
    """`statement` seeing only that township's ledger rows (compiled by the ORM's rules even when
    run on a plain connection, as db/rows.plain_rows does)."""
    return statement.options(with_loader_criteria(
        InTownship, lambda cls: cls.township_id == township_id, include_aliases=True))


@event.listens_for(Session, "do_orm_execute")
def _only_this_township(state) -> None:
    township_id = state.session.info.get(SCOPE)
    if township_id is None or state.is_column_load or state.is_relationship_load:
        return   # (a relationship's load carries the options of the query that loaded its parent)
    if state.is_select or state.is_update or state.is_delete:
        state.statement = narrowed(state.statement, township_id)


WRITE_IN_COUNTY_VIEW = "全县汇总中只能查看、统计和打印；新增、修改或删除记录请先在窗口右上角的“乡镇”中选择一个乡镇。"


def county_view(session: Session) -> bool:
    """Whether the session reads the county's database across its townships (全县)."""
    return session.info.get(SCOPE) is None and bool(session.info.get(COUNTY))


def require_township(session: Session) -> None:
    """Refuse a write to the ledgers in the county's 全县 view."""
    if county_view(session):
        raise NoTownshipChosen(WRITE_IN_COUNTY_VIEW)


@event.listens_for(Session, "before_flush")
def _new_rows_in_this_township(session: Session, _context, _instances) -> None:
    township_id = session.info.get(SCOPE)
    if township_id is None and session.info.get(COUNTY):
        # Whatever service wrote it: the county's 全县 view writes no ledger row.
        if any(isinstance(obj, InTownship) for obj in (*session.new, *session.dirty, *session.deleted)):
            raise NoTownshipChosen(WRITE_IN_COUNTY_VIEW)
        return
    for obj in session.new:
        if isinstance(obj, InTownship) and obj.township_id is None:
            obj.township_id = township_id if township_id is not None else HOME_TOWNSHIP


# ---------------------------------------------------------------- the townships themselves

def townships(session: Session) -> list[Township]:
    """Every township of the database, the database's own first."""
    return list(session.scalars(select(Township).order_by(Township.id)))


def is_county(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Township)) or 0) > 1


def covers(session: Session) -> str | None:
    """What the session's rows cover, for paper printed from the county's database: 全县, or the
    township chosen; None for a township's own database (its office's name says it)."""
    if county_view(session):
        return "全县"
    township_id = session.info.get(SCOPE)
    if township_id is None or not is_county(session):
        return None
    township = session.get(Township, township_id)
    return township.name if township is not None else None


def find(session: Session, name_or_code: str) -> Township | None:
    given = name_or_code.strip()
    return session.scalar(select(Township).where((Township.name == given) | (Township.code == given)))


def add(session: Session, name: str, code: str | None = None) -> Township:
    """A new township of the county (its ledgers come by 合并乡镇台账)."""
    name = (name or "").strip()
    code = (code or "").strip() or None
    if not name:
        raise HzdeskError("请填写乡镇名称。")
    if find(session, name) is not None or (code and find(session, code) is not None):
        raise HzdeskError(f"乡镇“{name}”已经有了。")
    existing = townships(session)
    if len(existing) == 1 and existing[0].name == placeholder(session) and _holds_nothing(session, existing[0].id):
        # A new county database: the township migration 0014 named after the office's name
        # holds no record, and the first township added takes its place.
        township = existing[0]
        township.name, township.code = name, code
    else:
        township = Township(name=name, code=code)
        session.add(township)
    session.flush()
    return township


SUFFIXES = ("河长制办公室", "河长办公室", "河长办", "人民政府", "政府")


def township_name(office_name: str | None) -> str:
    """The township's name from the office's printed name: 某某镇河长制办公室 → 某某镇."""
    name = (office_name or "").strip()
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[:-len(suffix)]
            break
    return name or "本乡镇"


def placeholder(session: Session) -> str:
    """The name migration 0014 gave the database's township (from the setting's stored value)."""
    from hzdesk.db.models import Setting
    stored = session.get(Setting, "office_name")
    return township_name(stored.value if stored is not None and isinstance(stored.value, str) else None)


def follow_office_name(session: Session, office_name: str) -> None:
    """A township's own database: its township is named after its office, and follows a change
    of the office's name while it still bears the name taken from the old one. A county's
    townships keep their names whatever the county office is called."""
    existing = townships(session)
    if len(existing) == 1 and existing[0].name == placeholder(session):
        existing[0].name = township_name(office_name)


def _holds_nothing(session: Session, township_id: int) -> bool:
    from hzdesk.db.models import Person, WaterBody
    return all(session.scalar(select(func.count()).select_from(model)
                              .where(model.township_id == township_id)) == 0 for model in (WaterBody, Person))
