"""撤销 (#13 point 4): a write is taken back from its audit entries, or refused changing nothing."""

import pytest
from sqlalchemy import func, select

from hzdesk import office
from hzdesk.db import models as m
from hzdesk.db.audit import verify_chain
from hzdesk.services import records, workflow
from hzdesk.services.undo import CannotUndo, describe, undo


def write(db, fn, *args, **kw):
    result, changes = office.write(db, fn, *args, **kw)
    return result, changes.audit


def snapshot(db):
    """Every row of the ledgers a clerk edits, as plain tuples."""
    with db.session() as s:
        return {model.__tablename__: sorted(tuple(getattr(r, c.key) for c in model.__table__.columns
                                                  if c.key not in ("created_at", "updated_at"))
                                            for r in s.scalars(select(model)))
                for model in (m.WaterBody, m.Person, m.Patrol, m.Problem, m.ProblemEvent, m.ChoiceItem)}


@pytest.fixture
def base(db):
    office.write(db, records.create, "water_body", {"code": "XJ001", "name": "清溪河", "kind": "河流",
                                                    "level": "县级", "length_km": 20})
    office.write(db, records.create, "person", {"name": "张建国", "phone": "13800138000"})
    return db


def test_a_save_an_edit_and_a_delete_are_each_taken_back(base):
    start = snapshot(base)
    with base.session() as s:
        wid = s.scalar(select(m.WaterBody.id))
    problem, span = write(base, records.create, "problem", {
        "water_body_id": wid, "source": "群众举报", "category": "乱堆", "description": "堆放砂石",
        "found_on": "2025-01-03", "responsible_unit": "县水利局"})
    with base.session() as s:
        words = describe(s, *span)
    assert words.startswith("新增") and "问题台账 1 条" in words and "办理经过 1 条" in words
    after_create = snapshot(base)
    _r, edit_span = write(base, records.update, "problem", problem.id, {"description": "堆放建筑垃圾"})
    words, _changes = office.write(base, undo, *edit_span)
    assert "修改" in words and snapshot(base) == after_create
    office.write(base, undo, *span)
    assert snapshot(base) == start
    with base.session() as s:
        assert verify_chain(s.connection()) == []
        assert s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action == "撤销")) == 2


def test_a_deleted_record_comes_back_with_its_id(base):
    with base.session() as s:
        pid = s.scalar(select(m.Person.id))
    before = snapshot(base)
    _r, span = write(base, records.delete, "person", pid)
    assert snapshot(base) != before
    office.write(base, undo, *span)
    assert snapshot(base) == before


def test_refused_when_the_row_changed_since_and_nothing_moves(base):
    with base.session() as s:
        pid = s.scalar(select(m.Person.id))
    _r, first = write(base, records.update, "person", pid, {"phone": "13900139000"})
    write(base, records.update, "person", pid, {"phone": "13600136000"})   # the same box edited again
    before = snapshot(base)
    with pytest.raises(CannotUndo, match="此后这些记录又被修改过"):
        office.write(base, undo, *first)
    assert snapshot(base) == before


def test_refused_when_a_later_record_uses_the_one_it_would_delete(base):
    with base.session() as s:
        wid = s.scalar(select(m.WaterBody.id))
    person, span = write(base, records.create, "person", {"name": "李堃", "phone": "13700137000"})
    office.write(base, records.create, "appointment", {"person_id": person.id, "water_body_id": wid,
                                                       "role": "河长", "level": "县级", "start_on": "2025-01-01"})
    before = snapshot(base)
    with pytest.raises(CannotUndo, match="用到了它"):
        office.write(base, undo, *span)
    assert snapshot(base) == before


def test_a_workflow_move_is_taken_back(base):
    with base.session() as s:
        wid = s.scalar(select(m.WaterBody.id))
    problem, _ = write(base, records.create, "problem", {
        "water_body_id": wid, "source": "群众举报", "category": "乱堆", "description": "堆放",
        "found_on": "2025-01-03"})
    before = snapshot(base)
    _r, span = write(base, workflow.move, problem.id, "交办", on_date="2025-01-04",
                     responsible_unit="镇执法队", deadline="2025-02-01")
    office.write(base, undo, *span)
    after = snapshot(base)
    assert after["problem"] == before["problem"] and after["problem_event"] == before["problem_event"]
