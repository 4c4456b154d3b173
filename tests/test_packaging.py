"""What the installer build takes from the source tree: icon, version resource, resources."""

import ast
import re
import sys
from pathlib import Path

import pytest
from PIL import Image

from hzdesk import __version__
from hzdesk.paths import resource

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from installer.windows_version import numeric, version_text  # noqa: E402


def test_numeric_versions():
    assert numeric("0.1.0") == (0, 1, 0, 0)
    assert numeric("1.2") == (1, 2, 0, 0)
    assert numeric("0.3.0rc1") == (0, 3, 0, 0)
    assert numeric("2.10.3.7.9") == (2, 10, 3, 7)


def test_version_resource_says_the_program_version_in_chinese():
    text = version_text(__version__, program="hzdesk-cli", description="河长办桌面台账（命令行）")
    seen = {}

    def record(name):
        def make(*args, **kwargs):
            seen.setdefault(name, []).append((args, kwargs))
            return name
        return make

    # PyInstaller evaluates the file with its own classes; stand-ins record what it would get.
    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct"]
    ast.parse(text, mode="eval")
    eval(compile(text, "version.txt", "eval"), {n: record(n) for n in names})  # noqa: S307 (our own text)
    strings = dict(args for args, _ in seen["StringStruct"])
    assert strings["FileVersion"] == strings["ProductVersion"] == __version__
    assert strings["OriginalFilename"] == "hzdesk-cli.exe" and strings["ProductName"] == "河长办桌面台账"
    assert seen["FixedFileInfo"][0][1]["filevers"] == numeric(__version__)
    assert seen["StringTable"][0][0][0] == "080404B0"  # Chinese (PRC), Unicode


def test_icon_has_every_windows_size_and_the_window_icon_exists():
    ico = Image.open(ROOT / "resources" / "icons" / "hzdesk.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    assert Image.open(resource("icons", "hzdesk.png")).size == (256, 256)
    assert resource("fonts", "WenQuanYiZenHei.ttf").exists()


def test_spec_bundles_icon_font_migrations_and_help():
    spec = (ROOT / "installer.spec").read_text(encoding="utf-8")
    for needed in ('"hzdesk.ico"', '"hzdesk.png"', '"fonts"', '"versions"', '"help"', "write_version_file",
                   "console=False", "console=True"):
        assert needed in spec, needed


def _dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_file_pins_every_dependency_with_hashes():
    """#19 point 5: a dependency added to pyproject.toml without refreshing requirements.lock
    would be missing from CI and the Windows build (they install --no-deps from the lock)."""
    tomllib = pytest.importorskip("tomllib")   # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    names = {_dist(re.match(r"[A-Za-z0-9_.-]+", d).group()) for d in wanted}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_dist(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    assert names - pinned == set(), "pyproject.toml names libraries requirements.lock lacks: refresh it"
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2]):
        if "==" in block:
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_every_carried_library_is_a_dependency():
    from hzdesk.carried import CARRIED

    tomllib = pytest.importorskip("tomllib")
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    declared = {_dist(re.match(r"[A-Za-z0-9_.-]+", d).group()) for d in deps} | {"numpy", "lxml", "psycopg-binary"}  # matplotlib's, python-docx's, psycopg[binary]'s
    assert {_dist(n) for n in CARRIED} <= declared
