"""initial schema: every ledger, the configurable rules with their defaults, the audit trail

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 03:09:04.661631
"""
from alembic import op
import sqlalchemy as sa

import datetime as dt

# The rows every new database started with at this revision, as fixed data: a migration never
# imports live code, so a later change to the defaults or the models cannot break it.
SEED_CHOICES = {'water_kind': ['河流', '河段', '湖泊', '水库', '山塘', '沟渠', '小微水体'],
 'level': ['县级', '乡级', '村级'],
 'role': ['总河长', '副总河长', '河长', '副河长', '河长助理', '民间河长', '河湖警长', '巡河员', '保洁员', '监督员'],
 'problem_source': ['河长巡河', '民间河长', '群众举报', '上级督查', '暗访', '媒体曝光', '图斑核查', '环保督察', '河长令交办', '自行发现', '其他'],
 'problem_category': ['乱占',
                      '乱采',
                      '乱堆',
                      '乱建',
                      '污水直排',
                      '排污口',
                      '生活垃圾',
                      '建筑垃圾',
                      '养殖污染',
                      '工业废水',
                      '非法采砂',
                      '电鱼毒鱼炸鱼',
                      '黑臭水体',
                      '岸堤损毁',
                      '其他'],
 'board_condition': ['完好', '破损', '褪色', '倾斜', '缺失'],
 'outfall_type': ['工业', '城镇污水处理厂', '农业', '农村生活污水', '雨水', '其他'],
 'outfall_status': ['在用', '已封堵', '已整治'],
 'control_level': ['国控', '省控', '市控', '县控', '乡镇交接'],
 'weather': ['晴', '多云', '阴', '小雨', '中雨', '大雨', '雪', '雾'],
 'sex': ['男', '女'],
 'plan_item_kind': ['问题', '目标', '任务', '措施'],
 'plan_item_status': ['未开始', '进行中', '已完成']}
SEED_SETTINGS = {'office_name': '某某镇河长制办公室',
 'supervision_phone': '',
 'board_update_days': 15,
 'late_entry_days': 7,
 'max_walking_kmh': 8.0,
 'problem_number_prefix': 'WT'}
SEED_FREQUENCY_RULES = [('河长', '县级', '季度', 1, '每位河长', None), ('河长', '乡级', '旬', 1, '每位河长', None), ('河长', '村级', '周', 1, '每位河长', None)]
SEED_CHECKLIST = [('rubbish', '河面有无漂浮物、垃圾'),
 ('silting', '河道有无淤积、阻水'),
 ('structures', '有无违法建筑、乱占乱堆'),
 ('water_colour', '水体颜色、气味有无异常'),
 ('dry_outfall', '晴天排污口有无污水排放'),
 ('board', '公示牌是否完好'),
 ('sand_fishing', '有无非法采砂、电鱼毒鱼'),
 ('last_fixed', '上次巡河发现的问题是否整改')]


