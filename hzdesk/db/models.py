"""Every ledger the office keeps, as SQLAlchemy 2.0 typed models.

Free-text choice columns (kind, role, category …) hold values of the office's editable choice lists
(`ChoiceItem`); the services validate them. The problem workflow's state is a real enum.
Dates are calendar dates (the ledgers never need a time zone); times of day are local.
"""

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Enum, Float, ForeignKey,
                        Index, Integer, LargeBinary, String, Text, Time, UniqueConstraint)
from sqlalchemy import func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hzdesk import clock
from hzdesk.db.base import Base, Timestamps
from hzdesk.vocab import PeriodUnit, ProblemState, RuleScope


def _enum(e: type, name: str | None = None) -> Enum:
    # Store the Chinese value, not the Python name, as a plain VARCHAR with a CHECK: readable in
    # any SQLite browser and portable to PostgreSQL.
    return Enum(e, native_enum=False, values_callable=lambda cls: [m.value for m in cls],
                validate_strings=True, length=8, create_constraint=True,
                name=name or e.__name__.lower())


# ---------------------------------------------------------------- townships (乡镇)

class Township(Base):
    """A township whose ledgers this database holds. A township's own database has one (made by
    migration 0014 from the office's name); the county's has one per township it merged (#18)."""

    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    code: Mapped[Optional[str]] = mapped_column(String(20), unique=True)   # 行政区划代码, when known
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now,
                                                    server_default=func.current_timestamp())


#: The township every row belonged to before there were several: the database's own.
HOME_TOWNSHIP = 1


class InTownship:
    """Every ledger row belongs to a township. Codes and numbers are unique per township, and a
    session scoped to one (hzdesk/db/township.py) sees and writes only that township's rows."""

    township_id: Mapped[int] = mapped_column(ForeignKey("township.id", ondelete="RESTRICT"),
                                             server_default=str(HOME_TOWNSHIP))


# ---------------------------------------------------------------- water bodies (一河一档)

