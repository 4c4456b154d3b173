"""Board freshness under reshuffles up and down the tree."""

import pytest

from hzdesk.services import records
from hzdesk.services.boards import board_statuses, set_printed_chiefs
from hzdesk.errors import ValidationError
from hzdesk.services.settings import set_setting

from helpers import D, appoint, person, water


@pytest.fixture
def tree(session):
    """County river R (县级 A) → township segment S (乡级 B) → village segment V (村级 C)."""
    r = water(session, "R", level="县级", kind="河流")
    s = water(session, "R-S", level="乡级", parent=r)
    v = water(session, "R-S-V", level="村级", parent=s)
    people = {n: person(session, n) for n in "甲乙丙丁戊"}
    appts = {"A": appoint(session, people["甲"], r, D(2020, 1, 1), level="县级"),
             "B": appoint(session, people["乙"], s, D(2020, 1, 1), level="乡级"),
             "C": appoint(session, people["丙"], v, D(2020, 1, 1), level="村级")}
    board_v = records.create(session, "sign_board", {"code": "B-V", "water_body_id": v.id, "condition": "完好",
                                                     "installed_on": "2021-01-01"})
    board_r = records.create(session, "sign_board", {"code": "B-R", "water_body_id": r.id, "condition": "完好",
                                                     "installed_on": "2021-01-01"})
    set_printed_chiefs(session, board_v.id, [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}])
    set_printed_chiefs(session, board_r.id, [{"name": "甲"}])
    return r, s, v, people, appts, board_v, board_r


def status(session, code, as_of):
    return next(b for b in board_statuses(session, as_of) if b.code == code)


def test_a_board_shows_its_chain_and_is_fresh(session, tree):
    st = status(session, "B-V", D(2025, 3, 1))
    assert not st.out_of_date
    assert [(s.name, s.level) for s in st.should] == [("甲", "县级"), ("乙", "乡级"), ("丙", "村级")]
    assert [s.name for s in status(session, "B-R", D(2025, 3, 1)).should] == ["甲"]


def test_village_reshuffle_flags_only_the_village_board_with_deadline(session, tree):
    r, s, v, people, appts, *_ = tree
    records.retire(session, "appointment", appts["C"].id, D(2025, 3, 9))
    appoint(session, people["丁"], v, D(2025, 3, 10))
    st = status(session, "B-V", D(2025, 3, 25))
    assert (st.since, st.due_by, st.overdue) == (D(2025, 3, 10), D(2025, 3, 25), False)
    assert st.missing == ["丁"] and st.stale == ["丙"]
    assert status(session, "B-V", D(2025, 3, 26)).overdue
    assert not status(session, "B-R", D(2025, 3, 26)).out_of_date
    set_setting(session, "board_update_days", 30, effective_from=D(2025, 1, 1))
    assert status(session, "B-V", D(2025, 3, 26)).due_by == D(2025, 4, 9)
    set_setting(session, "board_update_days", 10)          # from today on: this board keeps its 30 days
    assert status(session, "B-V", D(2025, 3, 26)).due_by == D(2025, 4, 9)


def test_county_reshuffle_flags_every_board_down_the_tree(session, tree):
    r, s, v, people, appts, *_ = tree
    records.retire(session, "appointment", appts["A"].id, D(2025, 4, 30))
    appoint(session, people["戊"], r, D(2025, 5, 1), level="县级")
    assert status(session, "B-V", D(2025, 5, 2)).since == D(2025, 5, 1)
    assert status(session, "B-R", D(2025, 5, 2)).since == D(2025, 5, 1)


def test_a_vacancy_is_out_of_date_from_the_day_after_the_chief_left(session, tree):
    *_, appts, board_v, board_r = tree
    records.retire(session, "appointment", appts["B"].id, D(2025, 6, 30))
    st = status(session, "B-V", D(2025, 7, 5))
    assert st.since == D(2025, 7, 1) and st.stale == ["乙"]


def test_two_changes_in_a_row_keep_the_first_day_of_difference(session, tree):
    r, s, v, people, appts, *_ = tree
    records.retire(session, "appointment", appts["C"].id, D(2025, 3, 9))
    d = appoint(session, people["丁"], v, D(2025, 3, 10))
    records.retire(session, "appointment", d.id, D(2025, 4, 9))
    appoint(session, people["戊"], v, D(2025, 4, 10))
    assert status(session, "B-V", D(2025, 4, 12)).since == D(2025, 3, 10)


def test_reprinting_makes_it_fresh_and_a_wrong_reprint_is_late_from_its_print_date(session, tree):
    r, s, v, people, appts, board_v, _ = tree
    records.retire(session, "appointment", appts["C"].id, D(2025, 3, 9))
    appoint(session, people["丁"], v, D(2025, 3, 10))
    set_printed_chiefs(session, board_v.id, [{"name": "甲"}, {"name": "乙"}, {"name": "丁"}])
    records.update(session, "sign_board", board_v.id, {"content_updated_on": "2025-03-20"})
    assert not status(session, "B-V", D(2025, 4, 1)).out_of_date
    set_printed_chiefs(session, board_v.id, [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}])
    records.update(session, "sign_board", board_v.id, {"content_updated_on": "2025-04-01"})
    st = status(session, "B-V", D(2025, 4, 20))
    assert (st.since, st.overdue) == (D(2025, 4, 1), True)


