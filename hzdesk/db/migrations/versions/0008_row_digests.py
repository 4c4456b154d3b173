"""the trail seals every row: a 基线 entry with the digest of each row already held

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # From here on each entry carries its row's digest (hzdesk/db/digest.py); the rows that are
    # here already — the seeded lists of a new database, an office's records — get theirs in one
    # 基线 entry, chained like any other. (A later migration that changes rows must add a 基线 too.)
    from hzdesk.db.audit import append_entries
    from hzdesk.db.digest import baseline

    conn = op.get_bind()
    digests = baseline(conn)
    if any(digests.values()):
        append_entries(conn, [{"action": "基线", "table_name": "*", "record_id": None, "actor": "程序升级",
                               "after": {"digests": digests}}])


def downgrade() -> None:
    op.execute("DELETE FROM audit_entry WHERE action = '基线'")
