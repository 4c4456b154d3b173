"""Accounts and roles, enforced where data is written; every service call tried under every role."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select

from hzdesk.db import models as m
from hzdesk.errors import ValidationError
from hzdesk.services import access, records
from hzdesk.services.access import AccessDenied, check_password, create_account, hash_password, login


def test_passwords_are_salted_scrypt():
    a, b = hash_password("河长办123"), hash_password("河长办123")
    assert a != b and a.startswith("scrypt$131072$8$1$")      # #15 point 14: OWASP's N = 2^17
    assert check_password("河长办123", a) and not check_password("河长办124", a)
    assert not check_password("x", "garbage")


def test_an_old_hash_is_made_again_at_the_next_login_and_unknown_names_take_as_long(db):
    import base64
    import hashlib
    import time

    from hzdesk.db import models as m
    from hzdesk.services.access import login
    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        salt = b"0123456789abcdef"
        old = hashlib.scrypt(b"123456", salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
        s.scalar(select(m.Account)).password_hash = (f"scrypt$16384$8$1${base64.b64encode(salt).decode()}$"
                                                     f"{base64.b64encode(old).decode()}")
        s.commit()
    with db.session() as s:
        login(s, "admin", "123456")
    with db.session() as s:
        assert s.scalar(select(m.Account)).password_hash.startswith("scrypt$131072$")
    timings = {}
    for name in ("admin", "nobody"):
        with db.session() as s:
            t = time.perf_counter()
            with pytest.raises(AccessDenied, match="用户名或密码不对"):
                login(s, name, "wrong-password")
            timings[name] = time.perf_counter() - t
    assert timings["nobody"] > timings["admin"] / 3     # was 0.9 ms against 155 ms


def test_first_account_must_be_an_admin_and_then_only_admins_add_accounts(db):
    with db.session() as s:
        with pytest.raises(ValidationError, match="第一个账号必须是管理员"):
            create_account(s, "li", "李", "录入员", "123456")
        create_account(s, "admin", "王站长", "管理员", "123456")
        s.commit()
    db.role = "录入员"
    with db.session() as s, pytest.raises(AccessDenied, match="不能修改设置、规则和账号"):
        create_account(s, "zhao", "赵", "查看", "123456")


def test_failed_logins_are_slowed_and_recorded(db):
    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        s.commit()
    t = dt.datetime(2025, 3, 5, 9, 0)
    with db.session() as s:
        for i in range(3):
            with pytest.raises(AccessDenied, match="用户名或密码不对"):
                login(s, "admin", "wrong", now=t, source="PC-1\\li")
        with pytest.raises(AccessDenied, match="请 .* 秒后再试"):
            login(s, "admin", "123456", now=t + dt.timedelta(seconds=5), source="PC-1\\li")  # even the right one waits
        account = login(s, "admin", "123456", now=t + dt.timedelta(seconds=40), source="PC-1\\li")
        assert account.last_login_at == t + dt.timedelta(seconds=40)
        assert s.scalar(select(func.count()).select_from(m.LoginThrottle)) == 0   # a good login clears its waits
        actions = s.scalars(select(m.AuditEntry.action).order_by(m.AuditEntry.id)).all()
    assert actions.count("登录失败") == 3 and actions[-1] == "登录"


def test_failures_from_one_source_do_not_lock_the_administrator_out_elsewhere(db):
    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        s.commit()
    t = dt.datetime(2025, 3, 5, 9, 0)
    with db.session() as s:
        for i in range(8):   # someone at another PC keeps guessing
            with pytest.raises(AccessDenied):
                login(s, "admin", f"guess{i}", now=t + dt.timedelta(hours=i), source="SERVER\\guest")
        with pytest.raises(AccessDenied, match="秒后再试"):
            login(s, "admin", "123456", now=t + dt.timedelta(hours=7, seconds=1), source="SERVER\\guest")
        assert login(s, "admin", "123456", now=t + dt.timedelta(hours=7, seconds=1), source="OFFICE-PC\\wang")
        # unknown names are throttled like known ones (guessing names is no cheaper)
        for i in range(3):
            with pytest.raises(AccessDenied, match="用户名或密码不对"):
                login(s, "nobody", "x", now=t, source="SERVER\\guest")
        with pytest.raises(AccessDenied, match="秒后再试"):
            login(s, "nobody", "x", now=t, source="SERVER\\guest")


def test_the_recovery_code_lets_the_administrator_in_once_whatever_the_waits(db):
    from hzdesk.services.access import issue_recovery_code, recover
    with db.session() as s:
        admin = create_account(s, "admin", "王站长", "管理员", "123456")
        clerk = create_account(s, "li", "李", "录入员", "123456")
        code = issue_recovery_code(s, admin.id)
        with pytest.raises(ValidationError, match="只有管理员"):
            issue_recovery_code(s, clerk.id)
        s.commit()
    assert len(code) == 19 and code.count("-") == 3 and not set(code) & set("IO01")
    t = dt.datetime(2025, 3, 5, 9, 0)
    with db.session() as s:
        for i in range(5):   # the office PC itself is now locked for the password
            with pytest.raises(AccessDenied):
                login(s, "admin", "wrong", now=t, source="OFFICE-PC\\wang")
        with pytest.raises(AccessDenied, match="恢复码不对"):
            recover(s, "admin", "AAAA-BBBB-CCCC-DDDD", "newpass1", now=t, source="OFFICE-PC\\wang")
        with pytest.raises(AccessDenied, match="恢复码不对"):
            recover(s, "li", "AAAA-BBBB-CCCC-DDDD", "newpass1", now=t, source="OFFICE-PC\\wang")
        with pytest.raises(ValidationError, match="至少 6 位"):   # refused before the code is spent
            recover(s, "admin", code, "123", now=t, source="OFFICE-PC\\wang")
        account, next_code = recover(s, "admin", code.lower().replace("-", " "), "newpass1", now=t,
                                     source="OFFICE-PC\\wang")
        assert account.username == "admin" and next_code != code
        assert s.scalar(select(func.count()).select_from(m.LoginThrottle).where(
            m.LoginThrottle.username == "admin")) == 0
        with pytest.raises(AccessDenied, match="恢复码不对"):   # used up
            recover(s, "admin", code, "newpass2", now=t, source="OFFICE-PC\\wang")
        assert login(s, "admin", "newpass1", now=t, source="OFFICE-PC\\wang")
        assert recover(s, "admin", next_code, "newpass3", now=t, source="OFFICE-PC\\wang")
        actions = s.scalars(select(m.AuditEntry.action).order_by(m.AuditEntry.id)).all()
        assert "恢复码登录" in actions and "恢复码登录失败" in actions
        assert "recovery_hash" not in str(s.scalars(select(m.AuditEntry.after)).all())


def _problem(s):
    wb = s.scalar(select(m.WaterBody).limit(1))
    return records.create(s, "problem", {"found_on": "2025-03-05", "water_body_id": wb.id, "source": "暗访",
                                         "category": "乱堆", "description": "堆放"})


CALLS = {
    "新增河湖": ("write", lambda s: records.create(s, "water_body", {"code": "N1", "name": "新河", "kind": "河流",
                                                                  "level": "乡级"})),
    "修改人员": ("write", lambda s: records.update(s, "person", s.scalar(select(m.Person.id)), {"post": "主任"})),
    "删除人员": ("write", lambda s: records.delete(s, "person", s.scalar(select(m.Person.id)))),
    "登记问题": ("write", _problem),
    "问题交办": ("write", lambda s: __import__("hzdesk.services.workflow", fromlist=["move"]).move(
        s, s.scalar(select(m.Problem.id)), "交办", on_date="2025-03-06", responsible_unit="村", deadline="2025-04-01")),
    "改牌面": ("write", lambda s: __import__("hzdesk.services.boards", fromlist=["x"]).set_printed_chiefs(
        s, s.scalar(select(m.SignBoard.id)), [{"name": "甲"}])),
    "改设置": ("admin", lambda s: __import__("hzdesk.services.settings", fromlist=["x"]).set_setting(
        s, "board_update_days", 30)),
    "加选项": ("admin", lambda s: __import__("hzdesk.services.settings", fromlist=["x"]).add_choice(
        s, "problem_source", "无人机")),
    "改巡河规则": ("admin", lambda s: records.update(s, "frequency_rule", s.scalar(select(m.FrequencyRule.id)),
                                                   {"min_count": 2})),
    "查询巡河": ("read", lambda s: records.list_rows(s, "patrol")),
    "统计": ("read", lambda s: __import__("hzdesk.services.stats", fromlist=["x"]).period_stats(
        s, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31))),
}


@pytest.fixture
def seeded(db):
    with db.session() as s, s.begin():
        wb = m.WaterBody(code="R", name="河", kind="河流", level="县级")
        s.add_all([wb, m.Person(name="甲"), m.Problem(number="WT-2025-900", found_on=dt.date(2025, 3, 1), water_body=wb,
                                                      source="暗访", category="乱堆", description="x")])
        s.flush()
        s.add(m.ProblemEvent(problem_id=s.scalar(select(m.Problem.id)), action="登记", to_state="待交办",
                             on_date=dt.date(2025, 3, 1)))
        s.add(m.SignBoard(code="B", water_body=wb, condition="完好"))
    return db


@pytest.mark.parametrize("role", list(access.ROLES) + [None])
@pytest.mark.parametrize("name", list(CALLS))
def test_every_service_call_under_every_role(seeded, role, name):
    need, call = CALLS[name]
    seeded.role = role
    allowed = access.can(role, need)
    with seeded.session() as s:
        before = s.scalar(select(func.count()).select_from(m.AuditEntry))
        if allowed:
            call(s)
            s.commit()
        else:
            with pytest.raises(AccessDenied):
                call(s)
                s.flush()
            s.rollback()
            assert s.scalar(select(func.count()).select_from(m.AuditEntry)) == before


def test_the_audit_trail_names_the_account(seeded):
    seeded.role, seeded.actor = "录入员", "李录入"
    with seeded.session() as s:
        records.create(s, "person", {"name": "乙"})
        s.commit()
        assert s.scalar(select(m.AuditEntry.actor).order_by(m.AuditEntry.id.desc()).limit(1)) == "李录入"


def test_viewer_cannot_load_sample_data(db):
    from hzdesk.demo import DemoOptions, load_demo
    db.role = "查看"
    with pytest.raises(AccessDenied):
        load_demo(db, DemoOptions(until=dt.date(2025, 6, 30)))


def test_login_dialog_and_accounts_page(qtbot, db):
    from hzdesk.services.settings import set_setting
    from hzdesk.ui.accounts import AccountsPage, LoginDialog, accounts_required
    from hzdesk.ui.common import AppContext
    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        set_setting(s, "accounts_enabled", True)
        s.commit()
    assert accounts_required(db)
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.username.setText("admin")
    dialog.password.setText("nope")
    dialog.try_login()
    assert "不对" in dialog.message.text() and db.role is None and dialog.password.text() == ""
    dialog.password.setText("123456")
    dialog.try_login()
    assert (db.actor, db.role) == ("王站长", "管理员")
    page = AccountsPage(AppContext(db))
    qtbot.addWidget(page)
    assert page.enabled.isChecked() and page.list.count() == 1 and "王站长" in page.list.item(0).text()


def test_a_new_administrator_is_shown_a_recovery_code_that_opens_the_login_window(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

    from hzdesk.ui import accounts
    from hzdesk.ui.common import AppContext
    shown = []

    def fake_exec(dialog):
        if dialog.windowTitle() == "新增账号":       # the clerk fills the form
            boxes = dialog.findChildren(QLineEdit)
            for box, text in zip(boxes, ("admin", "王站长", "123456")):
                box.setText(text)
            return 1
        if dialog.windowTitle() == "管理员恢复码":
            shown.append(dialog.findChild(QLabel, "recovery_code").text())
            return 1
        return QDialog.exec(dialog)

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    page = accounts.AccountsPage(AppContext(db))
    qtbot.addWidget(page)
    page.add()
    assert len(shown) == 1 and len(shown[0]) == 19
    login_dialog = accounts.LoginDialog(db)
    qtbot.addWidget(login_dialog)
    recovery = accounts.RecoveryDialog(db, "admin", login_dialog)
    recovery.code.setText(shown[0])
    recovery.password.setText("newpass1")
    recovery.again.setText("newpass2")
    recovery.try_recover()
    assert "不一样" in recovery.message.text() and db.role is None
    recovery.again.setText("newpass1")
    recovery.try_recover()
    assert (db.actor, db.role) == ("王站长", "管理员") and len(shown) == 2 and shown[1] != shown[0]
    with db.session() as s:
        assert login(s, "admin", "newpass1")


def test_idle_lock_hides_the_window_until_the_password_is_given(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QWidget

    from hzdesk.ui import accounts
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    asked = []
    monkeypatch.setattr(accounts.LoginDialog, "exec", lambda self: asked.append(window.isVisible()) or 1)
    lock = accounts.IdleLock(window, db, 1)
    lock.timer.setInterval(50)
    lock.timer.start()
    try:
        qtbot.waitUntil(lambda: bool(asked), timeout=3000)
        assert asked[0] is False and window.isVisible()   # hidden while asking, shown again after
    finally:  # a running lock would ask again, for real, in a later test
        lock.timer.stop()
        from PySide6.QtWidgets import QApplication
        QApplication.instance().removeEventFilter(lock)


def test_statements_are_held_to_the_role_too(db):
    """#15 point 9: a 查看 session ran update(Account) and DELETE FROM audit_entry; the flush
    guard saw only objects."""
    from sqlalchemy import text, update

    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        s.commit()
    db.role, db.actor = "查看", "小李"
    try:
        with db.session() as s:
            with pytest.raises(AccessDenied):
                s.execute(update(m.Account).values(role="管理员"))
            with pytest.raises(AccessDenied):
                s.execute(text("DELETE FROM audit_entry"))
            assert s.execute(text("SELECT count(*) FROM audit_entry")).scalar() > 0   # reading is fine
        db.role = "录入员"
        with db.session() as s:
            with pytest.raises(AccessDenied, match="不能修改设置"):
                s.execute(update(m.Account).values(role="管理员"))
    finally:
        db.role = db.actor = None
    with db.session() as s:
        assert s.scalar(select(m.Account.role)) == "管理员" and s.scalar(select(func.count()).select_from(m.AuditEntry))


def test_writing_commands_need_an_administrator_once_accounts_are_on(tmp_path):
    """#15 point 9: with accounts on, import and restore needed no password; a backup from before
    accounts existed switched them off silently."""
    import os
    import subprocess
    import sys

    from hzdesk.db.backup import backup
    from hzdesk.db.engine import open_database
    path = tmp_path / "x.db"
    db = open_database(path)
    db.close()
    before_accounts = backup(path, "手动").path
    db = open_database(path)
    with db.session() as s:
        create_account(s, "admin", "王站长", "管理员", "123456")
        create_account(s, "li", "李录入", "录入员", "123456")
        s.commit()
    db.close()

    def hz(*args, **env):
        return subprocess.run([sys.executable, "-m", "hzdesk", "--db", str(path), *args], capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("HZDESK_P")}, **env})
    r = hz("demo")
    assert r.returncode == 2 and "须由管理员执行" in r.stderr
    r = hz("--user", "li", "demo", HZDESK_PASSWORD="123456")
    assert r.returncode == 2 and "录入员" in r.stderr
    r = hz("--user", "admin", "demo", HZDESK_PASSWORD="wrong")
    assert r.returncode == 2 and "用户名或密码不对" in r.stderr
    r = hz("--user", "admin", "restore", str(before_accounts), HZDESK_PASSWORD="123456")
    assert r.returncode == 2 and "启用账号之前" in r.stderr
    r = hz("--user", "admin", "demo", "--until", "2025-06-30", HZDESK_PASSWORD="123456")
    assert r.returncode == 0, r.stderr
    assert hz("stats", "--period", "2025").returncode == 0          # reading needs no login
    con = sqlite3.connect(path)
    assert con.execute("SELECT actor FROM audit_entry WHERE action = '导入示例数据'").fetchone()[0] == "王站长"
    con.close()
