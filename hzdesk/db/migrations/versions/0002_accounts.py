"""accounts: optional logins with roles; settings for them

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('display_name', sa.String(length=40), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('failed_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
        sa.UniqueConstraint('username', name=op.f('uq_account_username')),
    )
    # The two settings this revision brought, as fixed data (a migration never imports live code).
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.JSON))
    keys = set(op.get_bind().execute(sa.select(setting.c.key)).scalars())
    rows = [{"key": k, "value": v} for k, v in (("accounts_enabled", False), ("idle_lock_minutes", 0))
            if k not in keys]
    if rows:
        op.get_bind().execute(setting.insert(), rows)


def downgrade() -> None:
    op.drop_table('account')
