"""发现 → 交办 → 整改 → 验收 → 销号: allowed moves only, each asking for what it needs."""

import pytest

from hzdesk.errors import ValidationError
from hzdesk.services import records
from hzdesk.services.workflow import MOVES, allowed_moves, is_overdue, move
from hzdesk.vocab import ProblemState as S

from helpers import D, water


@pytest.fixture
def problem(session):
    v = water(session, "V1")
    return records.create(session, "problem", {"found_on": "2025-03-05", "water_body_id": v.id,
                                               "source": "河长巡河", "category": "生活垃圾",
                                               "description": "河面漂浮垃圾约10平方米"})


def test_the_whole_path_with_a_failed_check(session, problem):
    with pytest.raises(ValidationError) as exc:
        move(session, problem.id, "交办", on_date="2025-03-06")
    assert exc.value.errors == {"responsible_unit": "这一步必须填写", "deadline": "这一步必须填写"}
    assert "责任单位：这一步必须填写" in str(exc.value)
    move(session, problem.id, "交办", on_date="2025-03-06", responsible_unit="东岭村村委会",
         responsible_person="王主任", deadline="2025-03-20", note="限期清理")
    with pytest.raises(ValidationError, match="整改措施"):
        move(session, problem.id, "报告整改完成", on_date="2025-03-15")
    move(session, problem.id, "报告整改完成", on_date="2025-03-15", measures="组织保洁员打捞")
    assert problem.rectified_on == D(2025, 3, 15)
    with pytest.raises(ValidationError, match="说明"):
        move(session, problem.id, "验收不通过", on_date="2025-03-16")
    move(session, problem.id, "验收不通过", on_date="2025-03-16", note="岸边仍有残留")
    assert problem.state is S.RECTIFYING and problem.rectified_on is None
    move(session, problem.id, "报告整改完成", on_date="2025-03-18")
    with pytest.raises(ValidationError, match="验收人"):
        move(session, problem.id, "验收通过", on_date="2025-03-19")
    move(session, problem.id, "验收通过", on_date="2025-03-19", verifier="李站长")
    assert problem.state is S.CLOSED
    assert (problem.verified_on, problem.closed_on, problem.verifier) == (D(2025, 3, 19), D(2025, 3, 19), "李站长")
    assert [(e.action, e.from_state, e.to_state, e.on_date.day) for e in problem.events] == [
        ("登记", None, S.REGISTERED, 5), ("交办", S.REGISTERED, S.RECTIFYING, 6),
        ("报告整改完成", S.RECTIFYING, S.AWAITING_CHECK, 15),
        ("验收不通过", S.AWAITING_CHECK, S.RECTIFYING, 16),
        ("报告整改完成", S.RECTIFYING, S.AWAITING_CHECK, 18),
        ("验收通过", S.AWAITING_CHECK, S.CLOSED, 19)]
    # The history says to whom and by when (#13: 办理经过 did not say what a 交办 set).
    assert problem.events[1].note == "责任单位：东岭村村委会；整改时限：2025-03-20。限期清理"
    assert problem.events[1].actor == "测试员"


def test_fixed_on_the_spot_goes_straight_to_closed(session, problem):
    move(session, problem.id, "销号", on_date="2025-03-05", verifier="巡河人张三",
         measures="现场打捞完毕", note="附现场照片")
    assert problem.state is S.CLOSED and problem.closed_on == problem.rectified_on == D(2025, 3, 5)


def test_parking_and_resuming(session, problem):
    with pytest.raises(ValidationError) as exc:
        move(session, problem.id, "挂账", on_date="2025-03-10", deadline="2025-03-09")
    assert set(exc.value.errors) == {"note", "deadline"}
    move(session, problem.id, "挂账", on_date="2025-03-10", deadline="2025-12-31", note="列入年度项目")
    assert problem.state is S.PARKED and allowed_moves(S.PARKED) == ["恢复整改"]
    with pytest.raises(ValidationError, match="整改时限"):
        move(session, problem.id, "恢复整改", on_date="2025-06-01", responsible_unit="镇水利站")
    move(session, problem.id, "恢复整改", on_date="2025-06-01", responsible_unit="镇水利站",
         deadline="2025-07-01")
    assert problem.state is S.RECTIFYING


@pytest.mark.parametrize("state", list(S))
def test_every_move_not_allowed_from_a_state_is_refused(session, problem, state):
    problem.state = state
    session.flush()
    for action, spec in MOVES.items():
        if state not in spec.sources:
            with pytest.raises(ValidationError, match=f"当前为“{state.value}”，不能“{action}”"):
                move(session, problem.id, action, on_date="2025-03-06", verifier="甲", note="乙",
                     measures="丙", responsible_unit="丁", deadline="2025-12-31")
    assert problem.state is state


def test_allowed_moves_per_state():
    assert allowed_moves(S.REGISTERED) == ["交办", "挂账", "销号"]
    assert allowed_moves(S.RECTIFYING) == ["报告整改完成", "挂账"]
    assert allowed_moves(S.AWAITING_CHECK) == ["验收通过", "验收不通过"]
    assert allowed_moves(S.CLOSED) == []


def test_move_dates_never_run_backwards_or_into_the_future(session, problem):
    with pytest.raises(ValidationError, match="不能早于发现日期"):
        move(session, problem.id, "交办", on_date="2025-03-01", responsible_unit="甲", deadline="2025-04-01")
    move(session, problem.id, "交办", on_date="2025-03-10", responsible_unit="甲", deadline="2025-04-01")
    with pytest.raises(ValidationError, match="不能早于上一步的日期 2025-03-10"):
        move(session, problem.id, "报告整改完成", on_date="2025-03-09", measures="已清理")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        move(session, problem.id, "报告整改完成", on_date="2999-01-01", measures="已清理")
    with pytest.raises(ValidationError, match="没有“整改”这一步"):
        move(session, problem.id, "整改")


def test_refused_move_changes_nothing(session, problem):
    with pytest.raises(ValidationError):
        move(session, problem.id, "交办", on_date="2025-03-06", responsible_unit="东岭村")
    assert problem.state is S.REGISTERED and problem.responsible_unit is None and len(problem.events) == 1


def test_overdue_at_the_boundary_day(session, problem):
    move(session, problem.id, "交办", on_date="2025-03-06", responsible_unit="东岭村", deadline="2025-03-20")
    assert not is_overdue(problem, D(2025, 3, 20))   # due today: not yet overdue
    assert is_overdue(problem, D(2025, 3, 21))
    move(session, problem.id, "报告整改完成", on_date="2025-03-25", measures="已清理")
    assert not is_overdue(problem, D(2025, 4, 30))   # 待验收 is not overdue


def test_registered_problem_with_a_passed_deadline_is_overdue_but_parked_is_not(session, problem):
    problem.deadline = D(2025, 3, 10)
    assert is_overdue(problem, D(2025, 3, 11))
    move(session, problem.id, "挂账", on_date="2025-03-12", deadline="2025-12-31", note="挂账")
    assert not is_overdue(problem, D(2026, 6, 1))
