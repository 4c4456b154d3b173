"""The county workbook's sheets, derived from the ledger descriptions.

A sheet column is a ledger field, except where the workbook speaks another language than the
database: a water-body reference is its code (河湖编码), a person reference is a name plus a phone
(so namesakes can be told apart), a work record's quantities are written "清理垃圾(吨) 3.5；…", the patrol checklist is the labels of the items ticked (joined by ；), and a
board's printed chiefs are names joined by 、.
"""

from __future__ import annotations

from dataclasses import dataclass

from hzdesk.db import models as m
from hzdesk.fields import (APPOINTMENT, MONITORING_RESULT, MONITORING_SECTION, OUTFALL, PATROL, PERSON, PLAN_ITEM,
                           PROBLEM, RIVER_PLAN, SIGN_BOARD, WATER_BODY, WORK_RECORD, Field, Ledger)


@dataclass(frozen=True)
class Column:
    header: str
    field: Field | None      # None: a column that is not one field (printed chiefs, a phone)
    role: str = "value"      # value | code | water_name | person_name | person_phone | named | named_water
    #                          | chiefs | checklist | amounts
    #                          | assigned_on | parked_on | returns (a problem's workflow, from its moves)
    #                          water_name: the name beside a code, for readers (an import ignores it)

    @property
    def width(self) -> int:
        return self.field.width if self.field else 10


#: Columns read together with the one before them (a person's phone, a section's water body), or
#: only for reading (a water body's name beside its code): never required on their own.
COMPANIONS = ("person_phone", "water_name", "named_water")

#: Records the workbook names by their name on a water body (two rivers may each have a 断面1):
#: ref → (model, the naming attribute, the name's header, the water body code's header).
NAMED_ON_WATER = {
    "monitoring_section": (m.MonitoringSection, "name", "断面名称", "断面所在河湖编码"),
    "river_plan": (m.RiverPlan, "title", "方案名称", "方案所在河湖编码"),
}


@dataclass(frozen=True)
class Sheet:
    name: str
    ledger: Ledger
    columns: tuple[Column, ...]
    key: str                 # the column that identifies a row within the sheet, for messages

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


def _name_header(f: Field) -> str:
    return f.header.replace("编码", "名称") if "编码" in f.header else f"{f.header}名称"


def _phone_header(f: Field) -> str:
    return "电话" if f.header == "姓名" else f"{f.header}电话"


def _columns(ledger: Ledger, after: dict[str, tuple[Column, ...]] | None = None) -> tuple[Column, ...]:
    """The sheet's columns: the ledger's "workbook" view (a reference as its code or name and phone)."""
    out: list[Column] = []
    for f in (ledger.field(k) for k in ledger.view("workbook")):
        if f.kind == "ref" and f.ref == "water_body":
            out += [Column(f.header, f, "code"), Column(_name_header(f), f, "water_name")]
        elif f.kind == "ref" and f.ref == "person":
            out += [Column(f.header, f, "person_name"), Column(_phone_header(f), f, "person_phone")]
        elif f.kind == "ref" and f.ref in NAMED_ON_WATER:   # a section, a plan: its name on its water body
            _model, _attr, name_header, water_header = NAMED_ON_WATER[f.ref]
            out += [Column(name_header, f, "named"), Column(water_header, f, "named_water")]
        elif f.kind == "json" and f.key == "checklist":
            out.append(Column("检查发现", f, "checklist"))
        elif f.kind == "amounts":
            out.append(Column(f.header, f, "amounts"))
        elif f.kind == "json":
            continue
        else:
            out.append(Column(f.header, f))
        if after and f.key in after:
            out += after[f.key]
    return tuple(out)


SHEETS: tuple[Sheet, ...] = (
    Sheet("河湖名录", WATER_BODY, _columns(WATER_BODY), "编码"),
    Sheet("人员名录", PERSON, _columns(PERSON), "姓名"),
    Sheet("河长任职", APPOINTMENT, _columns(APPOINTMENT), "姓名"),
    Sheet("公示牌", SIGN_BOARD, _columns(SIGN_BOARD, after={"condition": (Column("牌面河长", None, "chiefs"),)}),
          "编号"),
    Sheet("巡河记录", PATROL, _columns(PATROL), "巡河日期"),
    # The workflow's dates travel with each problem (from its dated moves), so that its state on
    # any past day is known after an import too.
    Sheet("问题台账", PROBLEM, _columns(PROBLEM, after={"deadline": (
        Column("交办日期", None, "assigned_on"), Column("挂账日期", None, "parked_on"),
        Column("退回次数", None, "returns"))}), "问题编号"),
    Sheet("排污口", OUTFALL, _columns(OUTFALL), "编码"),
    Sheet("监测断面", MONITORING_SECTION, _columns(MONITORING_SECTION), "断面名称"),
    Sheet("监测结果", MONITORING_RESULT, _columns(MONITORING_RESULT), "断面名称"),
    Sheet("一河一策", RIVER_PLAN, _columns(RIVER_PLAN), "方案名称"),
    Sheet("一河一策任务", PLAN_ITEM, _columns(PLAN_ITEM), "方案名称"),
    Sheet("工作记录", WORK_RECORD, _columns(WORK_RECORD), "日期"),
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
