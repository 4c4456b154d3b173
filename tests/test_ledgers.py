"""The one description of each ledger agrees with the models and the choice lists."""

from sqlalchemy import inspect

from hzdesk.fields import CHOICE_LISTS, LEDGERS

# Columns kept by the program, never typed by a clerk.
INTERNAL = {"id", "created_at", "updated_at",
            "township_id"}   # set by the session's township (db/township.py), never typed in a form


def test_every_field_is_a_column_and_every_column_is_described():
    for lg in LEDGERS.values():
        columns = {c.key for c in inspect(lg.model).column_attrs} - INTERNAL
        described = {f.key for f in lg.fields}
        assert described <= columns, f"{lg.key}: fields without a column: {described - columns}"
        assert columns <= described, f"{lg.key}: columns nobody describes: {columns - described}"


def test_labels_are_chinese_and_unique_within_a_ledger():
    for lg in LEDGERS.values():
        labels = [f.label for f in lg.fields]
        assert len(labels) == len(set(labels)), lg.key
        for label in labels:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (lg.key, label)


def test_choice_fields_name_existing_lists_and_refs_name_known_targets():
    for lg in LEDGERS.values():
        for f in lg.fields:
            if f.kind in ("choice", "amounts"):
                assert f.choices in CHOICE_LISTS, (lg.key, f.key)
            if f.kind == "ref":
                assert f.ref in ("water_body", "person", "patrol", "monitoring_section", "river_plan"), (lg.key, f.key)


def test_county_workbook_headers_come_from_the_descriptions():
    # The county's 河湖名录 sheet names these headers; the description must produce them.
    headers = [f.header for f in LEDGERS["water_body"].fields]
    for h in ["编码", "名称", "类型", "上级编码", "级别", "长度(km)", "流域面积(km²)", "起点", "终点",
              "流经村", "水质目标", "管护目标", "备注"]:
        assert h in headers


def test_a_field_added_in_one_line_reaches_every_surface(session, river, chief, tmp_path):
    """巡河方式 was added as the model column, migration 0004 and one line in fields.py: it is on the
    screen, in the form and 快速录入 (kept from form to form), in print and in the county workbook,
    and its choice list is offered and enforced."""
    from openpyxl import load_workbook

    from hzdesk.errors import ValidationError
    from hzdesk.reports.excel_export import write_workbook
    from hzdesk.reports.pdf.ledgers import build
    from hzdesk.services import records
    from hzdesk.services.settings import choices

    patrol = LEDGERS["patrol"]
    for view in ("table", "form", "fast", "sticky", "print", "workbook"):
        assert "method" in patrol.view(view), view
    assert choices(session, "patrol_method") == ["步行", "骑行", "驾车", "乘船", "无人机"]
    records.create(session, "patrol", {"person_id": chief.id, "water_body_id": river.id,
                                       "patrol_date": "2025-03-05", "method": "骑行"})
    import pytest
    with pytest.raises(ValidationError):
        records.create(session, "patrol", {"person_id": chief.id, "water_body_id": river.id,
                                           "patrol_date": "2025-03-06", "method": "坐飞机"})
    session.commit()
    doc = build(session, "patrols", as_of=__import__("datetime").date(2025, 3, 31))
    assert "巡河方式" in [c.title for c in doc.columns] and "骑行" in doc.rows[0]
    write_workbook(tmp_path / "x.xlsx", session)
    sheet = load_workbook(tmp_path / "x.xlsx")["巡河记录"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("巡河方式") + 1).value == "骑行"
