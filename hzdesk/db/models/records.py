"""The day-to-day records: patrols (巡河记录), problems and their history (问题台账), the office's own
work (工作记录), and the photos and files attached to any of them."""

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index,
                        Integer, LargeBinary, String, Text, Time, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hzdesk import clock
from hzdesk.db.base import Base, Timestamps
from hzdesk.db.models.common import InTownship, stored_enum
from hzdesk.db.models.water import WaterBody
from hzdesk.db.models.chiefs import Person
from hzdesk.vocab import ProblemState


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
    state: Mapped[ProblemState] = mapped_column(stored_enum(ProblemState), default=ProblemState.REGISTERED)
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
    from_state: Mapped[Optional[ProblemState]] = mapped_column(stored_enum(ProblemState, "problemstate_from"))
    to_state: Mapped[ProblemState] = mapped_column(stored_enum(ProblemState))
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


class AttachmentBlob(Base):
    """An attachment's bytes kept in the database itself — on a server, so that every clerk's PC
    sees the photos (a file database keeps them in the folder beside it). Named by SHA-256 like
    the files: the same photo twice is stored once; `check` hashes each against its records."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
