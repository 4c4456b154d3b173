"""The version resource of hzdesk.exe and hzdesk-cli.exe (Explorer → 属性 → 详细信息).

Written from hzdesk.__version__ so that the file version can never disagree with `--version`.
installer.spec writes it to a text file in PyInstaller's own version-file format (a Python
expression that PyInstaller evaluates on Windows; its classes import win32api, so the text is
built here without them and can be checked on any system).
"""

from __future__ import annotations

import os

COMPANY = "河长制办公室"
PRODUCT = "河长办桌面台账"


def numeric(version: str) -> tuple[int, int, int, int]:
    """'0.2.1' → (0, 2, 1, 0); a suffix such as '0.3.0rc1' counts as 0.3.0."""
    parts = []
    for piece in version.split(".")[:4]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits or 0))
    return tuple((parts + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


def version_text(version: str, *, program: str, description: str) -> str:
    number = numeric(version)
    strings = {
        "CompanyName": COMPANY, "FileDescription": description, "FileVersion": version,
        "InternalName": program, "OriginalFilename": f"{program}.exe", "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    # 0804 = Chinese (PRC), 04B0 = Unicode: a Chinese Windows shows these strings as they are.
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={number}, prodvers={number}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080404B0', [
          {table}])]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
"""


def write_version_file(folder: str, version: str, *, program: str, description: str) -> str:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"version-{program}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(version_text(version, program=program, description=description))
    return path
