"""The figures a township office reports for a period, and the sentence clerks paste into reports.

Problems, for a period and an as-of date:
* found = problems found in the period; closed = problems whose 销号 date is in the period;
* rectified_of_found = problems found in the period that are 已销号 as of the as-of date;
  rectification_rate = rectified_of_found ÷ found (None when nothing was found);
* the period's problems (`period_problems`): those found in the period (up to the as-of date)
  and those found earlier that were still open when it began (上期结转, carried over) — the rows
  of the period's issue ledger and binder section;
* open (待交办, 整改中 or 待验收), overdue (`rules.is_overdue`) and parked (挂账) over the period's
  problems, each in the state it had on the as-of date (the last workflow move dated on or
  before it);
* counts by category and by source of the problems found in the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hzdesk.db.models import Problem, ProblemEvent
from hzdesk.db.rows import plain_rows
from hzdesk.parsing import format_amount
from hzdesk.services import boards, compliance, roster
from hzdesk.services.rules import OPEN_STATES, is_overdue, overdue_sql
from hzdesk.services.plans import plan_stats
from hzdesk.services.water_quality import water_quality_stats
from hzdesk.services.tracks import track_stats
from hzdesk.services.work import work_stats
from hzdesk.services.assessment import assess
from hzdesk.services.settings import get_setting
from hzdesk.vocab import ProblemState


@dataclass
class ProblemStats:
    found: int
    closed: int
    rectified_of_found: int
    open: int
    overdue: int
    parked: int
    by_category: dict[str, int]
    by_source: dict[str, int]
    carried_over: int = 0
    by_unit: list[dict[str, Any]] | None = None   # None: not asked for (a county's ranking)

    @property
    def rectification_rate(self) -> float | None:
        return self.rectified_of_found / self.found if self.found else None


def _state_on(session: Session, day: dt.date):
    """The expression of a problem's state on `day`: the state of its last move dated on or before
    that day, for a query over Problem."""
    latest_move = session.scalar(select(func.max(ProblemEvent.on_date)))
    if latest_move is None or latest_move <= day:   # the usual case, as of today: the state now
        return Problem.state
    # Moves never run backwards in date, so the highest id dated by `day` is the last move. Asked
    # per problem (an index walk over its few moves) rather than grouping every move up to that
    # day: half the time for a year's problems, and only for the problems the query keeps.
    last_move = (select(ProblemEvent.to_state)
                 .where(ProblemEvent.problem_id == Problem.id, ProblemEvent.on_date <= day)
                 .order_by(ProblemEvent.id.desc()).limit(1).scalar_subquery())
    # A problem with no move dated by then (an old record brought in without its history) is
    # taken in its current state.
    return func.coalesce(last_move, Problem.state)


def states_as_of(session: Session, as_of: dt.date) -> dict[int, ProblemState]:
    """Each problem found by `as_of`, in the state of its last move dated on or before it."""
    return dict(plain_rows(session, select(Problem.id, _state_on(session, as_of))
                           .where(Problem.found_on <= as_of)).all())


@dataclass
class PeriodProblems:
    """The problems a period's ledger lists, each in its state on the as-of date."""

    states: dict[int, ProblemState]
    carried: set[int]      # found before the period and not yet closed when it began (上期结转)
    overdue: set[int]      # 超期 on the as-of date
    units: dict[int, str] = field(default_factory=dict)   # 责任单位 (as named today), where named


def _listed(session: Session, start: dt.date, last: dt.date):
    """The condition on Problem of a period's problems (up to its last day, `last`): found in the
    period, or found earlier and not 已销号 the day before it began."""
    before = _state_on(session, start - dt.timedelta(days=1))
    # A problem 销号 before the period began is not carried over: 销号日期 is the day of its
    # closing move (set by that move, never edited; the period's 销号 count reads it too), and
    # nothing moves a problem out of 已销号. Only the other older problems have their state on
    # that day looked up — in the large demo set 1,052 of 12,751.
    not_closed_before = or_(Problem.state != ProblemState.CLOSED, Problem.closed_on.is_(None),
                            Problem.closed_on >= start)
    return and_(Problem.found_on <= last,
                or_(Problem.found_on >= start, and_(not_closed_before, before != ProblemState.CLOSED)))


