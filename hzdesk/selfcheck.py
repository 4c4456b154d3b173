"""`hzdesk selfcheck`: what the installed program needs — its database, sample data, PDF and
print preview, Excel written and read back, Word, HEIC photos, the server driver, icon and font —
exercised in a temporary folder, and the versions of the components it carries. Run by CI on the
bundle and by a clerk or the county's technician after installing."""

from __future__ import annotations

import datetime as dt
import sys

from hzdesk import APP_NAME, __version__


def run_selfcheck(server: str | None = None) -> int:
    """Everything the installed program needs, exercised in a temporary folder; with `server`
    (a PostgreSQL URL), that server answers too. Prints what it found; 0 when all is well."""
    import tempfile
    from pathlib import Path

    from hzdesk.db.engine import open_database
    from hzdesk.demo import DemoOptions, load_demo
    from hzdesk.paths import resource
    from hzdesk.reports.excel_export import write_workbook
    from hzdesk.reports.excel_import import read_sheets
    from hzdesk.reports.pdf.fonts import FONT_FILE
    from hzdesk.reports.pdf.render import write_ledger
    from hzdesk.reports.pdf.ledgers import build

    with tempfile.TemporaryDirectory(prefix="hzdesk-selfcheck-") as tmp:
        folder = Path(tmp)
        db = open_database(folder / "自检.db")
        try:
            load_demo(db, DemoOptions(scale="small", seed=1, until=dt.date(2025, 6, 30)))
            with db.session() as s:
                doc = build(s, "rivers", as_of=dt.date(2025, 6, 30))
                write_workbook(folder / "自检.xlsx", s)
            pages = write_ledger(folder / "自检.pdf", doc)
            sheets, _notices = read_sheets(folder / "自检.xlsx")  # the reader of imports, on what we wrote
            problems = []
            if not (folder / "自检.pdf").read_bytes().startswith(b"%PDF"):
                problems.append("PDF 文件不完整")
            import pypdfium2   # the print preview draws pages with it: its library travels with the bundle
            shown = pypdfium2.PdfDocument(str(folder / "自检.pdf"))[0].render(scale=1).to_pil()
            if shown.width < 100:
                problems.append("打印预览无法绘制 PDF 页面")
            if len(sheets.get("巡河记录", ([], []))[1]) == 0:
                problems.append("Excel 读回时没有巡河记录")
            from hzdesk.reports.xlsx_reader import Workbook
            book = Workbook(folder / "自检.xlsx")   # python-calamine's library travels with the bundle
            try:
                if book.fast_rows(*book.sheets[0], 60) is None:
                    problems.append("Excel 快速读取组件（python-calamine）不可用")
            finally:
                book.close()
            from hzdesk.services import records
            with db.session() as s:   # names sorted by pinyin (pypinyin's data travels with the bundle)
                first = records.list_rows(s, "person", records.Query(order_by="name", limit=2000))
            names = [r["name"] for r in first]
            from hzdesk.collation import sort_key
            if not names or names != sorted(names, key=sort_key) or not sort_key("张").startswith("zhang"):
                problems.append("姓名拼音排序不正常")
            from hzdesk.services.attachments import pil_image
            Image = pil_image()   # phones' HEIC photos: pillow-heif's library travels with the bundle
            try:
                Image.new("RGB", (16, 16), (200, 10, 10)).save(folder / "自检.heic", "HEIF")
                with Image.open(folder / "自检.heic") as heic:
                    if heic.format != "HEIF":
                        problems.append("HEIC 照片无法读取")
            except Exception as exc:   # any failure of the plug-in means the same to the clerk
                problems.append(f"HEIC 照片无法读取（{type(exc).__name__}）")
            try:   # the 工作总结 in Word: python-docx's blank document and lxml travel with the bundle
                from hzdesk.reports.docx_writer import write_docx
                from hzdesk.reports.work_summary import compose
                with db.session() as s:
                    write_docx(compose(s, dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
                               folder / "自检.docx")
                import docx
                if "河长制工作总结" not in docx.Document(str(folder / "自检.docx")).paragraphs[0].text:
                    problems.append("Word 工作总结内容不完整")
            except Exception as exc:
                problems.append(f"无法生成 Word 文件（{type(exc).__name__}：{exc}）")
            problems += server_check(server)
            for what, path in (("图标", resource("icons", "hzdesk.png")), ("字体", resource("fonts", FONT_FILE))):
                if not path.exists():
                    problems.append(f"缺少{what}文件 {path}")
        finally:
            db.close()
    from hzdesk.carried import carried_versions
    versions = carried_versions()
    print(f"{APP_NAME} {__version__}，Python {sys.version.split()[0]}；所带组件：")
    print("  " + "，".join(f"{name} {version}" for name, version in versions))
    missing = [name for name, version in versions if version == "未找到"]
    if missing:
        problems.append("缺少组件版本信息：" + "、".join(missing))
    if problems:
        print("自检未通过：" + "；".join(problems))
        return 1
    print(f"自检通过：数据库、示例数据、拼音排序、PDF（{pages} 页）与打印预览、Excel 写出和（快速）读回、Word 工作总结、HEIC 照片、服务器数据库驱动、图标、字体均正常。")
    return 0


def server_check(url: str | None) -> list[str]:
    """The PostgreSQL driver and its libpq travel with the bundle; with a URL, the server answers
    and says which structure it holds (read only: nothing is created or upgraded)."""
    try:
        import psycopg
        if psycopg.pq.__impl__ not in ("binary", "c") or psycopg.pq.version() < 100000:
            return [f"服务器数据库驱动不完整（{psycopg.pq.__impl__}）"]
    except Exception as exc:   # noqa: BLE001 - any failure to load it means the same to the clerk
        return [f"服务器数据库驱动无法加载（{type(exc).__name__}：{exc}）"]
    if not url:
        return []
    from sqlalchemy import inspect, text

    from hzdesk.db.server import connection_failure, make_engine, shown
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version")).scalar()
            tables = set(inspect(conn).get_table_names())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "hzdesk_meta" in tables else None
        print(f"服务器数据库 {shown(url)}：PostgreSQL {server}，"
              + (f"台账结构版本 {revision}" if revision else "还没有台账结构（由管理员第一次打开时建立）"))
        return []
    except Exception as exc:   # noqa: BLE001
        return [str(connection_failure(url, exc))]
    finally:
        engine.dispose()
