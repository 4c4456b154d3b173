"""a marker that a database is hzdesk's (for a server, where no file header says so); the audit
trail's order made unique; attachments' bytes in the database (used on a server)

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A SQLite file says it is ours in its header (PRAGMA application_id). A PostgreSQL database
    # has no such place: this table is how hzdesk tells its own database from another program's,
    # and refuses to migrate the latter (hzdesk/db/server.py).
    meta = op.create_table(
        'hzdesk_meta',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_hzdesk_meta')),
    )
    op.bulk_insert(meta, [{'key': 'application', 'value': '河长办桌面台账'}])
    # Each entry follows exactly one other: two writers that read the same head (a fork of the
    # chain) now fail loudly instead of leaving a trail that no longer verifies.
    op.create_index('ux_audit_entry_prev_hash', 'audit_entry', ['prev_hash'], unique=True)
    # On a server the photos must be where every clerk's PC can read them: in the database. A
    # file database keeps using the folder beside it (its backups mirror that folder).
    op.create_table(
        'attachment_blob',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_attachment_blob')),
    )


def downgrade() -> None:
    op.drop_table('attachment_blob')
    op.drop_index('ux_audit_entry_prev_hash', table_name='audit_entry')
    op.drop_table('hzdesk_meta')
