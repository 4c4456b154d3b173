"""boards keep the faces they showed, with their first and last days

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The faces on the boards today: first day unknown (counts from 牌面更新日期), still shown.
    with op.batch_alter_table('board_chief', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('printed_to', sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM board_chief WHERE printed_to IS NOT NULL")
    with op.batch_alter_table('board_chief', schema=None) as batch_op:
        batch_op.drop_column('printed_to')
        batch_op.drop_column('printed_from')
