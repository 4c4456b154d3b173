"""河长办桌面台账 (hzdesk): the ledgers of a township river-chief office, offline."""

__version__ = "0.1.0"
APP_NAME = "河长办桌面台账"
