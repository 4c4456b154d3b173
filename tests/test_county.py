"""The county edition (#18 point 4): the ledgers of several townships in one database, each
township's codes and figures its own, the county's figures and ranking from the same functions."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from hzdesk import cli
from hzdesk.db import models as m
from hzdesk.db import township as townships
from hzdesk.db.engine import open_database
from hzdesk.demo import DemoOptions, load_demo
from hzdesk.office import add_township, merge_township, narrow_to, statistics, township_list
from hzdesk.services import records
from hzdesk.services.stats import period_stats

UNTIL = dt.date(2025, 6, 30)
Q1 = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def two_townships(tmp_path_factory):
    """Two townships' own databases (different seeds: many of their codes are the same) and the
    county workbook each one sent."""
    folder = tmp_path_factory.mktemp("county")
    out = {}
    for name, seed in (("东岭镇", 11), ("西河乡", 12)):
        own = open_database(folder / f"{name}.db")
        load_demo(own, DemoOptions(scale="small", seed=seed, until=UNTIL))
        cli_export = folder / f"{name}.xlsx"
        from hzdesk.office import export_workbook
        export_workbook(own, cli_export)
        out[name] = (own, cli_export)
    yield folder, out
    for own, _ in out.values():
        own.close()


def count(db, model, township_id=None):
    with db.session() as s:
        q = select(func.count()).select_from(model)
        if township_id is not None:
            q = q.where(model.township_id == township_id)
        return s.scalar(q)


def codes(path, sheet, column):
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.values)
    at = rows[0].index(column)
    return {r[at] for r in rows[1:] if r[at]}


def test_merged_townships_keep_their_codes_apart_and_their_own_figures(db, two_townships, tmp_path):
    _, own = two_townships
    shared = codes(own["东岭镇"][1], "河湖名录", "编码") & codes(own["西河乡"][1], "河湖名录", "编码")
    assert shared, "the two townships should share water-body codes, or this test proves nothing"
    for name in own:
        add_township(db, name)
    assert [n for _, n, _ in township_list(db)] == ["东岭镇", "西河乡"]   # the first took the empty placeholder's place
    for name, (_, workbook) in own.items():
        assert merge_township(db, workbook, name, dry_run=True).ok
        assert count(db, m.Patrol) == (2500 if name == "西河乡" else 0)   # a dry run writes nothing
        result = merge_township(db, workbook, name)
        assert result.ok and result.written, [i.line() for i in result.issues[:5]]
    assert db.is_county
    assert count(db, m.WaterBody) == count(own["东岭镇"][0], m.WaterBody) + count(own["西河乡"][0], m.WaterBody)

    from hzdesk import office
    from hzdesk.office import check, export_workbook
    assert check(db).ok
    with db.session() as s:    # each merge is named in the trail: whose ledgers, which file
        notes = [e.after for e in s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "合并乡镇台账"))]
    assert [(n["乡镇"], n["文件"]) for n in notes] == [("东岭镇", "东岭镇.xlsx"), ("西河乡", "西河乡.xlsx")]
    assert all(len(n["sha256"]) == 64 for n in notes)
    with pytest.raises(Exception, match="请按乡镇导出"):   # codes repeat across townships
        export_workbook(db, two_townships[0] / "全县.xlsx")
    # The county's offline copy verifies: imported rows hold SQL NULLs in JSON columns, which a
    # copy must not turn into JSON nulls (their seals would no longer match).
    copy_path = tmp_path / "县级副本.db"
    office.copy_to(db, copy_path)
    copy = open_database(copy_path)
    try:
        assert check(copy).ok and township_list(copy) == township_list(db)
    finally:
        copy.close()

    county = statistics(db, *Q1, UNTIL)
    ranked = {r["township"]: r for r in county["by_township"]}
    for name, (own_db, _) in own.items():
        with own_db.session() as s:
            theirs = period_stats(s, *Q1, UNTIL)
        narrow_to(db, name)
        ours = statistics(db, *Q1, UNTIL)
        db.township = None
        assert "by_township" not in ours
        assert ours == theirs          # a township's figures in the county are its own office's
        assert ranked[name]["patrols"] == theirs["patrols"]["done"]
        assert ranked[name]["patrol_rate"] == theirs["patrols"]["rate"]
        assert ranked[name]["overdue"] == theirs["issues"]["overdue"]
    # The county's counts are the townships' sums (the help page says so).
    for key, path in (("patrols", ("patrols", "done")), ("patrols_due", ("patrols", "due")), ("found", ("issues", "found")),
                      ("closed", ("issues", "closed")), ("overdue", ("issues", "overdue")),
                      ("boards_out_of_date", ("boards", "out_of_date"))):
        assert county[path[0]][path[1]] == sum(r[key] for r in ranked.values()), key
    assert sorted(r["rank"] for r in ranked.values()) == [1, 2]
    best = min(ranked.values(), key=lambda r: r["rank"])
    assert best["patrol_rate"] == max(r["patrol_rate"] for r in ranked.values())
    # The 排名通报, in Word and PDF, says what the figures say.
    from tests.helpers import pdftext
    made = office.make_report(db, "county-ranking", tmp_path / "排名通报.pdf", period=Q1, as_of=UNTIL)
    text = pdftext(tmp_path / "排名通报.pdf").replace("\n", "")
    assert made.pages >= 1 and "各乡镇河长制工作情况的通报" in text
    first = min(ranked.values(), key=lambda r: r["rank"])
    assert f"1{first['township']}" in text and f"共巡河{county['patrols']['done']}次" in text
    office.make_report(db, "county-ranking", tmp_path / "排名通报.docx", period=Q1, as_of=UNTIL)
    import docx
    words = "".join(p.text for p in docx.Document(tmp_path / "排名通报.docx").paragraphs)
    assert f"共巡河{county['patrols']['done']}次" in words


def test_a_record_naming_another_townships_water_body_is_refused_and_nothing_written(db, two_townships, tmp_path):
    folder, own = two_townships
    only_east = sorted(codes(own["东岭镇"][1], "河湖名录", "编码") - codes(own["西河乡"][1], "河湖名录", "编码"))
    assert only_east
    for name in own:
        add_township(db, name)
    assert merge_township(db, own["东岭镇"][1], "东岭镇").written
    wb = openpyxl.load_workbook(own["西河乡"][1])
    ws = wb["巡河记录"]
    at = [c.value for c in ws[1]].index("河湖编码") + 1
    ws.cell(row=2, column=at, value=only_east[0])    # a code that is only the other township's
    bad = tmp_path / "西河乡-改.xlsx"
    wb.save(bad)
    before = count(db, m.Patrol)
    result = merge_township(db, bad, "西河乡")
    assert not result.ok and not result.written
    assert any(i.sheet == "巡河记录" and i.value == only_east[0] for i in result.issues)
    assert count(db, m.Patrol) == before and count(db, m.WaterBody, 2) == 0


def test_the_county_view_adds_nothing_without_choosing_a_township(db):
    add_township(db, "东岭镇")
    add_township(db, "西河乡")
    with db.session(write=True) as s:
        with pytest.raises(townships.NoTownshipChosen, match="请先.*选择一个乡镇"):
            records.create(s, "water_body", {"code": "X1", "name": "小河", "kind": "河流", "level": "村级"})
        s.rollback()
    narrow_to(db, "西河乡")
    with db.session(write=True) as s:
        wb = records.create(s, "water_body", {"code": "X1", "name": "小河", "kind": "河流", "level": "村级"})
        s.commit()
        assert wb.township_id == 2
    narrow_to(db, "东岭镇")
    with db.session(write=True) as s:     # the same code in another township is another river
        records.create(s, "water_body", {"code": "X1", "name": "另一条小河", "kind": "河流", "level": "村级"})
        s.commit()
        assert [w.name for w in s.scalars(select(m.WaterBody))] == ["另一条小河"]   # it sees its own only
        east = s.scalar(select(m.WaterBody.id))
        records.update(s, "water_body", east, {"code": "X1", "name": "东小河", "kind": "河流", "level": "村级"})
        s.commit()                        # its code is taken only in the other township: no conflict
    db.township = None
    with db.session(write=True) as s:     # 全县 reads; it writes nothing, whichever service tries
        with pytest.raises(townships.NoTownshipChosen):
            records.update(s, "water_body", east, {"code": "X1", "name": "改名", "kind": "河流", "level": "村级"})
        s.rollback()
        s.get(m.WaterBody, east).name = "绕过服务改名"
        with pytest.raises(townships.NoTownshipChosen):
            s.flush()
        s.rollback()
        assert sorted(s.scalars(select(m.WaterBody.name))) == ["东小河", "小河"]


def test_paper_from_the_county_says_whose_rows_it_prints(db):
    from hzdesk.reports.pdf.ledgers import build
    from hzdesk.reports.work_summary import compose
    from hzdesk.services.settings import set_setting

    with db.session(write=True) as s:
        set_setting(s, "office_name", "某某县河长制办公室")
        s.commit()
    add_township(db, "东岭镇")
    add_township(db, "西河乡")
    for name, river in (("东岭镇", "东河"), ("西河乡", "西河")):
        narrow_to(db, name)
        with db.session(write=True) as s:
            records.create(s, "water_body", {"code": "X1", "name": river, "kind": "河流", "level": "村级"})
            s.commit()
    db.township = None
    with db.session() as s:               # 全县: a 乡镇 column says whose each row is
        doc = build(s, "rivers")
        assert doc.office == "某某县河长制办公室（全县）"
        assert doc.columns[1].title == "乡镇"
        assert sorted((r[1], r[3]) for r in doc.rows) == [("东岭镇", "东河"), ("西河乡", "西河")]
        for kind in ("roster", "boards", "water", "plan-tasks", "sections", "patrols", "issues"):
            assert build(s, kind, period=Q1).columns[1].title == "乡镇", kind   # each built its own way
    narrow_to(db, "西河乡")
    with db.session() as s:               # one township: named once, under the office
        doc = build(s, "rivers")
        assert doc.office == "某某县河长制办公室（西河乡）"
        assert "乡镇" not in [c.title for c in doc.columns] and [r[2] for r in doc.rows] == ["西河"]
        assert "乡镇" not in [c.title for c in build(s, "roster").columns]
        assert compose(s, *Q1, UNTIL).title.startswith("西河乡2025年")


def test_a_townships_own_database_works_as_before(db):
    with db.session(write=True) as s:
        records.create(s, "water_body", {"code": "X1", "name": "小河", "kind": "河流", "level": "村级"})
        s.commit()
    assert not db.is_county
    assert township_list(db) == [(1, "某某镇", None)]
    from hzdesk.services.settings import set_setting
    with db.session(write=True) as s:      # its township is named after its office, and follows it
        set_setting(s, "office_name", "桃源乡河长制办公室")
        s.commit()
    assert township_list(db) == [(1, "桃源乡", None)]
    stats = statistics(db, *Q1, UNTIL)
    assert [r["township"] for r in stats["by_township"]] == ["桃源乡"]
    with db.session() as s:                # its rows carry no township's name: there is one
        assert "township_id__name" not in records.list_rows(s, "water_body")[0]
    # Its township holds records: a township added now is a second one, not a renaming.
    add_township(db, "东岭镇")
    assert [n for _, n, _ in township_list(db)] == ["桃源乡", "东岭镇"]
    with db.session() as s:                # now the county's: 全县 rows say whose they are
        assert records.list_rows(s, "water_body")[0]["township_id__name"] == "桃源乡"
    with pytest.raises(Exception, match="已经有了"):
        add_township(db, "东岭镇")


@pytest.mark.sqlite_only
def test_command_line_merge_and_narrowing(two_townships, tmp_path, capsys):
    _, own = two_townships
    target = tmp_path / "county.db"
    assert cli.main(["--db", str(target), "township", "add", "东岭镇"]) == 0
    assert cli.main(["--db", str(target), "township", "add", "西河乡"]) == 0
    assert cli.main(["--db", str(target), "merge", "西河乡", str(own["西河乡"][1])]) == 0
    assert "导入完成" in capsys.readouterr().out
    assert cli.main(["--db", str(target), "merge", "南山镇", str(own["西河乡"][1])]) != 0
    assert "没有乡镇“南山镇”" in capsys.readouterr().err
    assert cli.main(["--db", str(target), "--township", "西河乡", "stats", "--period", "2025Q1",
                     "--as-of", "2025-06-30", "--json"]) == 0
    import json
    narrowed = json.loads(capsys.readouterr().out)
    with own["西河乡"][0].session() as s:
        assert narrowed == period_stats(s, *Q1, UNTIL) | {"period": narrowed["period"], "as_of": narrowed["as_of"]}


def test_the_window_narrows_to_a_township_ranks_them_and_merges_a_workbook(qtbot, db, two_townships, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from hzdesk.ui import excel_dialogs
    from hzdesk.ui.app import MainWindow
    from hzdesk.ui.county_tab import merge_township_workbook

    _, own = two_townships
    add_township(db, "东岭镇")
    assert merge_township(db, own["东岭镇"][1], "东岭镇").written
    monkeypatch.setattr(excel_dialogs.ImportPreview, "exec", lambda self: 1)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    from hzdesk.ui import common
    asked = []
    monkeypatch.setattr(common, "confirm", lambda _parent, _title, text: asked.append(text) or True)
    w = MainWindow(db)
    qtbot.addWidget(w)
    w.show()
    assert getattr(w, "township_picker", None) is None and "county" not in w.pages   # one township: as before

    from hzdesk.ui.county_tab import add_township as add_in_window
    assert add_in_window(w.ctx, w, "西河乡") == "西河乡"
    assert len(asked) == 1 and "县级数据库" in asked[0]          # a township's database becomes the county's: asked first
    picker = w.township_picker                                   # a second township: the county's database
    assert [picker.itemText(i) for i in range(picker.count())] == ["全县", "东岭镇", "西河乡"]
    assert w.tabs.tabText(w.tabs.indexOf(w.pages["county"])) == "县级汇总"

    merge_township_workbook(w.ctx, w, "西河乡", str(own["西河乡"][1]))
    qtbot.waitUntil(lambda: count(db, m.WaterBody, 2) == count(own["西河乡"][0], m.WaterBody), timeout=60_000)

    waters = w.waters.widget(0).content()
    w.show_page("waters")

    def shown_after(choice):
        """The rows the 河湖名录 shows once `choice` is picked (each choice reloads the tabs)."""
        before = list(waters.model.rows)
        picker.setCurrentIndex(picker.findText(choice))
        qtbot.waitUntil(lambda: waters.model.rows != before or not before, timeout=20_000)
        qtbot.wait(200)
        return waters.model.total, {r["code"] for r in waters.model.rows}

    column = waters.model.township_column()
    assert column is not None and waters.model.headerData(column, Qt.Orientation.Horizontal) == "乡镇"
    east, west = shown_after("东岭镇"), shown_after("西河乡")
    assert "西河乡" in w.windowTitle()
    assert waters.view.isColumnHidden(column)                  # one township: its name on every row says nothing
    everything = shown_after("全县")
    assert east[0] and west[0] and everything[0] == east[0] + west[0]
    assert not waters.view.isColumnHidden(column)              # 全县: each row says whose it is
    names = {waters.model.data(waters.model.index(r, column)) for r in range(waters.model.rowCount())}
    assert names == {"东岭镇", "西河乡"}
    waters.model.sort(column)                                  # and the column sorts by the township's name
    assert waters.model.data(waters.model.index(0, column)) == "东岭镇"
    with own["西河乡"][0].session() as s:
        assert west[1] <= set(s.scalars(select(m.WaterBody.code)))

    tab = w.show_page("county")
    tab.period.setText("2025Q1")
    tab.run()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3, timeout=60_000)
    assert [tab.table.item(r, 1).text() for r in range(3)][2] == "全县"
    assert {tab.table.item(r, 1).text() for r in range(2)} == {"东岭镇", "西河乡"}


def test_refresh_finds_a_township_another_program_added(qtbot, db):
    from hzdesk.ui.app import MainWindow

    w = MainWindow(db)
    qtbot.addWidget(w)
    assert getattr(w, "township_picker", None) is None
    other = open_database(db.url or db.path)   # another clerk's program on the same database
    try:
        add_township(other, "东岭镇")
        add_township(other, "西河乡")
    finally:
        other.close()
    w.ctx.bus.announce()                    # 刷新 (F5)
    assert w.township_picker is not None and w.township_picker.count() == 3
    assert "county" in w.pages
