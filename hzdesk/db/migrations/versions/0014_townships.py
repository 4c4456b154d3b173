"""a township on every ledger row (the county edition, #18 point 4): codes and numbers unique per
township, so the county's database can hold the ledgers of all its townships

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: Every ledger table; the global ones (settings, rules, choice lists, accounts, the trail) stay
#: the database's.
LEDGERS = ('water_body', 'outfall', 'monitoring_section', 'monitoring_result', 'river_plan', 'plan_item',
           'person', 'appointment', 'sign_board', 'board_chief', 'patrol', 'problem', 'problem_event',
           'work_record', 'water_geometry', 'patrol_track', 'attachment')
#: The codes and numbers that were unique in the database and are now unique in their township.
PER_TOWNSHIP = {'water_body': 'code', 'outfall': 'code', 'monitoring_section': 'code', 'sign_board': 'code',
                'problem': 'number'}
def upgrade() -> None:
    from hzdesk.db.audit import reseal_after_new_columns
    from hzdesk.db.township import township_name

    conn = op.get_bind()
    township = op.create_table(
        'township',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_township')),
        sa.UniqueConstraint('name', name=op.f('uq_township_name')),
        sa.UniqueConstraint('code', name=op.f('uq_township_code')),
    )
    office = conn.execute(sa.text("SELECT value FROM setting WHERE key = 'office_name'")).scalar()
    # The value is JSON text in the setting table: a plain string is quoted.
    if isinstance(office, str) and office.startswith('"'):
        import json
        office = json.loads(office)
    op.bulk_insert(township, [{'id': 1, 'name': township_name(office if isinstance(office, str) else None)}])
    if conn.dialect.name == 'postgresql':
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('township', 'id'), 2, false)"))

    def add_columns() -> None:
        for table in LEDGERS:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column('township_id', sa.Integer(), server_default=sa.text('1'),
                                              nullable=False))
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_township_id_township'), 'township',
                                            ['township_id'], ['id'], ondelete='RESTRICT')
                if table in PER_TOWNSHIP:
                    column = PER_TOWNSHIP[table]
                    batch_op.drop_constraint(batch_op.f(f'uq_{table}_{column}'), type_='unique')
                    batch_op.create_unique_constraint(f'uq_{table}_township_{column}', ['township_id', column])
                # The county's figures are a township's at a time: its rows found by index.
                if table == 'patrol':
                    batch_op.create_index('ix_patrol_township_date', ['township_id', 'patrol_date'], unique=False)
                if table == 'problem_event':
                    batch_op.create_index('ix_problem_event_township_date', ['township_id', 'on_date'], unique=False)
                if table == 'problem':
                    batch_op.create_index('ix_problem_township_closed', ['township_id', 'closed_on'], unique=False)

    # The new column changes every ledger row's digest: the rows intact until now are sealed anew.
    reseal_after_new_columns(conn, LEDGERS, add_columns)


def downgrade() -> None:
    for table in reversed(LEDGERS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'patrol':
                batch_op.drop_index('ix_patrol_township_date')
            if table == 'problem_event':
                batch_op.drop_index('ix_problem_event_township_date')
            if table == 'problem':
                batch_op.drop_index('ix_problem_township_closed')
            if table in PER_TOWNSHIP:
                column = PER_TOWNSHIP[table]
                batch_op.drop_constraint(f'uq_{table}_township_{column}', type_='unique')
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_{column}'), [column])
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_township_id_township'), type_='foreignkey')
            batch_op.drop_column('township_id')
    op.drop_table('township')
