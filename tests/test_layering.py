"""Qt only in hzdesk/ui; heavy libraries only when a command needs them."""

import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "hzdesk"


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_qt_outside_ui():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "ui" not in p.relative_to(PACKAGE).parts
                 and any(m.split(".")[0] == "PySide6" for m in imported_modules(p))]
    assert offenders == []


def test_command_line_start_up_imports_no_heavy_library():
    code = ("import sys, hzdesk.cli, hzdesk.services.check, hzdesk.services.records;"
            "heavy = [m for m in ('PySide6', 'matplotlib', 'reportlab', 'openpyxl') if m in sys.modules];"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("command, unwanted", [
    (["--version"], ("sqlalchemy", "PySide6", "reportlab", "matplotlib", "openpyxl", "python_calamine")),
    (["stats", "--period", "2025"], ("PySide6", "reportlab", "matplotlib", "openpyxl", "python_calamine")),
    (["check"], ("PySide6", "reportlab", "matplotlib", "openpyxl", "python_calamine", "pypinyin")),
    (["report", "rivers", "--out", "{tmp}/r.pdf"], ("PySide6", "matplotlib", "openpyxl", "python_calamine")),
])
def test_each_command_imports_only_what_it_uses(tmp_path, command, unwanted):
    """#19 point 2: a command pays for no Qt, charts or workbook code it does not use."""
    from hzdesk.db.engine import open_database

    open_database(tmp_path / "t.db").close()
    argv = ["hzdesk", "--db", str(tmp_path / "t.db")] + [a.format(tmp=tmp_path) for a in command]
    code = (f"import sys; sys.argv = {argv!r}\n"
            "from hzdesk.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('imported:' + ','.join(m for m in {unwanted!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "imported:", out.stdout


# ---------------------------------------------------------------- the floors (#11 point 5, 7)
#
# ui → office (operations) → services / reports → db, and every floor may use the small leaf
# modules beside them (clock, errors, paths, vocab, periods, parsing, fields, files).

def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph():
    """Module → the hzdesk modules it imports anywhere in its body (lazy imports included: they
    are dependencies too). A module's own parent packages are not counted (importing a module
    always runs them)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}

    def resolve(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for t in found:
                r = resolve(t) if t.startswith("hzdesk") else None
                if r and r != name and not name.startswith(r + "."):
                    targets.add(r)
        graph[name] = targets
    return graph


def test_no_import_cycles():
    graph = import_graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):   # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_db_is_the_bottom_floor():
    upper = ("hzdesk.services", "hzdesk.reports", "hzdesk.ui", "hzdesk.demo", "hzdesk.office", "hzdesk.cli")
    offenders = {m: sorted(t for t in targets if t.startswith(upper))
                 for m, targets in import_graph().items() if m.startswith("hzdesk.db")}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_the_window_reaches_data_only_through_the_operations_layer():
    offenders = []
    for p in (PACKAGE / "ui").rglob("*.py"):
        for m in imported_modules(p):
            if m.split(".")[0] == "sqlalchemy" or m == "hzdesk.db" or m.startswith("hzdesk.db."):
                offenders.append(f"{p.name}: {m}")
    assert offenders == []


def test_every_report_kind_can_be_made():
    from hzdesk.reports.kinds import KINDS
    from hzdesk.reports.pdf.ledgers import LEDGER_KINDS

    special = {"summary", "binder", "issue-sheet", "closure-sheet", "work-summary", "assessment", "board-photos", "map", "track",
               "county-ranking"}
    assert set(KINDS) - special == set(LEDGER_KINDS)


def test_every_ledger_field_is_in_a_view_and_surfaces_follow_the_views():
    """#11 point 4: each field names where it appears; the table, form, fast entry, PDF and
    workbook columns are exactly those views (no hand list can leave a new field out)."""

    from hzdesk.fields import LEDGERS, VIEWS, F, Ledger
    from hzdesk.reports.sheets import SHEETS

    for lg in LEDGERS.values():
        for f in lg.fields:
            assert f.views.split() and set(f.views.split()) <= set(VIEWS), (lg.key, f.key)
    with pytest.raises(ValueError, match="new_field"):
        Ledger("x", "x", object, (F("new_field", "新字段"),))
    for sheet in SHEETS:
        keys = list(dict.fromkeys(c.field.key for c in sheet.columns if c.field is not None))
        assert keys == sheet.ledger.view("workbook"), sheet.name
    ui = (PACKAGE / "ui").rglob("*.py")
    assert not [p.name for p in ui if "columns=[" in p.read_text(encoding="utf-8")]   # no hand column lists


def test_the_window_frame_paints_before_the_database_layers_load(tmp_path):
    """#19 point 1: the window's menus, tabs and status bar are up before SQLAlchemy, the models
    and the operations layer are imported; the database then attaches to the same window."""
    code = f"""
import sys
from PySide6.QtWidgets import QApplication
from hzdesk.ui import app as ui_app
seen = []
show = ui_app.MainWindow.show
def spy(self):
    seen.append(("show", "sqlalchemy" in sys.modules, "hzdesk.office" in sys.modules, self.ctx is None,
                 self.tabs.count(), self.menuBar().isEnabled()))
    show(self)
ui_app.MainWindow.show = spy
ui_app.MainWindow.offer_sample_data = lambda self: None
def exec_(self):
    w = [x for x in QApplication.topLevelWidgets() if isinstance(x, ui_app.MainWindow)][0]
    seen.append(("exec", w.ctx is not None, w.menuBar().isEnabled(),
                 w.tabs.currentWidget()._content is not None))   # the page in view filled in
    return 0
QApplication.exec = exec_
from hzdesk.cli import main
code = main(["--db", {str(tmp_path / "台账.db")!r}])
print(repr((code, seen)))
"""
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-800:]
    code, seen = eval(out.stdout.strip().splitlines()[-1])
    assert code == 0
    assert seen == [("show", False, False, True, 9, False), ("exec", True, True, True)], seen


def test_the_bundled_program_makes_qt_ready_only_when_the_window_is_wanted(tmp_path):
    """#19: PyInstaller's start-up hook for PySide6 is left out of the bundle (installer.spec), so
    that commands do not load Qt; hzdesk.ui does its work before the window's first Qt import:
    Qt's plugins are looked for in the bundle's folder, whatever the machine's settings say."""
    code = ("import os, sys; sys.frozen = True; sys._MEIPASS = sys.argv[1]\n"
            "os.environ['QT_PLUGIN_PATH'] = '/elsewhere'\n"
            "import hzdesk.cli\n"
            "print('before:' + os.environ['QT_PLUGIN_PATH'])\n"
            "import hzdesk.ui\n"
            "print('after:' + os.environ['QT_PLUGIN_PATH'])\n"
            "print('qt:' + ','.join(m for m in ('PySide6', 'shiboken6') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    qt = tmp_path / "PySide6" / ("plugins" if sys.platform.startswith("win") else "Qt/plugins")
    assert out.stdout.split() == ["before:/elsewhere", f"after:{qt}", "qt:"]
