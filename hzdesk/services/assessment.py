"""村级考核 (#16 point 5): each village scored for a period by the office's own scheme.

The scheme is a setting the office edits (设置 → 基本设置 → 考核办法), one item a line, and like the
patrol rules it is dated: a change takes effect from its date, and a period is scored by the scheme
in force on its last day (or the as-of day, if earlier). The default:

    巡河率 40            村级河长按规则计入的巡河次数 ÷ 应巡次数
    整改率 30            交办给本村的问题中已销号的比例（本期问题，截至日状态）
    公示牌更新率 20       本村在用公示牌中牌面信息无需更新的比例
    工作记录 10 3         本村牵头的工作记录条数 ÷ 3（满 3 条得满分）
    超期问题扣分 5 20     交办给本村的超期问题每个扣 5 分，最多扣 20 分
    优良 90
    合格 60

A village's score = 100 × Σ(分值 × 比例) ÷ Σ(分值 of the items that apply) − 扣分, never below 0. An
item applies when the village has something to measure (due patrols, problems handed to it, boards
in use; 工作记录 always applies). Grades: 优良 ≥ 90, 合格 ≥ 60, else 不合格. Ranks are 1, 2, 2, 4
(equal scores share a rank). A village where no item of the scheme applies is 不参评: no score,
no rank (a score of 100 for nothing done would claim more than the ledgers show).

Villages are those named by the register (河湖's 所在村) and by the boards (所在村). A chief, a problem's
责任单位 and a work record's 牵头单位 belong to the village whose name they start with (白沙村村委会 →
白沙村); the figures used are those of `period_stats` (compliance, period problems, board statuses).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.parsing import ParseError, parse_float

ITEMS = ("巡河率", "整改率", "公示牌更新率", "工作记录")
DEDUCTION = "超期问题扣分"
GRADES = ("优良", "合格")
NOT_SCORED = "不参评"
DEFAULT_SCHEME = "巡河率 40\n整改率 30\n公示牌更新率 20\n工作记录 10 3\n超期问题扣分 5 20\n优良 90\n合格 60"


@dataclass(frozen=True)
class Scheme:
    weights: dict[str, float]
    work_target: int = 3
    overdue_points: float = 0.0
    overdue_cap: float = 0.0
    excellent: float = 90.0
    passing: float = 60.0

    def grade(self, score: float) -> str:
        return "优良" if score >= self.excellent else "合格" if score >= self.passing else "不合格"


def parse_scheme(text: str) -> Scheme:
    """The scheme from its lines ("巡河率 40" …); a wrong line raises ParseError saying which and why."""
    weights: dict[str, float] = {}
    work_target, points, cap, grades = 3, 0.0, 0.0, {"优良": 90.0, "合格": 60.0}
    for n, raw in enumerate(str(text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, *numbers = re.split(r"[\s:：,，]+", line)
        try:
            values = [parse_float(x, minimum=0) for x in numbers]
        except ParseError as exc:
            raise ParseError(f"第 {n} 行“{line}”：{exc}") from None
        if not values:
            raise ParseError(f"第 {n} 行“{line}”缺少分值")
        if name in ITEMS:
            weights[name] = values[0]
            if name == "工作记录" and len(values) > 1:
                if values[1] < 1 or values[1] != int(values[1]):
                    raise ParseError(f"第 {n} 行：工作记录的满分条数应为正整数")
                work_target = int(values[1])
        elif name == DEDUCTION:
            points, cap = values[0], values[1] if len(values) > 1 else 100.0
        elif name in grades:
            if values[0] > 100:
                raise ParseError(f"第 {n} 行：{name}的分数线不能超过 100")
            grades[name] = values[0]
        else:
            raise ParseError(f"第 {n} 行“{name}”不是考核项目（可用：{'、'.join((*ITEMS, DEDUCTION, *GRADES))}）")
    if not any(weights.values()):
        raise ParseError("至少要有一个分值大于 0 的考核项目（巡河率、整改率、公示牌更新率、工作记录）")
    if grades["合格"] > grades["优良"]:
        raise ParseError("合格分数线不能高于优良分数线")
    return Scheme(weights, work_target, points, cap, grades["优良"], grades["合格"])


def check_scheme(text: str) -> None:
    parse_scheme(text)


def villages(session: Session, as_of: dt.date) -> list[str]:
    """The township's villages: those the register's water bodies and the boards in use name."""
    from hzdesk.collation import sort_key
    from hzdesk.db.models import SignBoard, WaterBody
    from hzdesk.services.rules import in_use_on_sql

    names: set[str] = set()
    for (text,) in session.execute(select(WaterBody.villages).where(in_use_on_sql(WaterBody.retired_on, as_of))):
        names.update(x.strip() for x in re.split(r"[、,，;；\s]+", text or "") if x.strip())
    for (v,) in session.execute(select(SignBoard.village).where(in_use_on_sql(SignBoard.retired_on, as_of))):
        if v and v.strip():
            names.add(v.strip())
    return sorted(names, key=sort_key)


def _owner(name: str | None, places: list[str]) -> str | None:
    """The village a unit belongs to: the longest village name it starts with."""
    if not name:
        return None
    found = [v for v in places if name.startswith(v)]
    return max(found, key=len) if found else None


def assess(session: Session, start: dt.date, end: dt.date, as_of: dt.date, *, scheme_text: str, compliance: Any,
           problems: Any, boards: list) -> list[dict[str, Any]]:
    """`stats --json`'s "assessment": each village's score, grade and rank, with its items, by the
    scheme `scheme_text` (the setting in force on the period's last day, read by the caller)."""
    from hzdesk.db.models import Person, Problem, SignBoard, WorkRecord
    from hzdesk.vocab import ProblemState

    places = villages(session, as_of)
    if not places:
        return []
    last = min(end, as_of)
    scheme = parse_scheme(scheme_text)
    tally = {v: {"due": 0, "credited": 0, "assigned": 0, "closed": 0, "overdue": 0, "boards": 0, "current": 0,
                 "work": 0} for v in places}
    units = dict(session.execute(select(Person.id, Person.unit)).all())
    for c in compliance.by_chief:
        v = _owner(units.get(c.person_id), places)
        if v and "村级" in c.level.split("、"):
            tally[v]["due"] += c.due
            tally[v]["credited"] += c.credited
    handed = dict(session.execute(select(Problem.id, Problem.responsible_unit)
                                  .where(Problem.id.in_(list(problems.states)))).all()) if problems.states else {}
    for pid, state in problems.states.items():
        v = _owner(handed.get(pid), places)
        if v:
            tally[v]["assigned"] += 1
            tally[v]["closed"] += state is ProblemState.CLOSED
            tally[v]["overdue"] += pid in problems.overdue
    board_village = dict(session.execute(select(SignBoard.id, SignBoard.village)).all())
    for b in boards:
        v = (board_village.get(b.board_id) or "").strip()
        if v in tally:
            tally[v]["boards"] += 1
            tally[v]["current"] += not b.out_of_date
    if last >= start:
        for (organizer,) in session.execute(select(WorkRecord.organizer)
                                            .where(WorkRecord.held_on >= start, WorkRecord.held_on <= last)):
            v = _owner(organizer, places)
            if v:
                tally[v]["work"] += 1

    rows = []
    for v, t in tally.items():
        ratios = {"巡河率": t["credited"] / t["due"] if t["due"] else None,
                  "整改率": t["closed"] / t["assigned"] if t["assigned"] else None,
                  "公示牌更新率": t["current"] / t["boards"] if t["boards"] else None,
                  "工作记录": min(1.0, t["work"] / scheme.work_target)}
        applied = {k: w for k, w in scheme.weights.items() if w and ratios[k] is not None}
        deduction = min(scheme.overdue_cap, scheme.overdue_points * t["overdue"])
        if applied:
            base = 100 * sum(w * ratios[k] for k, w in applied.items()) / sum(applied.values())
            score = round(max(0.0, base - deduction), 1)
        else:   # nothing the scheme measures happened in this village: not scored, not ranked
            score = None
        rows.append({"unit": v, "score": score, "grade": scheme.grade(score) if score is not None else NOT_SCORED,
                     "items": {k: None if r is None else round(r, 4) for k, r in ratios.items()},
                     "overdue": t["overdue"], "deduction": deduction, "work_records": t["work"]})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0)))
    for i, r in enumerate(rows):
        r["rank"] = (None if r["score"] is None else
                     rows[i - 1]["rank"] if i and r["score"] == rows[i - 1]["score"] else i + 1)
    return [{"unit": r["unit"], "score": r["score"], "grade": r["grade"], "rank": r["rank"],
             **{k: r[k] for k in ("items", "overdue", "deduction", "work_records")}} for r in rows]
