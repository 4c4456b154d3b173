"""settings that change figures keep their history (生效日期)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows: until a setting is changed, its present value has always been in force.
    op.create_table(
        'setting_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('old_value', sa.JSON(), nullable=True),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_change')),
    )
    with op.batch_alter_table('setting_change', schema=None) as batch_op:
        batch_op.create_index('ix_setting_change_key', ['key', 'effective_from'], unique=False)


def downgrade() -> None:
    op.drop_table('setting_change')
