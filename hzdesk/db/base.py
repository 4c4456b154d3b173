"""Declarative base with a naming convention, so batch migrations on SQLite can find constraints."""

import datetime as dt

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from hzdesk import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    """When a row was created and last changed (local wall-clock time of the PC)."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now,
                                                    server_default=func.current_timestamp())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=clock.now,
                                                    onupdate=clock.now,
                                                    server_default=func.current_timestamp())
