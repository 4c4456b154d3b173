"""Photos and documents that any record can carry.

The bytes live next to the database in a folder of their own, named by their SHA-256 (the same
photo added twice is stored once) and written atomically (a temporary file, then a rename). A name
that comes from outside is only ever shown, never used as a path. Images are checked against size
and pixel limits; their EXIF orientation is applied when drawn; EXIF time and GPS are read and
offered, never written over what the clerk typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hzdesk.paths import attachments_dir
from hzdesk.db import models as m
from hzdesk.errors import ValidationError, os_reason

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 60_000_000          # a 60-megapixel photo; more is a decompression bomb, not a photo
OWNERS = {"problem": m.Problem, "patrol": m.Patrol, "sign_board": m.SignBoard, "water_body": m.WaterBody,
          "outfall": m.Outfall, "river_plan": m.RiverPlan, "work_record": m.WorkRecord}
DOCUMENT_TYPES = {b"%PDF": ("application/pdf", ".pdf"), b"PK\x03\x04": ("application/zip", ".zip"),
                  b"\xd0\xcf\x11\xe0": ("application/msword", ".doc")}
#: Map files kept as the source of imported lines, points and tracks: text, told by their ending and
#: a first character that XML or JSON starts with (KMZ and zipped shapefiles are zips, above).
GEO_TYPES = {".gpx": ("application/gpx+xml", ".gpx"), ".kml": ("application/vnd.google-earth.kml+xml", ".kml"),
             ".geojson": ("application/geo+json", ".geojson"), ".json": ("application/geo+json", ".geojson")}
IMAGE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp"),
               "BMP": ("image/bmp", ".bmp"), "GIF": ("image/gif", ".gif"), "TIFF": ("image/tiff", ".tif"),
               "HEIF": ("image/heic", ".heic")}


store_dir = attachments_dir   # where a database keeps its attachments (hzdesk.paths)


def blob_path(store: Path, sha256: str, ext: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValidationError({"sha256": "附件校验值无效"})
    return store / sha256[:2] / f"{sha256}{ext}"


@dataclass
class Offered:
    """What a photo says about itself, for the clerk to accept or not."""

    taken_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


def _gps(value, ref) -> float | None:
    try:
        d, mnt, s = (float(x) for x in value)
    except (TypeError, ValueError):
        return None
    x = d + mnt / 60 + s / 3600
    return -x if ref in ("S", "W") else x


def pil_image():
    """PIL's Image module, with the HEIF/HEIC opener (the photos iPhones and many Android phones
    take) registered once."""
    from PIL import Image

    if not getattr(pil_image, "ready", False):
        try:
            from pillow_heif import register_heif_opener
            register_heif_opener()
        except ImportError:   # without the plug-in a HEIC photo is refused as an unknown file
            pass
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        pil_image.ready = True
    return Image


def _inspect_image(data: bytes):
    from io import BytesIO

    from PIL import UnidentifiedImageError

    Image = pil_image()
    # verify() must come straight after open (reading EXIF first loads a PNG and verify then
    # fails), so the file is opened twice: once to check it, once to read what it says.
    try:
        with Image.open(BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValidationError({"file": f"图片像素过多（{width}×{height}），已拒绝"})
            img.verify()
        with Image.open(BytesIO(data)) as img:
            exif = img.getexif()
    except UnidentifiedImageError:
        return None
    except Image.DecompressionBombError:
        raise ValidationError({"file": "图片像素过多，疑似异常文件，已拒绝"}) from None
    except ValidationError:
        raise
    except Exception:   # a truncated or malformed image: Pillow raises many kinds
        raise ValidationError({"file": "图片文件已损坏，无法读取"}) from None
    offered = Offered()
    stamp = exif.get_ifd(0x8769).get(36867) or exif.get(306)  # DateTimeOriginal, else DateTime
    if stamp:
        try:
            offered.taken_at = dt.datetime.strptime(str(stamp).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            pass
    gps = exif.get_ifd(0x8825)
    if gps:
        offered.latitude = _gps(gps.get(2), gps.get(1))
        offered.longitude = _gps(gps.get(4), gps.get(3))
    return fmt, width, height, offered


def add_attachment(session: Session, store: Path, owner_type: str, owner_id: int, source: str | os.PathLike,
                   *, purpose: str | None = None, caption: str | None = None) -> tuple[m.Attachment, Offered]:
    """Store a file for a record. Returns the attachment and what the photo offers (time, place)."""
    model = OWNERS.get(owner_type)
    if model is None or session.get(model, owner_id) is None:
        raise ValidationError({"owner": "要添加附件的记录不存在"})
    source = Path(source)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise ValidationError({"file": f"无法读取文件：{os_reason(exc)}"}) from exc
    if size > MAX_BYTES:
        raise ValidationError({"file": f"文件太大（{size / 1024 / 1024:.1f} MB），附件最大 {MAX_BYTES // 1024 // 1024} MB"})
    if size == 0:
        raise ValidationError({"file": "文件是空的"})
    data = source.read_bytes()
    image = _inspect_image(data)
    if image is not None and image[0] in IMAGE_TYPES:
        fmt, width, height, offered = image
        mime, ext = IMAGE_TYPES[fmt]
    else:
        kind = next((v for magic, v in DOCUMENT_TYPES.items() if data.startswith(magic)), None)
        if kind is None and source.suffix.lower() in GEO_TYPES and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"<", b"{"):
            kind = GEO_TYPES[source.suffix.lower()]
        if kind is None:
            raise ValidationError({"file": "只能添加照片（JPG、PNG 等）或文档（PDF、Word、Excel）"})
        (mime, ext), width, height, offered = kind, None, None, Offered()
    sha = hashlib.sha256(data).hexdigest()
    target = blob_path(store, sha, ext)
    if not target.exists():
        write_whole(target, data)
    keep_bytes(session, store, sha, ext, data)
    shown_name = source.name[-200:]
    att = m.Attachment(owner_type=owner_type, owner_id=owner_id, purpose=purpose, sha256=sha, filename=shown_name,
                       mime=mime, size_bytes=size, width=width, height=height, taken_at=offered.taken_at,
                       latitude=offered.latitude, longitude=offered.longitude, caption=caption)
    session.add(att)
    session.flush()
    return att, offered


def write_whole(target: Path, data: bytes) -> None:
    """Written beside, flushed to disk, then renamed into place: never half a file under its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def owner_title(owner_type: str) -> str:
    """问题, 巡河记录, 工作记录 …: the ledger's own title."""
    from hzdesk.fields import LEDGERS

    lg = LEDGERS.get(owner_type)
    return {"problem": "问题"}.get(owner_type) or (lg.title if lg else owner_type)


