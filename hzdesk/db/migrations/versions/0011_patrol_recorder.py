"""a patrol names who wrote the record (记录人), as the paper form has it

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The new column changes every patrol's row digest: the rows intact until now are sealed anew.
    from hzdesk.db.audit import reseal_after_new_column

    def add_column() -> None:
        with op.batch_alter_table('patrol', schema=None) as batch_op:
            batch_op.add_column(sa.Column('recorder', sa.String(length=40), nullable=True))

    reseal_after_new_column(op.get_bind(), 'patrol', add_column)


def downgrade() -> None:
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.drop_column('recorder')