class WaterBody(InTownship, Timestamps, Base):
    __tablename__ = "water_body"
    __table_args__ = (
        CheckConstraint("length_km IS NULL OR length_km >= 0", name="length_nonneg"),
        CheckConstraint("area_km2 IS NULL OR area_km2 >= 0", name="area_nonneg"),
        Index("ix_water_body_parent", "parent_id"),
        Index("ix_water_body_name", "name"),
        Index("ix_water_body_level_kind", "level", "kind"),
        UniqueConstraint("township_id", "code", name="uq_water_body_township_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))  # free string: schemes differ; unique per township
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(10))
    length_km: Mapped[Optional[float]] = mapped_column(Float)
    area_km2: Mapped[Optional[float]] = mapped_column(Float)
    start_point: Mapped[Optional[str]] = mapped_column(String(100))
    end_point: Mapped[Optional[str]] = mapped_column(String(100))
    villages: Mapped[Optional[str]] = mapped_column(String(400))  # 流经村, joined by 、
    target_class: Mapped[Optional[str]] = mapped_column(String(4))
    management_target: Mapped[Optional[str]] = mapped_column(Text)
    seasonal: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    notes: Mapped[Optional[str]] = mapped_column(Text)
    registered_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    retired_on: Mapped[Optional[dt.date]] = mapped_column(Date)

    parent: Mapped[Optional["WaterBody"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["WaterBody"]] = relationship(back_populates="parent")


class Outfall(InTownship, Timestamps, Base):
    """入河排污口."""

    __tablename__ = "outfall"
    __table_args__ = (Index("ix_outfall_water_body", "water_body_id"),
                      UniqueConstraint("township_id", "code", name="uq_outfall_township_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    type: Mapped[str] = mapped_column(String(20))
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    responsible_unit: Mapped[Optional[str]] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10))
    registered_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    water_body: Mapped[WaterBody] = relationship()


class MonitoringSection(InTownship, Timestamps, Base):
    """监测断面."""

    __tablename__ = "monitoring_section"
    __table_args__ = (Index("ix_monitoring_section_water_body", "water_body_id"),
                      UniqueConstraint("township_id", "code", name="uq_monitoring_section_township_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Optional[str]] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    control_level: Mapped[str] = mapped_column(String(10))
    target_class: Mapped[str] = mapped_column(String(4))
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    water_body: Mapped[WaterBody] = relationship()
    results: Mapped[list["MonitoringResult"]] = relationship(
        back_populates="section", order_by="MonitoringResult.sampled_on")


class MonitoringResult(InTownship, Timestamps, Base):
    """One dated result of a section: its class is that of the worst indicator."""

    __tablename__ = "monitoring_result"
    __table_args__ = (UniqueConstraint("section_id", "sampled_on", name="uq_monitoring_result_sample"),
                      Index("ix_monitoring_result_date", "sampled_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("monitoring_section.id", ondelete="CASCADE"))
    sampled_on: Mapped[dt.date] = mapped_column(Date)
    water_class: Mapped[str] = mapped_column(String(4))
    over_limit: Mapped[Optional[str]] = mapped_column(String(200))  # indicators over the limit
    indicators: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)  # {"氨氮": 0.62, …}
    notes: Mapped[Optional[str]] = mapped_column(Text)

    section: Mapped[MonitoringSection] = relationship(back_populates="results")


class RiverPlan(InTownship, Timestamps, Base):
    """一河一策: one document per water body and period; the office tracks its items."""

    __tablename__ = "river_plan"
    __table_args__ = (Index("ix_river_plan_water_body", "water_body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    doc_number: Mapped[Optional[str]] = mapped_column(String(60))
    approved_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    water_body: Mapped[WaterBody] = relationship()
    items: Mapped[list["PlanItem"]] = relationship(back_populates="plan", order_by="PlanItem.seq",
                                                   cascade="all, delete-orphan")


class PlanItem(InTownship, Timestamps, Base):
    __tablename__ = "plan_item"
    __table_args__ = (Index("ix_plan_item_plan", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("river_plan.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))  # 问题 / 目标 / 任务 / 措施
    content: Mapped[str] = mapped_column(Text)
    responsible_unit: Mapped[Optional[str]] = mapped_column(String(80))
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="未开始")
    done_on: Mapped[Optional[dt.date]] = mapped_column(Date)

    plan: Mapped[RiverPlan] = relationship(back_populates="items")


# ---------------------------------------------------------------- people and appointments

class Person(InTownship, Timestamps, Base):
    __tablename__ = "person"
    __table_args__ = (Index("ix_person_name", "name"), Index("ix_person_phone", "phone"),
                      Index("ix_person_township", "township_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    sex: Mapped[Optional[str]] = mapped_column(String(2))
    unit: Mapped[Optional[str]] = mapped_column(String(80))
    post: Mapped[Optional[str]] = mapped_column(String(60))  # 职务
    phone: Mapped[Optional[str]] = mapped_column(String(30))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    retired_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # left the township's service

    appointments: Mapped[list["Appointment"]] = relationship(
        back_populates="person", order_by="Appointment.start_on")


class Appointment(InTownship, Timestamps, Base):
    """A person holding a role on a water body (or township-wide, for 总河长) from start to end."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
        Index("ix_appointment_person", "person_id", "start_on"),
        Index("ix_appointment_water_body", "water_body_id", "role", "start_on"),
        Index("ix_appointment_role_level", "role", "level"),
        Index("ix_appointment_township_role", "township_id", "role", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    water_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # None: still in office
    doc_number: Mapped[Optional[str]] = mapped_column(String(60))  # 任命文号
    reason: Mapped[Optional[str]] = mapped_column(String(200))  # why it started/ended (换届, 调整 …)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="appointments")
    water_body: Mapped[Optional[WaterBody]] = relationship()


# ---------------------------------------------------------------- sign boards (公示牌)

class SignBoard(InTownship, Timestamps, Base):
    __tablename__ = "sign_board"
    __table_args__ = (Index("ix_sign_board_water_body", "water_body_id"),
                      Index("ix_sign_board_village", "village"),
                      UniqueConstraint("township_id", "code", name="uq_sign_board_township_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    village: Mapped[Optional[str]] = mapped_column(String(40))
    place: Mapped[Optional[str]] = mapped_column(String(120))
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    level: Mapped[Optional[str]] = mapped_column(String(10))
    size: Mapped[Optional[str]] = mapped_column(String(30))  # e.g. 1.5m×1.0m
    installed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    content_updated_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # last reprint of the face
    inspected_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(String(10), default="完好")
    # What is printed on the face besides the chiefs:
    supervision_phone: Mapped[Optional[str]] = mapped_column(String(30))
    duties_text: Mapped[Optional[str]] = mapped_column(Text)
    targets_text: Mapped[Optional[str]] = mapped_column(Text)
    issuer: Mapped[Optional[str]] = mapped_column(String(80))
    retired_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    water_body: Mapped[WaterBody] = relationship()
    # Every face the board has shown (its history); `printed_chiefs` is the one on it now.
    faces: Mapped[list["BoardChief"]] = relationship(
        back_populates="board", order_by="BoardChief.id", cascade="all, delete-orphan")

    @property
    def printed_chiefs(self) -> list["BoardChief"]:
        return sorted((c for c in self.faces if c.printed_to is None), key=lambda c: c.seq)


class BoardChief(InTownship, Base):
    """One chief as printed on a board: the text on the face, not a link to a person."""

    __tablename__ = "board_chief"
    __table_args__ = (Index("ix_board_chief_board", "board_id", "seq"),
                      Index("ix_board_chief_township_board", "township_id", "board_id", "seq"))

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("sign_board.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[Optional[str]] = mapped_column(String(10))
    level: Mapped[Optional[str]] = mapped_column(String(10))
    post: Mapped[Optional[str]] = mapped_column(String(60))
    phone: Mapped[Optional[str]] = mapped_column(String(30))
    # The days this face was on the board. `printed_from` empty: since the board's 牌面更新日期
    # (or its installation), as far as anyone knows; `printed_to` empty: still on the board.
    printed_from: Mapped[Optional[dt.date]] = mapped_column(Date)
    printed_to: Mapped[Optional[dt.date]] = mapped_column(Date)

    board: Mapped[SignBoard] = relationship(back_populates="faces")


# ---------------------------------------------------------------- patrols (巡河记录)

class Patrol(InTownship, Timestamps, Base):
    __tablename__ = "patrol"
    __table_args__ = (
        CheckConstraint("distance_km IS NULL OR distance_km >= 0", name="distance_nonneg"),
        Index("ix_patrol_date", "patrol_date", "id"),
        Index("ix_patrol_person_date", "person_id", "patrol_date"),
        Index("ix_patrol_water_body_date", "water_body_id", "patrol_date"),
        Index("ix_patrol_township_date", "township_id", "patrol_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    patrol_date: Mapped[dt.date] = mapped_column(Date)
    start_time: Mapped[Optional[dt.time]] = mapped_column(Time)
    end_time: Mapped[Optional[dt.time]] = mapped_column(Time)
    distance_km: Mapped[Optional[float]] = mapped_column(Float)
    weather: Mapped[Optional[str]] = mapped_column(String(10))
    method: Mapped[Optional[str]] = mapped_column(String(10))   # 巡河方式: 步行, 骑行, 驾车 …
    route_from: Mapped[Optional[str]] = mapped_column(String(80))
    route_to: Mapped[Optional[str]] = mapped_column(String(80))
    companions: Mapped[Optional[str]] = mapped_column(String(200))  # 同行人员, joined by 、
    checklist: Mapped[Optional[dict[str, bool]]] = mapped_column(JSON)  # item code -> problem seen?
    findings: Mapped[Optional[str]] = mapped_column(Text)  # 巡河情况
    found_problem: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    on_spot_handling: Mapped[Optional[str]] = mapped_column(Text)  # 现场处理
    recorder: Mapped[Optional[str]] = mapped_column(String(40))    # 记录人: who wrote the record
    entered_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # 录入日期; unknown for old imports
    notes: Mapped[Optional[str]] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    water_body: Mapped[WaterBody] = relationship()


# ---------------------------------------------------------------- problems (问题台账)

class Problem(InTownship, Timestamps, Base):
    __tablename__ = "problem"
    __table_args__ = (
        Index("ix_problem_found", "found_on", "id"),
        Index("ix_problem_state_deadline", "state", "deadline"),
        Index("ix_problem_water_body", "water_body_id", "found_on"),
        Index("ix_problem_category", "category"),
        Index("ix_problem_closed", "closed_on"),
        Index("ix_problem_patrol", "patrol_id"),
        UniqueConstraint("township_id", "number", name="uq_problem_township_number"),
        Index("ix_problem_township_closed", "township_id", "closed_on"),
        Index("ix_problem_township_found", "township_id", "found_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30))  # WT-2025-001, unique per township
    title: Mapped[Optional[str]] = mapped_column(String(120))
    found_on: Mapped[dt.date] = mapped_column(Date)
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"))
    place: Mapped[Optional[str]] = mapped_column(String(120))
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    finder: Mapped[Optional[str]] = mapped_column(String(40))
    patrol_id: Mapped[Optional[int]] = mapped_column(ForeignKey("patrol.id", ondelete="SET NULL"))
    responsible_unit: Mapped[Optional[str]] = mapped_column(String(80))
    responsible_person: Mapped[Optional[str]] = mapped_column(String(40))
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)
    state: Mapped[ProblemState] = mapped_column(_enum(ProblemState), default=ProblemState.REGISTERED)
    measures: Mapped[Optional[str]] = mapped_column(Text)
    rectified_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    verifier: Mapped[Optional[str]] = mapped_column(String(40))
    verified_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    water_body: Mapped[WaterBody] = relationship()
    patrol: Mapped[Optional[Patrol]] = relationship()
    events: Mapped[list["ProblemEvent"]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id", cascade="all, delete-orphan")


class ProblemEvent(InTownship, Base):
    """One change of a problem's state: what, when, by whom, why."""

    __tablename__ = "problem_event"
    __table_args__ = (Index("ix_problem_event_problem", "problem_id", "id"),
                      Index("ix_problem_event_township_date", "township_id", "on_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))  # 登记, 交办, 报告整改完成, 验收通过 …
    # Its own CHECK name: PostgreSQL refuses two constraints of one table with the same name.
    from_state: Mapped[Optional[ProblemState]] = mapped_column(_enum(ProblemState, "problemstate_from"))
    to_state: Mapped[ProblemState] = mapped_column(_enum(ProblemState))
    on_date: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[Optional[str]] = mapped_column(String(40))
    note: Mapped[Optional[str]] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)

    problem: Mapped[Problem] = relationship(back_populates="events")


# ---------------------------------------------------------------- the office's own work (工作记录)

class WorkRecord(InTownship, Timestamps, Base):
    """A meeting, an order, a bulletin, a campaign, a day of cleaning: what the office did, with
    the quantities its reports add up (清理垃圾 吨, 宣传材料 份 …) keyed by the quantity's label."""

    __tablename__ = "work_record"
    __table_args__ = (
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_nonneg"),
        Index("ix_work_record_date", "held_on"),
        Index("ix_work_record_kind", "kind", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    doc_number: Mapped[Optional[str]] = mapped_column(String(60))
    water_bodies: Mapped[Optional[str]] = mapped_column(String(200))
    organizer: Mapped[Optional[str]] = mapped_column(String(80))
    participants: Mapped[Optional[int]] = mapped_column(Integer)
    quantities: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    content: Mapped[Optional[str]] = mapped_column(Text)
    notes: Mapped[Optional[str]] = mapped_column(Text)


# ---------------------------------------------------------------- geometry and GPS tracks (#17)

class WaterGeometry(InTownship, Timestamps, Base):
    """A water body's line(s) on the ground, in WGS-84 ([[lon, lat], …] per line), from a file the
    office supplied; `length_m` measured along them (beside the clerk's 长度(km))."""

    __tablename__ = "water_geometry"

    id: Mapped[int] = mapped_column(primary_key=True)
    water_body_id: Mapped[int] = mapped_column(ForeignKey("water_body.id", ondelete="RESTRICT"), unique=True)
    lines: Mapped[list[Any]] = mapped_column(JSON)
    length_m: Mapped[float] = mapped_column(Float)
    source: Mapped[Optional[str]] = mapped_column(String(200))
    datum_in: Mapped[str] = mapped_column(String(10))
    imported_on: Mapped[dt.date] = mapped_column(Date)


class PatrolTrack(InTownship, Timestamps, Base):
    """A patrol's GPS track (points packed, geo/store.py) and what checking it against its water
    body found on `checked_on` — kept, so a report of that day says the same later."""

    __tablename__ = "patrol_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrol.id", ondelete="RESTRICT"), unique=True)
    source: Mapped[Optional[str]] = mapped_column(String(200))
    datum_in: Mapped[str] = mapped_column(String(10))
    points: Mapped[bytes] = mapped_column(LargeBinary)
    n_points: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    minutes: Mapped[Optional[int]] = mapped_column(Integer)
    km: Mapped[float] = mapped_column(Float)
    raw_km: Mapped[float] = mapped_column(Float)
    coverage: Mapped[Optional[float]] = mapped_column(Float)     # None: the water body has no line
    coverage_needed: Mapped[float] = mapped_column(Float)        # the office's setting that day (0–1)
    fast_minutes: Mapped[float] = mapped_column(Float)
    still_minutes: Mapped[int] = mapped_column(Integer)
    gaps: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    checked_on: Mapped[dt.date] = mapped_column(Date)


# ---------------------------------------------------------------- attachments

class Attachment(InTownship, Base):
    """A photo or document carried by any record (owner_type names the table).

    The bytes live next to the database, stored by their SHA-256 (same photo twice stored once).
    """

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),
                      Index("ix_attachment_sha256", "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[Optional[str]] = mapped_column(String(20))  # 整改前 / 整改后 / 现场照片 / 文件
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))  # shown to the user, never used as a path
    mime: Mapped[Optional[str]] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[Optional[int]] = mapped_column(Integer)
    height: Mapped[Optional[int]] = mapped_column(Integer)
    taken_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    longitude: Mapped[Optional[float]] = mapped_column(Float)
    latitude: Mapped[Optional[float]] = mapped_column(Float)
    caption: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now)


# ---------------------------------------------------------------- configurable rules

class FrequencyRule(Timestamps, Base):
    """How often a chief of a role and level must patrol (varies by province: data, not code)."""

    __tablename__ = "frequency_rule"
    __table_args__ = (CheckConstraint("min_count >= 1", name="min_count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    period_unit: Mapped[PeriodUnit] = mapped_column(_enum(PeriodUnit))
    min_count: Mapped[int] = mapped_column(Integer, default=1)
    scope: Mapped[RuleScope] = mapped_column(_enum(RuleScope), default=RuleScope.PER_CHIEF)
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


class AttachmentBlob(Base):
    """An attachment's bytes kept in the database itself — on a server, so that every clerk's PC
    sees the photos (a file database keeps them in the folder beside it). Named by SHA-256 like
    the files: the same photo twice is stored once; `check` hashes each against its records."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


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
