"""A blank import workbook: the standard sheets with their headers, drop-down lists for the
columns that take a value from a list, and a first sheet that says how to fill it in."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from hzdesk.files import atomic_output
from hzdesk.reports.sheets import COMPANIONS, SHEETS
from hzdesk.services.settings import checklist, choices
from hzdesk.vocab import GROWING_LISTS, WATER_CLASSES, ProblemState

INSTRUCTIONS = [
    "填写说明",
    "",
    "1. 每张表对应一本台账；表名和第一行的列名不要改动，列的先后顺序可以调整，不用的列可以删除（蓝底加粗的列必须保留）。",
    "2. 日期可以写 2025-03-05、2025/3/5、2025.3.5、2025年3月5日、20250305，或使用 Excel 的日期格式。",
    "3. 时间写 8:30 或 14:05。电话号码可以写成数字或文本。",
    "4. 带下拉箭头的列请从列表中选择；列表内容可在软件“设置 → 选项列表”中增加。",
    "5. “河湖编码”要与“河湖名录”表或软件中已有的编码一致；“上级编码”填所属河流的编码。",
    "6. 人员按姓名匹配；有同名人员时，请同时填写电话。",
    "7. 巡河记录的“检查发现”填发现问题的检查项名称，多项用“；”隔开。",
    "8. 公示牌的“牌面河长”填牌面上印的河长姓名，多人用“、”隔开。",
    "9. 导入时只要有一处错误，就一条也不写入；软件会列出每处错误（表、行号、列、原因），并生成“错误清单”工作簿，改正后可直接再次导入。",
]


def write_template(path: str | os.PathLike, session: Session) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = "填写说明"
    for line in INSTRUCTIONS:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    for row in guide.iter_rows(min_row=3):
        row[0].alignment = Alignment(wrap_text=True)

    required_fill = PatternFill("solid", fgColor="BDD7EE")
    optional_fill = PatternFill("solid", fgColor="EDEDED")
    checklist_labels = "；".join(item.label for item in checklist(session))
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        columns = [c for c in sheet.columns if c.role != "water_name"]   # a name beside a code is for reading
        ws.append([c.header for c in columns])
        ws.freeze_panes = "A2"
        for i, c in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i)
            required = c.field is not None and c.field.required and c.field.editable and c.role not in COMPANIONS
            cell.font = Font(bold=required)
            cell.fill = required_fill if required else optional_fill
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(c.width * 2 + 2, len(c.header) * 2 + 4)
            values = None
            if c.field is not None and c.role == "value":
                if c.field.kind == "choice":
                    values = choices(session, c.field.choices)
                elif c.field.kind == "class":
                    values = WATER_CLASSES
                elif c.field.kind == "bool":
                    values = ["是", "否"]
                elif c.field.kind == "state":
                    values = [s.value for s in ProblemState]
            hint = c.field.hint if c.field is not None else ""
            if c.role == "checklist":
                hint = f"可填：{checklist_labels}"
            if c.role == "amounts":
                hint = "写成“名称(单位) 数值”，多项用“；”隔开，如：清理垃圾(吨) 3.5；宣传材料(份) 200。可填：" + "、".join(
                    choices(session, c.field.choices))
            if values:
                listed = ",".join(values)
                if len(listed) <= 250:  # Excel's limit for an inline list
                    dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
                    dv.error = "请从下拉列表中选择"
                    dv.errorTitle = c.header
                    if c.field.choices in GROWING_LISTS:   # a new unit may be typed: asked, not refused
                        dv.errorStyle = "information"
                        dv.error = "列表中没有这个单位，导入时将加入责任单位列表。"
                    ws.add_data_validation(dv)
                    dv.add(f"{letter}2:{letter}5000")
                hint = (hint + "；" if hint else "") + "可选：" + "、".join(values)
            if hint:
                cell.comment = Comment(hint, "河长办台账")
    with atomic_output(path) as tmp:
        wb.save(tmp)
