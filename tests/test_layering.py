"""Qt only in hzdesk/ui; heavy libraries only when a command needs them."""

import ast
import pathlib
import subprocess
import sys

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
