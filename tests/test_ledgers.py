"""The one description of each ledger agrees with the models and the choice lists."""

from sqlalchemy import inspect

from hzdesk.fields import LEDGERS
from hzdesk.vocab import DEFAULT_CHOICES

# Columns kept by the program, never typed by a clerk.
INTERNAL = {"id", "created_at", "updated_at"}


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
            if f.kind == "choice":
                assert f.choices in DEFAULT_CHOICES, (lg.key, f.key)
            if f.kind == "ref":
                assert f.ref in ("water_body", "person", "patrol"), (lg.key, f.key)


def test_county_workbook_headers_come_from_the_descriptions():
    # The county's 河湖名录 sheet names these headers; the description must produce them.
    headers = [f.header for f in LEDGERS["water_body"].fields]
    for h in ["编码", "名称", "类型", "上级编码", "级别", "长度(km)", "流域面积(km²)", "起点", "终点",
              "流经村", "水质目标", "管护目标", "备注"]:
        assert h in headers
