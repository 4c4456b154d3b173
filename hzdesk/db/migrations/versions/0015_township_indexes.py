"""indexes that find one township's rows in the county's database: the problems found in a
period, the appointments, the people and the board faces (#18 point 6, the county's ranking)

Without them a narrowed query read every township's rows and threw away all but one: the year's
problems of one township of fifteen took 25 ms instead of 4 ms.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

#: (index, table, columns) — each also declared on its model (db/models/).
INDEXES = (
    ('ix_problem_township_found', 'problem', ['township_id', 'found_on']),
    ('ix_appointment_township_role', 'appointment', ['township_id', 'role', 'level']),
    ('ix_person_township', 'person', ['township_id']),
    ('ix_board_chief_township_board', 'board_chief', ['township_id', 'board_id', 'seq']),
)


def upgrade() -> None:
    # Indexes change no row: the audit trail's digests stay as they are.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
