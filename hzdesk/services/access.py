"""Optional accounts: 管理员 (everything), 录入员 (enter and edit), 查看 (read, print, export).

Off by default (a one-person office needs no login). When on, the role is enforced where the data
is written, not only by greying buttons: a Session that carries a role refuses, at flush, any
change that role may not make. Passwords are hashed with scrypt (memory-hard, salted); failed
logins are slowed down per user name and source and recorded in the audit trail; an administrator
locked out or without the password gets in with a one-time recovery code kept on paper.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from hzdesk import clock
from hzdesk.db import models as m
from hzdesk.db.audit import append_entries
from hzdesk.errors import HzdeskError, ValidationError

ROLES: dict[str, set[str]] = {"管理员": {"read", "write", "admin"}, "录入员": {"read", "write"}, "查看": {"read"}}
ADMIN_ONLY = (m.Setting, m.SettingChange, m.FrequencyRule, m.ChecklistItem, m.ChoiceItem, m.Account,
              m.LoginThrottle, m.Township)
#: OWASP's scrypt parameters (N=2^17, r=8, p=1: 128 MiB and ~0.5 s a try). A hash made with
#: weaker ones is made again at the next good login.
SCRYPT = {"n": 2 ** 17, "r": 8, "p": 1}
MAXMEM = 2 ** 28
FREE_TRIES = 3


class AccessDenied(HzdeskError):
    pass


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=MAXMEM, **SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **SCRYPT, salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode())


def check_password(password: str, stored: str) -> bool:
    try:
        _name, n, r, p, salt, digest = stored.split("$")
        again = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                               p=int(p), dklen=32, maxmem=MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(again, base64.b64decode(digest))


def _weaker_than_now(stored: str) -> bool:
    try:
        _name, n, r, p, _salt, _digest = stored.split("$")
        return (int(n), int(r), int(p)) < (SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])
    except ValueError:
        return True


_DECOY: list[str] = []


def _decoy_hash() -> str:
    """A hash to check an unknown user name against, so that it takes as long to refuse as a
    known one (the answer's speed does not tell which names exist)."""
    if not _DECOY:
        _DECOY.append(hash_password(os.urandom(12).hex()))
    return _DECOY[0]


def can(role: str | None, permission: str) -> bool:
    return role is None or permission in ROLES.get(role, set())


def require(session: Session, permission: str) -> None:
    role = session.info.get("role")
    if not can(role, permission):
        raise AccessDenied(_denied(role, permission))


def _denied(role: str | None, permission: str) -> str:
    if permission == "admin":
        return f"当前账号（{role}）不能修改设置、规则和账号，请由管理员操作。"
    return f"当前账号（{role}）只能查看、打印和导出，不能新增或修改台账。"


@event.listens_for(Session, "before_flush")
def _guard(session: Session, _ctx, _instances) -> None:
    role = session.info.get("role")
    if role is None or session.info.get("system"):
        return
    changed = [*session.new, *session.dirty, *session.deleted]
    if not changed:
        return
    if not can(role, "write"):
        raise AccessDenied(_denied(role, "write"))
    if not can(role, "admin") and any(isinstance(o, ADMIN_ONLY) for o in changed):
        raise AccessDenied(_denied(role, "admin"))


_WRITING_SQL = ("insert", "update", "delete", "replace", "drop", "alter", "create")


@event.listens_for(Session, "do_orm_execute")
def _guard_statements(state) -> None:
    """The same rule for statements run through a session (update(Account), a DELETE in SQL text):
    the flush guard above sees only objects."""
    session = state.session
    role = session.info.get("role")
    if role is None or session.info.get("system"):
        return
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(statement, "table", None), "name", "")
    elif str(statement).lstrip().lower().startswith(_WRITING_SQL):
        table = "*"
    else:
        return
    if not can(role, "write"):
        raise AccessDenied(_denied(role, "write"))
    admin_tables = {t.__tablename__ for t in ADMIN_ONLY} | {"audit_entry", "*"}
    if table in admin_tables and not can(role, "admin"):
        raise AccessDenied(_denied(role, "admin"))


def list_accounts(session: Session) -> list[m.Account]:
    return list(session.scalars(select(m.Account).order_by(m.Account.id)))


def any_accounts(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(m.Account).where(m.Account.active.is_(True))))


def create_account(session: Session, username: str, display_name: str, role: str, password: str) -> m.Account:
    """Add an account (the first one may be made without logging in, and must be a 管理员)."""
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = "请填写用户名"
    elif session.scalar(select(m.Account.id).where(m.Account.username == username)):
        errors["username"] = f"用户名“{username}”已被使用"
    if role not in ROLES:
        errors["role"] = f"角色应为：{'、'.join(ROLES)}"
    elif not any_accounts(session) and role != "管理员":
        errors["role"] = "第一个账号必须是管理员"
    if len(password or "") < 6:
        errors["password"] = "密码至少 6 位"
    if errors:
        raise ValidationError(errors, {"username": "用户名", "role": "角色", "password": "密码"})
    if any_accounts(session):
        require(session, "admin")
    account = m.Account(username=username, display_name=(display_name or username).strip(), role=role,
                        password_hash=hash_password(password))
    session.add(account)
    session.flush()
    return account


def login_source() -> str:
    """Where a login comes from: this computer and the Windows user on it. Waits after failures
    fall on the source that made them, so a colleague (or an intruder on the office server)
    typing the administrator's name cannot lock the administrator out everywhere."""
    import getpass
    import socket
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "?"
    return f"{socket.gethostname()}\\{user}"[:120]


