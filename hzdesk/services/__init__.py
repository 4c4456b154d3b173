"""Everything the office does, as plain functions over a Session.

Importing any service registers the role guard on every Session (access.py): every write made
through the services is checked against the signed-in account's role.
"""

from hzdesk.services import access  # noqa: F401
