"""Reading many plain rows fast: for reports that walk a year of patrols or every problem.

The ORM's per-row bookkeeping and per-value conversions are the larger part of such a read
(0.15 s against 0.09 s for a year of patrols); these helpers leave both out where the caller only
wants values.
"""

from __future__ import annotations

from sqlalchemy import String, type_coerce
from sqlalchemy.orm import Session


def plain_rows(session: Session, statement):
    """Rows of plain columns through the session's connection, without the ORM's bookkeeping.
    Pending changes are flushed first, as an ORM query would. A session narrowed to one township
    of the county's database gets its rows narrowed the same way as the ORM's (db/township.py)."""
    session.flush()
    from hzdesk.db.township import SCOPE, narrowed
    township_id = session.info.get(SCOPE)
    if township_id is not None:
        statement = narrowed(statement, township_id)
    return session.connection().execute(statement)


def as_stored(column):
    """The column without SQLAlchemy's per-row conversion (SQLite gives the stored text); the
    caller parses each distinct value once."""
    return type_coerce(column, String)
