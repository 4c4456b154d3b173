"""Errors whose messages are shown to a clerk as they are: in Chinese, saying what to do."""

from __future__ import annotations


class HzdeskError(Exception):
    """Base of every error meant for the user."""


class DatabaseError(HzdeskError):
    """The database file cannot be opened or used."""


class NotFound(HzdeskError):
    pass


class ValidationError(HzdeskError):
    """Bad input. `errors` maps a field key to its Chinese message; nothing was written.

    `labels` maps the same keys to the fields' Chinese labels so that a message stands on its own
    ("整改时限：日期格式不对 …").
    """

    def __init__(self, errors: dict[str, str], labels: dict[str, str] | None = None):
        self.errors = dict(errors)
        self.labels = dict(labels or {})
        super().__init__(self.message())

    def message(self) -> str:
        parts = []
        for key, msg in self.errors.items():
            label = self.labels.get(key)
            parts.append(f"{label}：{msg}" if label else msg)
        return "；".join(parts)
