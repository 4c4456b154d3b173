"""patrols record how the river was patrolled (巡河方式), with its choice list

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The list's starting values, as fixed data (a migration never imports live code).
PATROL_METHODS = ["步行", "骑行", "驾车", "乘船", "无人机"]


def upgrade() -> None:
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=10), nullable=True))
    choice = sa.table("choice_item", sa.column("list_name", sa.String), sa.column("value", sa.String),
                      sa.column("seq", sa.Integer), sa.column("active", sa.Boolean))
    bind = op.get_bind()
    have = set(bind.execute(sa.select(choice.c.value).where(choice.c.list_name == "patrol_method")).scalars())
    rows = [{"list_name": "patrol_method", "value": v, "seq": i, "active": True}
            for i, v in enumerate(PATROL_METHODS) if v not in have]
    if rows:
        bind.execute(choice.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.drop_column('method')
    op.execute("DELETE FROM choice_item WHERE list_name = 'patrol_method'")
