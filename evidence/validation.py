"""Checks on an uploaded evidence file before anything is stored.

The type is read from the content (magic bytes, or the structure of a ZIP/OLE container), never from
the client's Content-Type, and it must agree with the file's extension: a renamed executable, an HTML
page or an SVG image is refused whatever it is called.
"""

import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.numbers import number_text

ALLOWED_TEXT = gettext_lazy("PDF, Word (doc, docx), Excel (xls, xlsx), OpenDocument (odt, ods), ảnh JPG, PNG")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
_EXTENSION_KIND = {"jpeg": "jpg"}
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.")


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # one of MIME's keys
    content_type: str


def _size_text(size: int) -> str:
    """20971520 → «20 MB», 1536 → «1,5 KB» (in English «1.5 KB»): one decimal at most."""
    unit, divisor = ("MB", 1024 * 1024) if size >= 1024 * 1024 else ("KB", 1024)
    return f"{number_text(round(Decimal(size) / divisor, 1))} {unit}"


def _zip_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return {MIME["odt"]: "odt", MIME["ods"]: "ods"}.get(mimetype)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def _ole_kind(upload: UploadedFile) -> str | None:
    """Legacy Office files are OLE2 containers; Word's holds a "WordDocument" stream, Excel's a "Workbook"."""
    upload.seek(0)
    data = upload.read(2 * 1024 * 1024)
    upload.seek(0)
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return None


def detect_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2):
        return _ole_kind(upload)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Raise ValidationError (Vietnamese, saying what is allowed) or return the detected kind."""
    name = upload.name or ""
    if not name or _UNSAFE_NAME.search(name) or name.startswith(".") or len(name) > 200:
        raise ValidationError(
            _(
                "Tên tệp «%(name)s» không hợp lệ: tên không được chứa đường dẫn (/, \\, ..), ký tự điều khiển, "
                "không bắt đầu bằng dấu chấm và dài tối đa 200 ký tự."
            )
            % {"name": name[:80]}
        )
    size = upload.size or 0  # Django's upload handlers always set it; None only on a hand-built file object
    if size == 0:
        raise ValidationError(_("Tệp «%(name)s» rỗng.") % {"name": name})
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("Tệp «%(name)s» lớn hơn giới hạn %(limit)s; hãy nén hoặc tách tệp.")
            % {"name": name, "limit": _size_text(limit)}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = _EXTENSION_KIND.get(extension, extension)
    if extension not in MIME:
        raise ValidationError(
            _("Tệp «%(name)s» không được chấp nhận: chỉ nhận %(allowed)s.") % {"name": name, "allowed": ALLOWED_TEXT}
        )
    kind = detect_kind(upload)
    if kind is None:
        raise ValidationError(
            _("Nội dung tệp «%(name)s» không phải là %(kind)s hợp lệ: chỉ nhận %(allowed)s.")
            % {"name": name, "kind": extension.upper(), "allowed": ALLOWED_TEXT}
        )
    if kind != extension:
        raise ValidationError(
            _("Nội dung tệp «%(name)s» là %(kind)s, không khớp đuôi .%(extension)s; hãy lưu lại đúng định dạng.")
            % {"name": name, "kind": kind.upper(), "extension": extension}
        )
    return CheckedFile(kind=kind, content_type=MIME[kind])
