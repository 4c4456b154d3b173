"""Where things are on the ground (#17): water bodies' lines and patrols' GPS tracks."""

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, LargeBinary,
                        String)
from sqlalchemy.orm import Mapped, mapped_column

from hzdesk.db.base import Base, Timestamps
from hzdesk.db.models.common import InTownship


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