def _throttle(session: Session, username: str, source: str, *, create: bool) -> m.LoginThrottle | None:
    row = session.scalar(select(m.LoginThrottle).where(m.LoginThrottle.username == username,
                                                       m.LoginThrottle.source == source))
    if row is None and create:
        row = m.LoginThrottle(username=username, source=source, failed_count=0)
        session.add(row)
    return row


def _refuse_while_waiting(row: m.LoginThrottle | None, now: dt.datetime) -> None:
    if row is not None and row.locked_until and row.locked_until > now:
        wait = int((row.locked_until - now).total_seconds()) + 1
        raise AccessDenied(f"密码连续输错 {row.failed_count} 次，请 {wait} 秒后再试。"
                           "管理员可用恢复码登录。")


def _failed(session: Session, username: str, source: str, now: dt.datetime, account: m.Account | None,
            action: str = "登录失败") -> None:
    """Count a failure against (name, source), make the next try wait after a few, record it."""
    row = _throttle(session, username, source, create=True)
    row.failed_count += 1
    row.last_failed_at = now
    extra = row.failed_count - FREE_TRIES
    if extra >= 0:
        row.locked_until = now + dt.timedelta(seconds=min(30 * 2 ** extra, 900))
    session.flush()
    session.info["audit_written"] = True
    append_entries(session.connection(), [{"action": action, "table_name": "account",
                                           "record_id": account.id if account else None,
                                           "after": {"username": username, "source": source},
                                           "actor": username or "?"}])
    session.commit()


def _signed_in(session: Session, account: m.Account, now: dt.datetime, action: str) -> m.Account:
    account.last_login_at = now
    session.flush()
    session.info["audit_written"] = True
    append_entries(session.connection(), [{"action": action, "table_name": "account", "record_id": account.id,
                                           "actor": account.display_name}])
    session.commit()
    return account


def login(session: Session, username: str, password: str, *, now: dt.datetime | None = None,
          source: str | None = None) -> m.Account:
    """Check a login. Failures are recorded and, after a few from the same source, make that
    source's next try at that name wait longer (30 s doubling up to 15 minutes)."""
    now = now or clock.now()
    source = source or login_source()
    name = (username or "").strip()[:40]
    account = session.scalar(select(m.Account).where(m.Account.username == name, m.Account.active.is_(True)))
    session.info["system"] = True  # the bookkeeping below is allowed whatever the role
    try:
        throttle = _throttle(session, name, source, create=False)
        _refuse_while_waiting(throttle, now)
        if not check_password(password or "", account.password_hash if account else _decoy_hash()) or account is None:
            _failed(session, name, source, now, account)
            raise AccessDenied("用户名或密码不对。")
        if throttle is not None:
            session.delete(throttle)
        if _weaker_than_now(account.password_hash):
            account.password_hash = hash_password(password)
        return _signed_in(session, account, now, "登录")
    finally:
        session.info.pop("system", None)


#: Letters and digits that cannot be mistaken for each other when copied from paper (no I/1, O/0).
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _normal_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_recovery_code() -> tuple[str, str]:
    """(the code as shown once, XXXX-XXXX-XXXX-XXXX with 80 bits; the hash that is kept)."""
    import secrets
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4)), hash_password(raw)


def issue_recovery_code(session: Session, account_id: int) -> str:
    """A new one-time recovery code for an administrator; the one it replaces stops working."""
    require(session, "admin")
    account = session.get(m.Account, account_id)
    if account is None or account.role != "管理员":
        raise ValidationError({"role": "只有管理员账号有恢复码"}, {"role": "角色"})
    code, account.recovery_hash = _new_recovery_code()
    session.flush()
    return code


def _check_new_password(password: str) -> None:
    if len(password or "") < 6:
        raise ValidationError({"password": "密码至少 6 位"}, {"password": "密码"})


def recover(session: Session, username: str, code: str, new_password: str, *, now: dt.datetime | None = None,
            source: str | None = None) -> tuple[m.Account, str]:
    """Let an administrator in with the recovery code kept on paper, whatever waits password
    failures caused (the code is the proof the password could not give), setting the new password
    and making the next code in the same commit, so that a used code never leaves the office
    without a way in. Returns the account and the new code, to be shown once. Every wait on the
    name is lifted. Wrong codes are throttled on their own count: password failures cannot block
    this door."""
    _check_new_password(new_password)   # before the code is spent
    now = now or clock.now()
    source = (source or login_source())[:110] + "（恢复码）"
    name = (username or "").strip()[:40]
    account = session.scalar(select(m.Account).where(m.Account.username == name, m.Account.active.is_(True),
                                                     m.Account.role == "管理员"))
    session.info["system"] = True
    try:
        _refuse_while_waiting(_throttle(session, name, source, create=False), now)
        stored = account.recovery_hash if account is not None and account.recovery_hash else _decoy_hash()
        if not check_password(_normal_code(code), stored) or account is None or not account.recovery_hash:
            _failed(session, name, source, now, account, "恢复码登录失败")
            raise AccessDenied("用户名或恢复码不对（恢复码只能用一次，且只有管理员有）。")
        for row in session.scalars(select(m.LoginThrottle).where(m.LoginThrottle.username == name)):
            session.delete(row)
        account.password_hash = hash_password(new_password)
        next_code, account.recovery_hash = _new_recovery_code()
        return _signed_in(session, account, now, "恢复码登录"), next_code
    finally:
        session.info.pop("system", None)


def set_password(session: Session, account_id: int, password: str) -> None:
    require(session, "admin")
    _check_new_password(password)
    account = session.get(m.Account, account_id)
    account.password_hash = hash_password(password)
    session.flush()
