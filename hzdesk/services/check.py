"""`hzdesk check`: is the file sound, and do the ledgers agree with themselves?

Errors are things that are wrong (a broken file, a closed problem without a closing date);
warnings are things a clerk should look at (a patrol by someone not in charge of that water body).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from hzdesk.services.rules import in_use_on_sql
from hzdesk.db import models as m
from hzdesk.db.audit import verify_chain
from hzdesk.vocab import ProblemState


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


COUNTED = [("河湖", m.WaterBody), ("排污口", m.Outfall), ("监测断面", m.MonitoringSection),
           ("监测结果", m.MonitoringResult), ("一河一策", m.RiverPlan), ("人员", m.Person),
           ("任职", m.Appointment), ("公示牌", m.SignBoard), ("巡河记录", m.Patrol),
           ("问题", m.Problem), ("问题流转记录", m.ProblemEvent), ("工作记录", m.WorkRecord), ("附件", m.Attachment),
           ("留痕", m.AuditEntry)]


def count_records(session: Session) -> dict[str, int]:
    """How many records each ledger holds, by its Chinese name."""
    return {title: session.scalar(select(func.count()).select_from(model)) for title, model in COUNTED}


def _count(session: Session, q) -> int:
    return session.scalar(select(func.count()).select_from(q.subquery()))


def check_database(session: Session) -> CheckReport:
    report = CheckReport()
    if session.get_bind().dialect.name == "sqlite":
        # A server checks its own pages and always enforces foreign keys (amcheck is its
        # administrator's); a file is checked here.
        integrity = [r[0] for r in session.execute(text("PRAGMA integrity_check")).all()]
        if integrity != ["ok"]:
            report.errors.append("数据库文件完整性检查未通过：" + "；".join(integrity[:5]))
            return report  # nothing below can be trusted on a damaged file
        fk = session.execute(text("PRAGMA foreign_key_check")).all()
        if fk:
            report.errors.append(f"有 {len(fk)} 条记录引用了不存在的记录（外键不一致）")

    report.counts = count_records(session)

    for msg in verify_chain(session.connection())[:20]:
        report.errors.append(msg)
    from hzdesk.db.digest import differences
    report.errors += differences(session.connection())[:20]   # rows changed outside the program

    def flag(target: list, q, message: str) -> None:
        n = _count(session, q)
        if n:
            target.append(message.format(n=n))

    P = m.Problem
    flag(report.errors, select(P.id).where(P.state == ProblemState.CLOSED, P.closed_on.is_(None)),
         "{n} 个问题已销号但没有销号日期")
    flag(report.errors, select(P.id).where(P.state != ProblemState.CLOSED, P.closed_on.isnot(None)),
         "{n} 个问题未销号却有销号日期")
    flag(report.errors, select(P.id).where(P.closed_on < P.found_on),
         "{n} 个问题的销号日期早于发现日期")
    flag(report.errors, select(P.id).where(~exists().where(m.ProblemEvent.problem_id == P.id)),
         "{n} 个问题没有任何流转记录")
    last_event = (select(m.ProblemEvent.problem_id, func.max(m.ProblemEvent.id).label("last_id"))
                  .group_by(m.ProblemEvent.problem_id).subquery())
    flag(report.errors,
         select(P.id).join(last_event, last_event.c.problem_id == P.id)
         .join(m.ProblemEvent, m.ProblemEvent.id == last_event.c.last_id)
         .where(m.ProblemEvent.to_state != P.state),
         "{n} 个问题的当前状态与最后一次流转记录不一致")
    flag(report.warnings, select(P.id).where(P.state.in_([ProblemState.RECTIFYING]),
                                             or_(P.deadline.is_(None), P.responsible_unit.is_(None))),
         "{n} 个整改中的问题缺少责任单位或整改时限")

    A = m.Appointment
    flag(report.errors, select(A.id).where(A.end_on < A.start_on), "{n} 条任职的离任日期早于任职日期")
    B = aliased(m.Appointment)
    flag(report.warnings,
         select(A.id).join(B, and_(B.person_id == A.person_id, B.role == A.role,
                                   B.water_body_id == A.water_body_id, B.id > A.id,
                                   B.start_on <= func.coalesce(A.end_on, B.start_on),
                                   func.coalesce(B.end_on, A.start_on) >= A.start_on)),
         "{n} 条任职与同一人同一河湖同一角色的另一条任职时间重叠")

    T = m.Patrol
    flag(report.errors, select(T.id).where(T.entered_on < T.patrol_date), "{n} 条巡河记录的录入日期早于巡河日期")
    flag(report.errors, select(T.id).where(T.end_time <= T.start_time), "{n} 条巡河记录的结束时间不晚于开始时间")
    flag(report.warnings,
         select(T.id).where(~exists().where(A.person_id == T.person_id,
                                            A.water_body_id == T.water_body_id,
                                            A.start_on <= T.patrol_date,
                                            or_(A.end_on.is_(None), A.end_on >= T.patrol_date))),
         "{n} 条巡河记录的巡河人当日并未在该河湖任职（可能是代巡或任职信息不全）")

    W, Parent = m.WaterBody, aliased(m.WaterBody)
    flag(report.errors,
         select(T.id).join(W, W.id == T.water_body_id).where(~in_use_on_sql(W.retired_on, T.patrol_date)),
         "{n} 条巡河记录的日期在所巡河湖注销之日或以后")
    flag(report.errors,
         select(T.id).join(W, W.id == T.water_body_id).where(W.registered_on.isnot(None),
                                                              T.patrol_date < W.registered_on),
         "{n} 条巡河记录的日期早于所巡河湖的登记日期")
    flag(report.warnings,
         select(W.id).join(Parent, Parent.id == W.parent_id)
         .where(Parent.retired_on.isnot(None), W.retired_on.is_(None)),
         "{n} 个河段仍在册，但其上级河湖已注销")
    flag(report.warnings,
         select(m.SignBoard.id).where(m.SignBoard.retired_on.is_(None),
                                      ~exists().where(m.BoardChief.board_id == m.SignBoard.id)),
         "{n} 块在用公示牌没有登记牌面河长")
    return report


def format_report(report: CheckReport, path: str) -> str:
    lines = [f"数据库：{path}", "记录数：" + "，".join(f"{k} {v}" for k, v in report.counts.items())]
    if report.errors:
        lines.append(f"发现 {len(report.errors)} 个错误：")
        lines += [f"  ✗ {e}" for e in report.errors]
    if report.warnings:
        lines.append(f"需要留意 {len(report.warnings)} 项：")
        lines += [f"  ! {w}" for w in report.warnings]
    lines.append("检查通过。" if report.ok else "检查未通过。")
    return "\n".join(lines)
