"""logins: failures throttled per user name and source; the administrator's recovery code

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Failures counted on the account itself let anyone lock the administrator out from any PC;
    # counted per (name, source) they only slow the one who types them. Unknown names get a row
    # too, so guessing names is throttled like guessing passwords.
    op.create_table(
        'login_throttle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=120), nullable=False),
        sa.Column('failed_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_failed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
        sa.UniqueConstraint('username', 'source', name=op.f('uq_login_throttle_username')),
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recovery_hash', sa.String(length=200), nullable=True))
    # The old per-account counters no longer lock anyone out.
    op.execute("UPDATE account SET failed_count = 0, locked_until = NULL")


def downgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('recovery_hash')
    op.drop_table('login_throttle')
