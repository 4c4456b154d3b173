"""Alembic environment, driven from code (hzdesk.db.engine.upgrade passes the connection)."""

from alembic import context

from hzdesk.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` on the command line is not how hzdesk migrates
    raise RuntimeError("hzdesk migrations run through hzdesk.db.engine.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,        # SQLite cannot ALTER most things: rebuild tables instead
    transactional_ddl=True,      # with the pysqlite fix in engine.py, DDL is transactional
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
