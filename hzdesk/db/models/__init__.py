"""Every ledger the office keeps, as SQLAlchemy 2.0 typed models, one module per part of the work:

- `common`  — the township every ledger row belongs to;
- `water`   — the register of water bodies (一河一档), outfalls, sections, plans (一河一策);
- `chiefs`  — people, their appointments over time, and the sign boards (公示牌);
- `records` — patrols, problems and their history, work records, attachments;
- `geo`     — water bodies' lines and patrols' GPS tracks (#17);
- `admin`   — rules and settings, the audit trail (留痕), accounts.

Everything is imported here, so `from hzdesk.db.models import Patrol` works wherever the class
lives, and importing this package registers every table with `Base.metadata` (Alembic and
`configure_mappers` need them all).

Free-text choice columns (kind, role, category …) hold values of the office's editable choice lists
(`ChoiceItem`); the services validate them. The problem workflow's state is a real enum.
Dates are calendar dates (the ledgers never need a time zone); times of day are local.
"""

from hzdesk.db.base import Base
from hzdesk.db.models.common import HOME_TOWNSHIP, InTownship, Township, stored_enum
from hzdesk.db.models.water import (MonitoringResult, MonitoringSection, Outfall, PlanItem, RiverPlan,
                                    WaterBody)
from hzdesk.db.models.chiefs import Appointment, BoardChief, Person, SignBoard
from hzdesk.db.models.records import (Attachment, AttachmentBlob, Patrol, Problem, ProblemEvent,
                                      WorkRecord)
from hzdesk.db.models.geo import PatrolTrack, WaterGeometry
from hzdesk.db.models.admin import (Account, AuditEntry, ChecklistItem, ChoiceItem, FrequencyRule,
                                    HzdeskMeta, LoginThrottle, Setting, SettingChange)

__all__ = [
    "Base",
    "HOME_TOWNSHIP", "InTownship", "Township", "stored_enum",
    "MonitoringResult", "MonitoringSection", "Outfall", "PlanItem", "RiverPlan", "WaterBody",
    "Appointment", "BoardChief", "Person", "SignBoard",
    "Attachment", "AttachmentBlob", "Patrol", "Problem", "ProblemEvent", "WorkRecord",
    "PatrolTrack", "WaterGeometry",
    "Account", "AuditEntry", "ChecklistItem", "ChoiceItem", "FrequencyRule", "HzdeskMeta",
    "LoginThrottle", "Setting", "SettingChange",
]