def _seed(bind) -> None:
    """Insert the starting rows that are missing (a database made before this file froze them may
    already hold some); never touch what the office has."""
    choice = sa.table("choice_item", sa.column("list_name", sa.String), sa.column("value", sa.String),
                      sa.column("seq", sa.Integer), sa.column("active", sa.Boolean))
    setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.JSON))
    rule = sa.table("frequency_rule", *(sa.column(c) for c in (
        "role", "level", "period_unit", "min_count", "scope", "active_months", "enabled", "created_at",
        "updated_at")))
    item = sa.table("checklist_item", sa.column("code", sa.String), sa.column("label", sa.String),
                    sa.column("seq", sa.Integer), sa.column("active", sa.Boolean))
    have = set(bind.execute(sa.select(choice.c.list_name, choice.c.value)).all())
    rows = [{"list_name": name, "value": v, "seq": i, "active": True}
            for name, values in SEED_CHOICES.items() for i, v in enumerate(values) if (name, v) not in have]
    if rows:
        bind.execute(choice.insert(), rows)
    keys = set(bind.execute(sa.select(setting.c.key)).scalars())
    rows = [{"key": k, "value": v} for k, v in SEED_SETTINGS.items() if k not in keys]
    if rows:
        bind.execute(setting.insert(), rows)
    if bind.execute(sa.select(sa.func.count()).select_from(rule)).scalar() == 0:
        now = dt.datetime.now()
        bind.execute(rule.insert(), [
            {"role": r, "level": lv, "period_unit": u, "min_count": n, "scope": sc, "active_months": months,
             "enabled": True, "created_at": now, "updated_at": now}
            for r, lv, u, n, sc, months in SEED_FREQUENCY_RULES])
    codes = set(bind.execute(sa.select(item.c.code)).scalars())
    rows = [{"code": c, "label": label, "seq": i, "active": True}
            for i, (c, label) in enumerate(SEED_CHECKLIST) if c not in codes]
    if rows:
        bind.execute(item.insert(), rows)


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=30), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=60), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('caption', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_owner', ['owner_type', 'owner_id'], unique=False)
        batch_op.create_index('ix_attachment_sha256', ['sha256'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('table_name', sa.String(length=30), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_entry_entry_hash'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_entry_record', ['table_name', 'record_id'], unique=False)

    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('code', name=op.f('uq_checklist_item_code'))
    )
    op.create_table('choice_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_name', sa.String(length=30), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_choice_item')),
    sa.UniqueConstraint('list_name', 'value', name='uq_choice_item_list_value')
    )
    op.create_table('frequency_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('period_unit', sa.Enum('周', '旬', '月', '季度', '年', name='periodunit', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('min_count', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('每位河长', '每条河湖', name='rulescope', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('active_months', sa.String(length=40), nullable=True),
    sa.Column('min_minutes', sa.Integer(), nullable=True),
    sa.Column('min_km', sa.Float(), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('min_count >= 1', name=op.f('ck_frequency_rule_min_count_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frequency_rule'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=True),
    sa.Column('unit', sa.String(length=80), nullable=True),
    sa.Column('post', sa.String(length=60), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('retired_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_name', ['name'], unique=False)
        batch_op.create_index('ix_person_phone', ['phone'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('water_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('length_km', sa.Float(), nullable=True),
    sa.Column('area_km2', sa.Float(), nullable=True),
    sa.Column('start_point', sa.String(length=100), nullable=True),
    sa.Column('end_point', sa.String(length=100), nullable=True),
    sa.Column('villages', sa.String(length=400), nullable=True),
    sa.Column('target_class', sa.String(length=4), nullable=True),
    sa.Column('management_target', sa.Text(), nullable=True),
    sa.Column('seasonal', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('retired_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('area_km2 IS NULL OR area_km2 >= 0', name=op.f('ck_water_body_area_nonneg')),
    sa.CheckConstraint('length_km IS NULL OR length_km >= 0', name=op.f('ck_water_body_length_nonneg')),
    sa.ForeignKeyConstraint(['parent_id'], ['water_body.id'], name=op.f('fk_water_body_parent_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_water_body')),
    sa.UniqueConstraint('code', name=op.f('uq_water_body_code'))
    )
    with op.batch_alter_table('water_body', schema=None) as batch_op:
        batch_op.create_index('ix_water_body_level_kind', ['level', 'kind'], unique=False)
        batch_op.create_index('ix_water_body_name', ['name'], unique=False)
        batch_op.create_index('ix_water_body_parent', ['parent_id'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('doc_number', sa.String(length=60), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('end_on IS NULL OR end_on >= start_on', name=op.f('ck_appointment_end_after_start')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_appointment_person_id_person'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_appointment_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_person', ['person_id', 'start_on'], unique=False)
        batch_op.create_index('ix_appointment_role_level', ['role', 'level'], unique=False)
        batch_op.create_index('ix_appointment_water_body', ['water_body_id', 'role', 'start_on'], unique=False)

    op.create_table('monitoring_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('control_level', sa.String(length=10), nullable=False),
    sa.Column('target_class', sa.String(length=4), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_monitoring_section_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_section')),
    sa.UniqueConstraint('code', name=op.f('uq_monitoring_section_code'))
    )
    with op.batch_alter_table('monitoring_section', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_section_water_body', ['water_body_id'], unique=False)

    op.create_table('outfall',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('responsible_unit', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_outfall_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outfall')),
    sa.UniqueConstraint('code', name=op.f('uq_outfall_code'))
    )
    with op.batch_alter_table('outfall', schema=None) as batch_op:
        batch_op.create_index('ix_outfall_water_body', ['water_body_id'], unique=False)

    op.create_table('patrol',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('patrol_date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('distance_km', sa.Float(), nullable=True),
    sa.Column('weather', sa.String(length=10), nullable=True),
    sa.Column('route_from', sa.String(length=80), nullable=True),
    sa.Column('route_to', sa.String(length=80), nullable=True),
    sa.Column('companions', sa.String(length=200), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('found_problem', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('on_spot_handling', sa.Text(), nullable=True),
    sa.Column('entered_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('distance_km IS NULL OR distance_km >= 0', name=op.f('ck_patrol_distance_nonneg')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_patrol_person_id_person'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_patrol_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol'))
    )
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_date', ['patrol_date', 'id'], unique=False)
        batch_op.create_index('ix_patrol_person_date', ['person_id', 'patrol_date'], unique=False)
        batch_op.create_index('ix_patrol_water_body_date', ['water_body_id', 'patrol_date'], unique=False)

    op.create_table('river_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('doc_number', sa.String(length=60), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_river_plan_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_river_plan'))
    )
    with op.batch_alter_table('river_plan', schema=None) as batch_op:
        batch_op.create_index('ix_river_plan_water_body', ['water_body_id'], unique=False)

    op.create_table('sign_board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('village', sa.String(length=40), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('size', sa.String(length=30), nullable=True),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('content_updated_on', sa.Date(), nullable=True),
    sa.Column('inspected_on', sa.Date(), nullable=True),
    sa.Column('condition', sa.String(length=10), nullable=False),
    sa.Column('supervision_phone', sa.String(length=30), nullable=True),
    sa.Column('duties_text', sa.Text(), nullable=True),
    sa.Column('targets_text', sa.Text(), nullable=True),
    sa.Column('issuer', sa.String(length=80), nullable=True),
    sa.Column('retired_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_sign_board_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_board')),
    sa.UniqueConstraint('code', name=op.f('uq_sign_board_code'))
    )
    with op.batch_alter_table('sign_board', schema=None) as batch_op:
        batch_op.create_index('ix_sign_board_village', ['village'], unique=False)
        batch_op.create_index('ix_sign_board_water_body', ['water_body_id'], unique=False)

    op.create_table('board_chief',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('post', sa.String(length=60), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['board_id'], ['sign_board.id'], name=op.f('fk_board_chief_board_id_sign_board'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_chief'))
    )
    with op.batch_alter_table('board_chief', schema=None) as batch_op:
        batch_op.create_index('ix_board_chief_board', ['board_id', 'seq'], unique=False)

    op.create_table('monitoring_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('sampled_on', sa.Date(), nullable=False),
    sa.Column('water_class', sa.String(length=4), nullable=False),
    sa.Column('over_limit', sa.String(length=200), nullable=True),
    sa.Column('indicators', sa.JSON(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['monitoring_section.id'], name=op.f('fk_monitoring_result_section_id_monitoring_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_result')),
    sa.UniqueConstraint('section_id', 'sampled_on', name='uq_monitoring_result_sample')
    )
    with op.batch_alter_table('monitoring_result', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_result_date', ['sampled_on'], unique=False)

    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=80), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['river_plan.id'], name=op.f('fk_plan_item_plan_id_river_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item'))
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index('ix_plan_item_plan', ['plan_id'], unique=False)

    op.create_table('problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('water_body_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('finder', sa.String(length=40), nullable=True),
    sa.Column('patrol_id', sa.Integer(), nullable=True),
    sa.Column('responsible_unit', sa.String(length=80), nullable=True),
    sa.Column('responsible_person', sa.String(length=40), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('待交办', '整改中', '待验收', '已销号', '挂账', name='problemstate', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('verifier', sa.String(length=40), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrol.id'], name=op.f('fk_problem_patrol_id_patrol'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['water_body_id'], ['water_body.id'], name=op.f('fk_problem_water_body_id_water_body'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem')),
    sa.UniqueConstraint('number', name=op.f('uq_problem_number'))
    )
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index('ix_problem_category', ['category'], unique=False)
        batch_op.create_index('ix_problem_closed', ['closed_on'], unique=False)
        batch_op.create_index('ix_problem_found', ['found_on', 'id'], unique=False)
        batch_op.create_index('ix_problem_patrol', ['patrol_id'], unique=False)
        batch_op.create_index('ix_problem_state_deadline', ['state', 'deadline'], unique=False)
        batch_op.create_index('ix_problem_water_body', ['water_body_id', 'found_on'], unique=False)

    op.create_table('problem_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    # SQLite takes two CHECKs of one name (files made so stay byte-identical); PostgreSQL does not.
    sa.Column('from_state', sa.Enum('待交办', '整改中', '待验收', '已销号', '挂账', name='problemstate' if op.get_bind().dialect.name == 'sqlite' else 'problemstate_from', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('to_state', sa.Enum('待交办', '整改中', '待验收', '已销号', '挂账', name='problemstate', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_event_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_event'))
    )
    with op.batch_alter_table('problem_event', schema=None) as batch_op:
        batch_op.create_index('ix_problem_event_problem', ['problem_id', 'id'], unique=False)


    _seed(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('problem_event', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_event_problem')

    op.drop_table('problem_event')
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_water_body')
        batch_op.drop_index('ix_problem_state_deadline')
        batch_op.drop_index('ix_problem_patrol')
        batch_op.drop_index('ix_problem_found')
        batch_op.drop_index('ix_problem_closed')
        batch_op.drop_index('ix_problem_category')

    op.drop_table('problem')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_item_plan')

    op.drop_table('plan_item')
    with op.batch_alter_table('monitoring_result', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_result_date')

    op.drop_table('monitoring_result')
    with op.batch_alter_table('board_chief', schema=None) as batch_op:
        batch_op.drop_index('ix_board_chief_board')

    op.drop_table('board_chief')
    with op.batch_alter_table('sign_board', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_board_water_body')
        batch_op.drop_index('ix_sign_board_village')

    op.drop_table('sign_board')
    with op.batch_alter_table('river_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_river_plan_water_body')

    op.drop_table('river_plan')
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_water_body_date')
        batch_op.drop_index('ix_patrol_person_date')
        batch_op.drop_index('ix_patrol_date')

    op.drop_table('patrol')
    with op.batch_alter_table('outfall', schema=None) as batch_op:
        batch_op.drop_index('ix_outfall_water_body')

    op.drop_table('outfall')
    with op.batch_alter_table('monitoring_section', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_section_water_body')

    op.drop_table('monitoring_section')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_water_body')
        batch_op.drop_index('ix_appointment_role_level')
        batch_op.drop_index('ix_appointment_person')

    op.drop_table('appointment')
    with op.batch_alter_table('water_body', schema=None) as batch_op:
        batch_op.drop_index('ix_water_body_parent')
        batch_op.drop_index('ix_water_body_name')
        batch_op.drop_index('ix_water_body_level_kind')

    op.drop_table('water_body')
    op.drop_table('setting')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_phone')
        batch_op.drop_index('ix_person_name')

    op.drop_table('person')
    op.drop_table('frequency_rule')
    op.drop_table('choice_item')
    op.drop_table('checklist_item')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_record')
        batch_op.drop_index('ix_audit_entry_at')

    op.drop_table('audit_entry')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_sha256')
        batch_op.drop_index('ix_attachment_owner')

    op.drop_table('attachment')
