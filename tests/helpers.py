"""Small builders for rule tests: records made through the real services."""

import datetime as dt
import subprocess

from hzdesk.services import records

D = dt.date


def water(session, code, level="村级", parent=None, kind="河段"):
    return records.create(session, "water_body", {"code": code, "name": f"河{code}", "kind": kind,
                                                  "level": level, "parent_id": parent.id if parent else None})


def person(session, name, phone=None):
    return records.create(session, "person", {"name": name, "phone": phone})


def appoint(session, who, where, start, end=None, role="河长", level="村级"):
    return records.create(session, "appointment", {
        "person_id": who.id, "water_body_id": where.id if where else None, "role": role,
        "level": level, "start_on": start, "end_on": end})


def patrol(session, who, where, day, start=None, end=None, km=None, entered=None):
    return records.create(session, "patrol", {
        "person_id": who.id, "water_body_id": where.id, "patrol_date": day, "start_time": start,
        "end_time": end, "distance_km": km, "entered_on": entered})


def pdftext(path, first=None, last=None) -> str:
    """A PDF's text by poppler's pdftotext (pages `first`–`last`), spaces removed: pdftotext drops
    or adds them beside Chinese characters."""
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.replace(" ", "")
