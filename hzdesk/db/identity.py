"""How an hzdesk database file says it is one: SQLite's application_id header field.

Kept apart from engine.py so that backup.py (which checks copies) and engine.py (which takes a
backup before an upgrade) need not import each other."""

APPLICATION_ID = 0x485A444B  # "HZDK"