def period_problems(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> PeriodProblems:
    last = min(end, as_of)
    if last < start:
        return PeriodProblems({}, set(), set())
    # One query that returns the period's problems only (not every problem ever found: a big
    # township has 20,000, the county's database 300,000), each with its state on the as-of date.
    rows = plain_rows(session, select(Problem.id, Problem.found_on, Problem.deadline, Problem.responsible_unit,
                                      _state_on(session, as_of))
                      .where(_listed(session, start, last))).all()
    states = {pid: state for pid, _f, _d, _u, state in rows}
    carried = {pid for pid, found_on, _d, _u, _s in rows if found_on < start}
    overdue = {pid for pid, _f, deadline, _u, state in rows if is_overdue(state, deadline, as_of)}
    units = {pid: unit for pid, _f, _d, unit, _s in rows if unit}
    return PeriodProblems(states, carried, overdue, units)


@dataclass(frozen=True)
class _Counts:
    """How many of a period's problems are in each case, on the as-of date."""

    found: int = 0                 # found in the period
    carried_over: int = 0          # found before it (上期结转)
    rectified_of_found: int = 0    # found in the period and 已销号
    open: int = 0
    overdue: int = 0
    parked: int = 0


def _counted(pp: PeriodProblems) -> _Counts:
    return _tally(Counter((state, pid not in pp.carried, pid in pp.overdue)
                          for pid, state in pp.states.items()).items())


def _counted_in_sql(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> _Counts:
    """`_counted(period_problems(…))` without reading the problems: the same condition and the
    same states, grouped by the database. A county's ranking asks this of each township; a big
    township's year has 6,000 problems (tests/test_stats.py checks that both ways agree)."""
    last = min(end, as_of)
    if last < start:
        return _Counts()
    # The state on the as-of date worked out once a problem, then grouped: on a past day it is a
    # lookup of the problem's moves, and grouping by the expression itself looked it up three
    # times a problem (a quarter as of its last day, five townships: 0.20 s, now 0.08 s).
    listed = select(_state_on(session, as_of).label("state"), Problem.found_on, Problem.deadline
                    ).where(_listed(session, start, last)).cte("listed")
    new, late = listed.c.found_on >= start, overdue_sql(as_of, listed.c.state, listed.c.deadline)
    groups = plain_rows(session, select(listed.c.state, new, late, func.count()).group_by(listed.c.state, new, late)).all()
    return _tally(((ProblemState(state), bool(is_new), bool(is_late)), n) for state, is_new, is_late, n in groups)


def _tally(groups) -> _Counts:
    """The counts from groups of ((state, found in the period, overdue), how many)."""
    counts = dict.fromkeys(("found", "carried_over", "rectified_of_found", "open", "overdue", "parked"), 0)
    for (state, is_new, is_late), n in groups:
        counts["found" if is_new else "carried_over"] += n
        counts["rectified_of_found"] += n if is_new and state is ProblemState.CLOSED else 0
        counts["open"] += n if state in OPEN_STATES else 0
        counts["overdue"] += n if is_late else 0
        counts["parked"] += n if state is ProblemState.PARKED else 0
    return _Counts(**counts)


def problem_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date,
                  pp: PeriodProblems | None = None, by_unit: bool = True) -> ProblemStats:
    """The period's problem figures. Without `by_unit` (a county's ranking) and with no
    `period_problems` at hand, they are counted by the database instead of read problem by problem."""
    last = min(end, as_of)
    closed = session.scalar(select(func.count()).select_from(Problem)
                            .where(and_(Problem.closed_on >= start, Problem.closed_on <= last)))
    if pp is None and not by_unit:
        counts = _counted_in_sql(session, start, end, as_of)
    else:
        pp = pp or period_problems(session, start, end, as_of)
        counts = _counted(pp)
    by_category, by_source = _found_by_kind(session, start, last)
    return ProblemStats(**asdict(counts), closed=closed, by_category=by_category, by_source=by_source,
                        by_unit=_by_unit(pp) if by_unit else None)


def _found_by_kind(session: Session, start: dt.date, last: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """The problems found in the period by 问题类别 and by 来源: most first, and of equal counts the
    one registered first."""
    groups = plain_rows(session, select(Problem.category, Problem.source, func.count(), func.min(Problem.id))
                        .where(Problem.found_on >= start, Problem.found_on <= last)
                        .group_by(Problem.category, Problem.source)).all()

    def most_first(index: int) -> dict[str, int]:
        counts: dict[str, list[int]] = {}
        for row in groups:
            entry = counts.setdefault(row[index], [0, row[3]])
            entry[0] += row[2]
            entry[1] = min(entry[1], row[3])
        return {k: n for k, (n, _first) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[1][1]))}

    return most_first(0), most_first(1)


