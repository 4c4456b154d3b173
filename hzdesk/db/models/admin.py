"""How the office runs the program: its rules and settings (data, not code), the audit trail (留痕),
what marks a database as hzdesk's, and the optional accounts."""

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from hzdesk import clock
from hzdesk.db.base import Base, Timestamps
from hzdesk.db.models.common import stored_enum
from hzdesk.vocab import PeriodUnit, RuleScope


# ---------------------------------------------------------------- configurable rules

class FrequencyRule(Timestamps, Base):
    """How often a chief of a role and level must patrol (varies by province: data, not code)."""

    __tablename__ = "frequency_rule"
    __table_args__ = (CheckConstraint("min_count >= 1", name="min_count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    period_unit: Mapped[PeriodUnit] = mapped_column(stored_enum(PeriodUnit))
    min_count: Mapped[int] = mapped_column(Integer, default=1)
    scope: Mapped[RuleScope] = mapped_column(stored_enum(RuleScope), default=RuleScope.PER_CHIEF)
    active_months: Mapped[Optional[str]] = mapped_column(String(40))  # "3-12" or "3,4,5"; None: all
    min_minutes: Mapped[Optional[int]] = mapped_column(Integer)
    min_km: Mapped[Optional[float]] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # A rule governs the windows that begin on or after `effective_from` and on or before
    # `effective_to` (None: from the beginning / still in force). A change made after a rule has
    # been in force closes it and starts a new version, so earlier periods' figures never change.
    effective_from: Mapped[Optional[dt.date]] = mapped_column(Date)
    effective_to: Mapped[Optional[dt.date]] = mapped_column(Date)


class ChecklistItem(Base):
    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # key in Patrol.checklist
    label: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class ChoiceItem(Base):
    """One allowed value of an editable choice list (sources, categories, roles …)."""

    __tablename__ = "choice_item"
    __table_args__ = (UniqueConstraint("list_name", "value", name="uq_choice_item_list_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Setting(Base):
    """A single office setting (office name, board-update deadline, late-entry threshold …)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class SettingChange(Base):
    """A change of a setting that figures depend on (补录天数, 速度上限, 公示牌更新时限), with the day
    it takes effect: the value in force on any day is known, so past figures never change."""

    __tablename__ = "setting_change"
    __table_args__ = (Index("ix_setting_change_key", "key", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)


# ---------------------------------------------------------------- audit (留痕)

class AuditEntry(Base):
    """Append-only record of every change: when, who, which record, before and after.

    `entry_hash` chains each entry to the previous one so that edits made outside the app show.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "table_name", "record_id"),
                      Index("ix_audit_entry_at", "at"),
                      Index("ux_audit_entry_prev_hash", "prev_hash", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))  # 新增 / 修改 / 删除 / 流转 / 导入 …
    table_name: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[Optional[int]] = mapped_column(Integer)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class HzdeskMeta(Base):
    """What says a database is hzdesk's where no file header can (a PostgreSQL server)."""

    __tablename__ = "hzdesk_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


# ---------------------------------------------------------------- accounts (optional)

class Account(Base):
    """A login when the office turns accounts on (off by default for a one-person office)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(10))  # 管理员 / 录入员 / 查看
    password_hash: Mapped[str] = mapped_column(String(200))  # scrypt, salted
    #: scrypt of the one-time code an administrator keeps on paper to get in when locked out or
    #: when the password is forgotten; None for other roles and once used until a new one is made.
    recovery_hash: Mapped[Optional[str]] = mapped_column(String(200))
    #: Unused since revision 0009 (failures are counted per name and source in LoginThrottle).
    failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)


class LoginThrottle(Base):
    """Failed logins for one user name from one source (computer and its Windows user): the waits
    they cause fall on that source only, so nobody can lock the administrator out from elsewhere."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("username", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(120))
    failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    last_failed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
