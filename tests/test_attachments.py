"""Photos and documents: stored once by content, never by the name they came with, within limits."""

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from hzdesk.db import models as m
from hzdesk.errors import ValidationError
from hzdesk.services import attachments as A
from hzdesk.services import records


def photo(path, size=(400, 300), colour=(200, 30, 30), orientation=None, when=None, gps=None):
    img = Image.new("RGB", size, colour)
    img.paste((20, 20, 220), (0, 0, size[0] // 4, size[1]))  # a blue band on the left edge
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if when:
        exif.get_ifd(0x8769)[36867] = when
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (28.0, 6.0, 36.0), 3: "E", 4: (113.0, 15.0, 0.0)})
    img.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def problem(session, river):
    return records.create(session, "problem", {"found_on": "2025-03-05", "water_body_id": river.id,
                                               "source": "暗访", "category": "乱堆", "description": "堆放"})


def test_same_photo_twice_is_stored_once(session, db, problem, tmp_path):
    src = photo(tmp_path / "a.jpg")
    a1, _ = A.add_attachment(session, db.attachments, "problem", problem.id, src, purpose="整改前")
    a2, _ = A.add_attachment(session, db.attachments, "problem", problem.id, src, purpose="整改后")
    assert a1.sha256 == a2.sha256 and a1.id != a2.id
    files = [p for p in db.attachments.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == f"{a1.sha256}.jpg"
    assert [a.purpose for a in A.attachments_of(session, "problem", problem.id)] == ["整改前", "整改后"]


def test_outside_names_are_shown_never_used_as_paths(session, db, problem, tmp_path):
    evil_dir = tmp_path / "x" / ".." / "..%2F..%2Fevil"
    evil_dir.mkdir(parents=True)
    src = photo(evil_dir / "..\\..\\windows\\system32.jpg")
    att, _ = A.add_attachment(session, db.attachments, "problem", problem.id, src)
    stored = A.file_of(db.attachments, att)
    assert stored.resolve().is_relative_to(db.attachments.resolve())
    assert stored.name == f"{att.sha256}.jpg" and att.filename.endswith("system32.jpg")
    with pytest.raises(ValidationError, match="校验值无效"):
        A.blob_path(db.attachments, "../../etc/passwd".ljust(64, "a"), ".jpg")


def test_limits_and_refusals(session, db, problem, tmp_path, monkeypatch):
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + b"0" * 100)
    monkeypatch.setattr(A, "MAX_BYTES", 50)
    with pytest.raises(ValidationError, match="文件太大"):
        A.add_attachment(session, db.attachments, "problem", problem.id, big)
    monkeypatch.setattr(A, "MAX_BYTES", 25 * 1024 * 1024)
    monkeypatch.setattr(A, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError, match="像素过多"):
        A.add_attachment(session, db.attachments, "problem", problem.id, photo(tmp_path / "p.jpg", (100, 100)))
    monkeypatch.setattr(A, "MAX_PIXELS", 60_000_000)
    script = tmp_path / "run.exe"
    script.write_bytes(b"MZ\x90\x00 not a photo")
    with pytest.raises(ValidationError, match="只能添加照片"):
        A.add_attachment(session, db.attachments, "problem", problem.id, script)
    with pytest.raises(ValidationError, match="记录不存在"):
        A.add_attachment(session, db.attachments, "problem", 9999, photo(tmp_path / "q.jpg"))
    assert session.scalar(select(func.count()).select_from(m.Attachment)) == 0
    assert not db.attachments.exists() or not any(p.is_file() for p in db.attachments.rglob("*"))


def test_exif_orientation_time_and_place(session, db, problem, tmp_path):
    # Orientation 6: the camera was turned; the picture must be shown rotated 90° clockwise.
    src = photo(tmp_path / "turned.jpg", (400, 300), orientation=6, when="2025:03:05 09:41:07", gps=True)
    att, offered = A.add_attachment(session, db.attachments, "problem", problem.id, src, purpose="整改前")
    assert offered.taken_at == dt.datetime(2025, 3, 5, 9, 41, 7)
    assert offered.latitude == pytest.approx(28.11) and offered.longitude == pytest.approx(113.25)
    assert problem.found_on == dt.date(2025, 3, 5) and problem.latitude is None  # offered, not written
    thumb = Image.open(io.BytesIO(A.thumbnail_png(A.file_of(db.attachments, att), 200)))
    assert thumb.size[1] > thumb.size[0]                      # upright: taller than wide
    top_r, top_g, top_b = thumb.getpixel((thumb.size[0] // 2, 5))
    assert top_b > 150 and top_r < 100                        # the left band is now at the top


def test_closure_sheet_shows_the_photos(session, db, problem, tmp_path):
    import shutil
    import subprocess
    from hzdesk.reports.pdf.problem_sheets import closure_sheet
    A.add_attachment(session, db.attachments, "problem", problem.id, photo(tmp_path / "b.jpg"), purpose="整改前")
    A.add_attachment(session, db.attachments, "problem", problem.id, photo(tmp_path / "c.jpg", colour=(0, 160, 0)),
                     purpose="整改后")
    from hzdesk.services.workflow import move
    move(session, problem.id, "交办", on_date="2025-03-06", responsible_unit="镇执法队", deadline="2025-03-31")
    move(session, problem.id, "报告整改完成", on_date="2025-03-20", measures="已清运")   # 待验收: the sheet taken to the site
    session.commit()
    closure_sheet(session, problem.number, tmp_path / "c.pdf", db.attachments)
    if shutil.which("pdfimages"):
        listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
        assert listing.count("image") >= 2


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
@pytest.mark.parametrize("with_exif", [False, True], ids=["no-exif", "exif"])
def test_every_photo_format_phones_produce(session, db, problem, tmp_path, fmt, with_exif):
    """#15 point 5: every PNG failed (EXIF read before verify); HEIC is what phones send."""
    from PIL import Image

    Image = A.pil_image()
    path = tmp_path / f"p.{fmt.lower()}"
    extra = {}
    if with_exif:
        exif = Image.Exif()
        exif[306] = "2025:03:05 08:30:00"
        extra["exif"] = exif.tobytes()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(path, fmt, **extra)
    att, offered = A.add_attachment(session, db.attachments, "problem", problem.id, path, purpose="整改前")
    assert att.mime == A.IMAGE_TYPES[fmt][0] and (att.width, att.height) == (64, 48)
    assert (offered.taken_at == dt.datetime(2025, 3, 5, 8, 30)) is with_exif
    thumb = Image.open(io.BytesIO(A.thumbnail_png(A.file_of(db.attachments, att), 32)))
    assert thumb.size == (32, 24)


def test_a_cut_photo_is_refused_in_words(session, db, problem, tmp_path):
    from PIL import Image

    Image.new("RGB", (640, 480), (200, 10, 10)).save(tmp_path / "a.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "a.png").read_bytes()[:300])
    with pytest.raises(ValidationError, match="图片文件已损坏"):
        A.add_attachment(session, db.attachments, "problem", problem.id, tmp_path / "cut.png")