def test_a_chief_coming_back_makes_the_old_board_right_again(session, tree):
    r, s, v, people, appts, *_ = tree
    records.retire(session, "appointment", appts["C"].id, D(2025, 3, 9))
    d = appoint(session, people["丁"], v, D(2025, 3, 10))
    records.retire(session, "appointment", d.id, D(2025, 5, 31))
    appoint(session, people["丙"], v, D(2025, 6, 1))
    assert status(session, "B-V", D(2025, 4, 1)).out_of_date
    assert not status(session, "B-V", D(2025, 6, 2)).out_of_date


def test_retired_boards_and_boards_not_yet_installed_are_left_out(session, tree):
    *_, board_v, board_r = tree
    records.retire(session, "sign_board", board_r.id, D(2024, 1, 1))
    assert [b.code for b in board_statuses(session, D(2025, 1, 1))] == ["B-V"]
    assert board_statuses(session, D(2020, 6, 1)) == []


def test_a_past_day_judges_a_board_by_the_face_it_showed_then(session, tree):
    """#12 point 3: boards keep what they printed; a report as of a past day neither shows later
    dates nor guesses where nothing was recorded."""
    r, s, v, people, appts, board_v, board_r = tree
    records.retire(session, "appointment", appts["C"].id, D(2025, 3, 9))
    appoint(session, people["丁"], v, D(2025, 3, 10))
    # Redone on 2025-04-02 with 丁 instead of 丙.
    set_printed_chiefs(session, board_v.id, [{"name": "甲"}, {"name": "乙"}, {"name": "丁"}], on=D(2025, 4, 2))
    records.update(session, "sign_board", board_v.id, {"content_updated_on": "2025-04-02"})
    session.flush()
    before = status(session, "B-V", D(2025, 3, 31))     # the old face, wrong since the 10th
    assert (before.printed, before.since, before.printed_on) == (["甲", "乙", "丙"], D(2025, 3, 10), D(2021, 1, 1))
    assert before.out_of_date and before.known
    after = status(session, "B-V", D(2025, 4, 5))
    assert (after.printed, after.out_of_date, after.printed_on) == (["甲", "乙", "丁"], False, D(2025, 4, 2))
    # A board brought in with only today's face (牌面更新 2026-03-30): earlier days are 无记录.
    imported = records.create(session, "sign_board", {"code": "B-X", "water_body_id": v.id, "condition": "完好",
                                                      "installed_on": "2019-05-01",
                                                      "content_updated_on": "2026-03-30"})
    set_printed_chiefs(session, imported.id, [{"name": "甲"}, {"name": "乙"}, {"name": "丁"}])
    old = status(session, "B-X", D(2025, 12, 31))
    assert (old.known, old.out_of_date, old.printed) == (False, False, [])
    assert status(session, "B-X", D(2026, 4, 1)).known


def test_the_boards_ledger_as_of_a_past_day_prints_nothing_from_after_it(session, tree):
    from hzdesk.reports.pdf.ledgers import build

    r, s, v, people, appts, board_v, board_r = tree
    set_printed_chiefs(session, board_r.id, [{"name": "甲"}], on=D(2026, 3, 30))
    records.update(session, "sign_board", board_r.id, {"content_updated_on": "2026-03-30"})
    doc = build(session, "boards", as_of=D(2025, 12, 31))
    text = "".join("".join(row) for row in doc.rows)
    assert "2026" not in text


def test_all_posts_of_a_person_go_to_one_successor_in_one_step(session, tree):
    """#13: a village secretary who chairs three water bodies leaves all three at once."""
    from hzdesk.services.roster import open_posts, reshuffle_person

    r, s, v, people, appts, board_v, board_r = tree
    v2 = water(session, "R-S-V2", level="村级", parent=s)
    second = appoint(session, people["丙"], v2, D(2021, 1, 1))
    session.flush()
    pairs = reshuffle_person(session, appts["C"].id, end_on="2025-03-09", successor={"name": "欧阳淼"},
                             reason="村两委换届")
    assert {old.id for old, _new in pairs} == {appts["C"].id, second.id}
    successors = {new.person_id for _old, new in pairs}
    assert len(successors) == 1                                  # one new person, created once
    assert all(new.start_on == D(2025, 3, 10) for _old, new in pairs)
    assert open_posts(session, people["丙"].id, D(2025, 3, 10)) == []
    with pytest.raises(ValidationError, match="没有在任的职务"):
        reshuffle_person(session, appts["C"].id, end_on="2025-04-01", successor={"name": "某人"})
