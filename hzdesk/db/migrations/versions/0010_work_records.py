"""work records (工作记录): the office's meetings, orders, bulletins, campaigns and cleaning

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The lists' starting values, frozen here (vocab.DEFAULT_CHOICES may change later).
LISTS = {
    "work_kind": ["河长会议/工作调度", "河长令", "督办函/督查专报", "工作简报/信息", "宣传活动", "培训",
                  "专项行动/联合执法", "河道保洁", "其他"],
    "work_quantity": ["宣传材料(份)", "清理垃圾(吨)", "打捞漂浮物(吨)", "拆除违建(处)", "拆除违建(㎡)",
                      "清淤(m³)", "查处案件(起)"],
}


def upgrade() -> None:
    op.create_table(
        'work_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('doc_number', sa.String(length=60), nullable=True),
        sa.Column('water_bodies', sa.String(length=200), nullable=True),
        sa.Column('organizer', sa.String(length=80), nullable=True),
        sa.Column('participants', sa.Integer(), nullable=True),
        sa.Column('quantities', sa.JSON(), nullable=True),
        sa.Column('content', sa.Text(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.CheckConstraint('participants IS NULL OR participants >= 0',
                           name=op.f('ck_work_record_participants_nonneg')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_work_record')),
    )
    with op.batch_alter_table('work_record', schema=None) as batch_op:
        batch_op.create_index('ix_work_record_date', ['held_on'], unique=False)
        batch_op.create_index('ix_work_record_kind', ['kind', 'held_on'], unique=False)
    choice = sa.table("choice_item", sa.column("list_name", sa.String), sa.column("value", sa.String),
                      sa.column("seq", sa.Integer), sa.column("active", sa.Boolean))
    bind = op.get_bind()
    have = set(bind.execute(sa.select(choice.c.list_name, choice.c.value)).all())
    rows = [{"list_name": name, "value": v, "seq": i, "active": True}
            for name, values in LISTS.items() for i, v in enumerate(values) if (name, v) not in have]
    if rows:
        bind.execute(choice.insert(), rows)
        # Rows a migration adds are sealed like any other (see 0008): a 基线 entry for the lists.
        from hzdesk.db.audit import append_entries
        from hzdesk.db.digest import baseline

        append_entries(bind, [{"action": "基线", "table_name": "*", "record_id": None, "actor": "程序升级",
                               "after": {"digests": baseline(bind, ("choice_item",))}}])


def downgrade() -> None:
    op.execute("DELETE FROM choice_item WHERE list_name IN ('work_kind', 'work_quantity')")
    with op.batch_alter_table('work_record', schema=None) as batch_op:
        batch_op.drop_index('ix_work_record_kind')
        batch_op.drop_index('ix_work_record_date')
    op.drop_table('work_record')
