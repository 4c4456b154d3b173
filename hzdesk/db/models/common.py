"""What every ledger row shares: the township it belongs to, and how a choice enum is stored."""

import datetime as dt
from typing import Optional

from sqlalchemy import DateTime, Enum, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from hzdesk import clock
from hzdesk.db.base import Base


def stored_enum(e: type, name: str | None = None) -> Enum:
    # Store the Chinese value, not the Python name, as a plain VARCHAR with a CHECK: readable in
    # any SQLite browser and portable to PostgreSQL.
    return Enum(e, native_enum=False, values_callable=lambda cls: [m.value for m in cls],
                validate_strings=True, length=8, create_constraint=True,
                name=name or e.__name__.lower())


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