def _by_unit(pp: PeriodProblems) -> list[dict[str, Any]]:
    """The period's problems by 责任单位 (the unit named today: a problem handed on to another
    unit counts with the one that has it), most problems first."""
    from hzdesk.collation import sort_key

    rows: dict[str, dict[str, Any]] = {}
    for pid, state in pp.states.items():
        unit = pp.units.get(pid)
        if not unit:
            continue
        row = rows.setdefault(unit, {"unit": unit, "assigned": 0, "closed": 0, "open": 0, "overdue": 0})
        row["assigned"] += 1
        row["closed"] += state is ProblemState.CLOSED
        row["open"] += state in OPEN_STATES
        row["overdue"] += pid in pp.overdue
    return sorted(rows.values(), key=lambda r: (-r["assigned"], sort_key(r["unit"])))


def _rate(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def period_stats(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict[str, Any]:
    """Everything `hzdesk stats` prints, as plain data (the JSON keys are a promise: add, never
    rename)."""
    return period_figures(session, start, end, as_of).stats


@dataclass
class PeriodFigures:
    """`period_stats` and the records behind two of its figures, for a document that names them
    (the 工作总结's overdue problems and boards out of date) without computing them again."""

    stats: dict[str, Any]
    problems: PeriodProblems
    boards: list


def period_figures(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> PeriodFigures:
    pc = compliance.compute(session, start, end, as_of)
    pp = period_problems(session, start, end, as_of)
    ps = problem_stats(session, start, end, as_of, pp)
    bs = boards.board_statuses(session, as_of)
    wq = water_quality_stats(session, start, end, as_of)
    return PeriodFigures(_figures(session, start, end, as_of, pc, pp, ps, bs, wq), pp, bs)


def _figures(session, start, end, as_of, pc, pp, ps, bs, wq) -> dict[str, Any]:
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "as_of": as_of.isoformat(),
        "patrols": {
            **_patrol_totals(pc),
            "late_entries": pc.late_entries,
            "chiefs_without_patrol": len(pc.chiefs_without_patrol),
            "suspicious": len(pc.suspicious),
            "by_chief": [{"name": c.name, "phone": c.phone, "level": c.level, "due": c.due,
                          "credited": c.credited, "done": c.done, "rate": _rate(c.rate)}
                         for c in pc.by_chief],
            "tracks": track_stats(session, start, end, as_of),
        },
        "issues": _issue_figures(ps),
        "boards": {**_board_totals(bs), "by_level": _boards_by_level(session, bs)},
        "water_quality": {**wq, "rate": _rate(wq["rate"])},
        "plans": plan_stats(session, start, end, as_of),
        "people": roster.people_on(session, as_of),
        "work": work_stats(session, start, end, as_of),
        "assessment": assess(session, start, end, as_of, compliance=pc, problems=pp, boards=bs,
                             scheme_text=get_setting(session, "assessment_scheme", on=min(end, as_of))),
    }


def key_figures(session: Session, start: dt.date, end: dt.date, as_of: dt.date) -> dict[str, Any]:
    """The part of `period_stats` a county ranks townships by — patrol totals, the problems'
    figures and the board totals — made by the same functions, without the rest (suspicious
    records, tracks, water quality, plans, work, the assessment): a year's ranking of 15 townships
    computes this 15 times."""
    pc = compliance.compute(session, start, end, as_of, details=False)
    ps = problem_stats(session, start, end, as_of, by_unit=False)   # (sorting units by pinyin: 0.2 s)
    return {"patrols": _patrol_totals(pc), "issues": _issue_figures(ps),
            "boards": _board_totals(boards.board_statuses(session, as_of))}


def _patrol_totals(pc: compliance.Compliance) -> dict[str, Any]:
    return {"done": pc.done, "due": pc.due, "credited": pc.credited, "rate": _rate(pc.rate)}


def _issue_figures(ps: ProblemStats) -> dict[str, Any]:
    return {"found": ps.found, "closed": ps.closed, "rectified_of_found": ps.rectified_of_found,
            "rectification_rate": _rate(ps.rectification_rate), "open": ps.open,
            "overdue": ps.overdue, "parked": ps.parked, "carried_over": ps.carried_over,
            "by_category": ps.by_category, "by_source": ps.by_source,
            **({} if ps.by_unit is None else {"by_unit": ps.by_unit})}


def _board_totals(bs: list) -> dict[str, int]:
    return {"total": len(bs), "out_of_date": sum(b.out_of_date for b in bs),
            "update_overdue": sum(b.overdue for b in bs), "unknown": sum(not b.known for b in bs)}


def _boards_by_level(session: Session, statuses: list) -> dict[str, int]:
    """The boards in use on the day, counted by their level (县级, 乡级, 村级; 未填 last)."""
    from hzdesk.db.models import SignBoard
    from hzdesk.services.rules import ordered_levels

    levels = dict(session.execute(select(SignBoard.id, SignBoard.level)
                                  .where(SignBoard.id.in_([b.board_id for b in statuses]))).all())
    counts = Counter(levels.get(b.board_id) or "未填" for b in statuses)
    return {level: counts[level] for level in ordered_levels(counts)}


def percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%".replace(".0%", "%")


def summary_text(stats: dict[str, Any]) -> str:
    """A readable Chinese summary, ending with the sentence a clerk pastes into a report."""
    p, i, b = stats["patrols"], stats["issues"], stats["boards"]
    lines = [f"统计期间：{stats['period']['start']} 至 {stats['period']['end']}（截至 {stats['as_of']}）", "",
             "【巡河】",
             f"  实巡 {p['done']} 次；应巡 {p['due']} 次，按规则计入 {p['credited']} 次，巡河率 {percent(p['rate'])}",
             f"  补录 {p['late_entries']} 条；可疑记录 {p['suspicious']} 条；"
             f"本期应巡而未巡河的河长 {p['chiefs_without_patrol']} 人"]
    t = p["tracks"]
    if t["with_track"]:
        lines.append(f"  有轨迹 {t['with_track']} 次，对照河道线核对 {t['checked']} 次：覆盖不足 {t['below_coverage']} 次，"
                     f"疑似乘车 {t['too_fast']} 次，不符合要求共 {t['not_passed']} 次")
    behind = [c for c in p["by_chief"] if c["due"] and c["credited"] < c["due"]]
    if behind:
        lines.append("  未达要求的河长：" + "、".join(
            f"{c['name']}（{c['level']}，{c['credited']}/{c['due']}）" for c in behind[:15])
            + (f" 等 {len(behind)} 人" if len(behind) > 15 else ""))
    lines += ["", "【问题】",
              f"  发现 {i['found']} 个，本期销号 {i['closed']} 个；本期发现的已销号 {i['rectified_of_found']} 个，"
              f"整改率 {percent(i['rectification_rate'])}",
              f"  截至 {stats['as_of']}：未办结 {i['open']} 个，其中超期 {i['overdue']} 个；挂账 {i['parked']} 个"]
    if i["by_category"]:
        lines.append("  按类别：" + "，".join(f"{k} {v}" for k, v in i["by_category"].items()))
    if i["by_source"]:
        lines.append("  按来源：" + "，".join(f"{k} {v}" for k, v in i["by_source"].items()))
    if i["by_unit"]:
        lines.append("  按责任单位（交办/已销号/超期）：" + "，".join(
            f"{u['unit']} {u['assigned']}/{u['closed']}/{u['overdue']}" for u in i["by_unit"][:12])
            + (f" 等 {len(i['by_unit'])} 个单位" if len(i["by_unit"]) > 12 else ""))
    lines += ["", "【公示牌】",
              f"  在用 {b['total']} 块，内容过期 {b['out_of_date']} 块，其中超过更新时限 {b['update_overdue']} 块"]
    if b["by_level"]:
        lines.append("  按级别：" + "，".join(f"{k} {v} 块" for k, v in b["by_level"].items()))
    people = stats["people"]
    if people["by_role"]:
        lines += ["", f"【组织体系】（截至 {stats['as_of']}）",
                  "  河长：" + ("，".join(f"{k} {v} 名" for k, v in people["chiefs_by_level"].items()) or "无"),
                  "  按角色：" + "，".join(f"{k} {v} 名" for k, v in people["by_role"].items())]
    w = stats["water_quality"]
    if w["sections"]:
        lines += ["", "【水质】",
                  f"  监测断面 {w['sections']} 个，本期有监测结果 {w['sampled']} 个，达标 {w['meeting_target']} 个，"
                  f"达标率 {percent(w['rate'])}；劣Ⅴ类 {w['worse_than_v']} 个"]
    pl = stats["plans"]
    if pl["plans"]:
        lines += ["", "【一河一策】",
                  f"  本期实施方案 {pl['plans']} 个，任务 {pl['tasks']} 项；截至 {stats['as_of']} 已完成 {pl['done']} 项，"
                  f"超期未完成 {pl['overdue']} 项"]
    wk = stats["work"]
    if wk["by_kind"] or wk["quantities"]:
        lines += ["", "【工作记录】",
                  "  " + ("，".join(f"{k} {v} 次" for k, v in wk["by_kind"].items()) or "无")
                  + (f"（其中本程序签发的督办单 {wk['supervision_sheets']} 份）" if wk["supervision_sheets"] else "")]
        if wk["quantities"]:
            lines.append("  工作量：" + "，".join(f"{k} {format_amount(v)}" for k, v in wk["quantities"].items()))
        if wk["participants"]:
            lines.append(f"  参与 {wk['participants']} 人次")
    if stats["assessment"]:
        lines += ["", "【村级考核】（按设置中的考核办法）",
                  "  " + "，".join(f"{r['rank'] or '—'}. {r['unit']} {'—' if r['score'] is None else r['score']}分 {r['grade']}"
                                  for r in stats["assessment"])]
    lines += ["", "【可直接用于报告】", "  " + report_sentence(stats)]
    return "\n".join(lines)


def report_sentence(stats: dict[str, Any]) -> str:
    """The period's figures as one sentence of a report, ready to paste (with its 。)."""
    p, i = stats["patrols"], stats["issues"]
    return (f"本期累计巡河 {p['done']} 次，应巡 {p['due']} 次，巡河率 {percent(p['rate'])}；"
            f"发现问题 {i['found']} 个，已销号 {i['rectified_of_found']} 个，整改率 "
            f"{percent(i['rectification_rate'])}；超期未整改 {i['overdue']} 个。")