def attachments_of(session: Session, owner_type: str, owner_id: int) -> list[m.Attachment]:
    return list(session.scalars(select(m.Attachment).where(m.Attachment.owner_type == owner_type,
                                                           m.Attachment.owner_id == owner_id)
                                .order_by(m.Attachment.id)))


def attachment(session: Session, attachment_id: int) -> m.Attachment:
    att = session.get(m.Attachment, attachment_id)
    if att is None:
        raise ValidationError({"attachment": "这个附件已不存在（可能已随记录删除）"})
    return att


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


def keep_bytes(session: Session, store: Path, sha: str, ext: str, data: bytes) -> None:
    """On a server, an attachment's bytes go into the database too (attachment_blob), so every
    clerk's PC can open them; the folder is then this PC's cache of them."""
    if _on_server(session) and session.get(m.AttachmentBlob, sha) is None:
        session.add(m.AttachmentBlob(sha256=sha, data=data))


def extension_of(att: m.Attachment) -> str:
    return next((e for mime, e in [*IMAGE_TYPES.values(), *DOCUMENT_TYPES.values(), *GEO_TYPES.values()]
                 if mime == att.mime), "")


def file_of(store: Path, att: m.Attachment) -> Path:
    """The attachment as a file on this PC. On a server, fetched from the database the first
    time this PC needs it (another clerk's photo), then kept in this PC's folder."""
    path = blob_path(store, att.sha256, extension_of(att))
    if not path.exists():
        from sqlalchemy.orm import object_session
        session = object_session(att)
        if session is not None and _on_server(session):
            blob = session.get(m.AttachmentBlob, att.sha256)
            if blob is not None:
                write_whole(path, blob.data)
    return path


def bytes_of(session: Session, store: Path, att: m.Attachment) -> bytes | None:
    """The attachment's bytes from wherever this database keeps them; None when missing."""
    if _on_server(session):
        blob = session.get(m.AttachmentBlob, att.sha256)
        return None if blob is None else blob.data
    path = blob_path(store, att.sha256, extension_of(att))
    return path.read_bytes() if path.is_file() else None


def unsound_attachments(session: Session, store: Path) -> tuple[list[str], list[str]]:
    """(missing, damaged) attachment files, each named as a clerk finds it: every stored file is
    hashed and compared with the SHA-256 its record holds."""
    from hzdesk.db.backup import blob_is_whole

    missing, damaged = [], []
    for att in session.scalars(select(m.Attachment).order_by(m.Attachment.id)):
        owner = owner_title(att.owner_type)
        where = f"{owner}（记录号 {att.owner_id}）的“{att.filename}”"
        if _on_server(session):   # the database's copy is the one that counts; this PC's is a cache
            data = bytes_of(session, store, att)
            if data is None:
                missing.append(where)
            elif hashlib.sha256(data).hexdigest() != att.sha256:
                damaged.append(where)
            continue
        path = file_of(store, att)
        if not path.is_file():
            missing.append(where)
        elif not blob_is_whole(path):
            damaged.append(where)
    return missing, damaged


def thumbnail_png(path: Path, size: int = 240) -> bytes:
    """A small PNG of a photo, turned the way the camera held it (EXIF orientation)."""
    from io import BytesIO

    from PIL import ImageOps

    with pil_image().open(path) as img:
        img = ImageOps.exif_transpose(img)
        img.thumbnail((size, size))
        out = BytesIO()
        img.convert("RGB").save(out, "PNG")
        return out.getvalue()
