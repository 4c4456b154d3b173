"""Every printed report kind, registered once: the command line's `report` choices, the 报表 tab's
list and the binder's sections all come from here; `reports/make.py` is the one way to produce
any of them."""

from __future__ import annotations

from dataclasses import dataclass

from hzdesk.errors import ValidationError
from hzdesk.vocab import ProblemState


@dataclass(frozen=True)
class ReportKind:
    key: str                 # the command line's name for it
    title: str               # what the clerk reads
    needs: str = ""          # "period", "issue" or "patrol": what must be given
    in_window: bool = True   # offered in 报表's list (督办单/销号单 are printed from 问题台账)
    in_binder: bool = False  # a section of the 迎检台账, in this order
    document: bool = False   # a document written from the ledgers: Word (.docx) or PDF, by the file's ending
    details: bool = False    # prints a detail line under each record unless asked for 简表 (brief)


KINDS: dict[str, ReportKind] = {k.key: k for k in (
    ReportKind("summary", "统计报表", needs="period", in_binder=True),
    ReportKind("rivers", "河湖名录", in_binder=True),
    ReportKind("map", "河湖一张图", in_binder=True),
    ReportKind("outfalls", "入河排污口名录", in_binder=True),
    ReportKind("sections", "水质监测断面名录", in_binder=True),
    ReportKind("water", "水质监测结果台账", needs="period", in_binder=True),
    ReportKind("plans", "一河一策方案台账", in_binder=True),
    ReportKind("plan-tasks", "一河一策任务台账", needs="period", in_binder=True),
    ReportKind("work", "工作记录台账", needs="period", in_binder=True),
    ReportKind("roster", "河长名录", in_binder=True),
    ReportKind("boards", "河长公示牌台账", in_binder=True),
    ReportKind("board-photos", "河长公示牌照片", in_binder=True),
    ReportKind("patrols", "巡河记录台账", in_binder=True, details=True),
    ReportKind("issues", "问题台账", in_binder=True, details=True),
    ReportKind("issue-sheet", "督办单", needs="issue", in_window=False),
    ReportKind("closure-sheet", "销号单", needs="issue", in_window=False),
    ReportKind("track", "巡河轨迹核对单", needs="patrol", in_window=False),
    ReportKind("binder", "迎检台账（全年合订本）", needs="period", details=True),
    # Word (.docx) for the clerk to finish, or PDF: the file name's ending says which.
    ReportKind("work-summary", "河长制工作总结", needs="period", document=True),
    ReportKind("assessment", "村级考核通报", needs="period", document=True),
    # Offered in the window by the 县级汇总 tab, which a county's database has.
    ReportKind("county-ranking", "乡镇排名通报", needs="period", document=True, in_window=False),
)}

BINDER_PARTS = [k for k in KINDS.values() if k.in_binder]


def check_options(kind: str, *, period=None, issue: str | None = None, state: str | None = None,
                  patrol: int | None = None) -> ReportKind:
    """The options a kind needs, checked before any work: a Chinese reason, never a traceback."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError({"kind": f"没有“{kind}”这种报表；可选：{'、'.join(KINDS)}"})
    if spec.needs == "period" and period is None:
        raise ValidationError({"period": f"{spec.title}需要指定期间，如 2025 或 2025Q1"})
    if spec.needs == "issue" and not issue:
        raise ValidationError({"issue": f"{spec.title}需要指定问题编号，如 WT-2025-001"})
    if spec.needs == "patrol" and patrol is None:
        raise ValidationError({"patrol": f"{spec.title}需要指定巡河记录号，如 --patrol 125"})
    if state and state not in {s.value for s in ProblemState}:
        raise ValidationError({"state": f"没有“{state}”这个状态；可选：{'、'.join(s.value for s in ProblemState)}"})
    return spec
