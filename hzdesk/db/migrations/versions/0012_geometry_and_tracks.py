"""water bodies' lines (河道线) and patrols' GPS tracks (巡河轨迹) with what their check found

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'water_geometry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('water_body_id', sa.Integer(), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('length_m', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('datum_in', sa.String(length=10), nullable=False),
        sa.Column('imported_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'],
                                name=op.f('fk_water_geometry_water_body_id_water_body'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_water_geometry')),
        sa.UniqueConstraint('water_body_id', name=op.f('uq_water_geometry_water_body_id')),
    )
    op.create_table(
        'patrol_track',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patrol_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.Column('datum_in', sa.String(length=10), nullable=False),
        sa.Column('points', sa.LargeBinary(), nullable=False),
        sa.Column('n_points', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('km', sa.Float(), nullable=False),
        sa.Column('raw_km', sa.Float(), nullable=False),
        sa.Column('coverage', sa.Float(), nullable=True),
        sa.Column('coverage_needed', sa.Float(), nullable=False),
        sa.Column('fast_minutes', sa.Float(), nullable=False),
        sa.Column('still_minutes', sa.Integer(), nullable=False),
        sa.Column('gaps', sa.Integer(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['patrol_id'], ['patrol.id'], name=op.f('fk_patrol_track_patrol_id_patrol'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_track')),
        sa.UniqueConstraint('patrol_id', name=op.f('uq_patrol_track_patrol_id')),
    )


def downgrade() -> None:
    op.drop_table('patrol_track')
    op.drop_table('water_geometry')
