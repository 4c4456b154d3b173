"""The register of water bodies (一河一档): rivers and their segments, reservoirs, ponds; their
outfalls, monitoring sections and results, and each one's plan (一河一策) with its tasks."""

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer,
                        String, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hzdesk.db.base import Base, Timestamps
from hzdesk.db.models.common import InTownship


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
