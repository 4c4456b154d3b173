"""责任单位 becomes a choice list: the unit names already in use start it

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The tables whose 责任单位 now comes from the list, in the order their names are taken.
_USERS = ("problem", "outfall", "plan_item")


def upgrade() -> None:
    # Unit names are longer than the other lists' values (“县交通运输局公路建设养护中心”).
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=40), type_=sa.String(length=80))
    conn = op.get_bind()
    names: list[str] = []
    for table in _USERS:
        for (name,) in conn.execute(sa.text(
                f"SELECT responsible_unit FROM {table} WHERE trim(coalesce(responsible_unit, '')) != '' "
                f"GROUP BY responsible_unit ORDER BY min(id)")):
            name = name.strip()
            if name not in names:
                names.append(name)
    if names:
        conn.execute(sa.text("INSERT INTO choice_item (list_name, value, seq, active) "
                             "VALUES ('unit', :value, :seq, 1)"),
                     [{"value": n, "seq": i} for i, n in enumerate(names)])


def downgrade() -> None:
    op.execute("DELETE FROM choice_item WHERE list_name = 'unit'")
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=80), type_=sa.String(length=40))
