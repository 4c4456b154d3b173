"""frequency rules carry the dates they are in force (生效日期, 停止日期)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rules have been in force "always": both dates stay empty, so every figure an
    # office has already reported comes out the same after the upgrade.
    with op.batch_alter_table('frequency_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('effective_to', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('frequency_rule', schema=None) as batch_op:
        batch_op.drop_column('effective_to')
        batch_op.drop_column('effective_from')
