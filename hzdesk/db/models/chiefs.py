"""The people, their appointments as chiefs over time, and the sign boards (公示牌) that name them."""

import datetime as dt
from typing import Optional

from sqlalchemy import (CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hzdesk.db.base import Base, Timestamps
from hzdesk.db.models.common import InTownship
from hzdesk.db.models.water import WaterBody


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
