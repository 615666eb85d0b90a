"""Checks on an uploaded evidence file before anything is stored.

The type is read from the content (magic bytes, or the structure of a ZIP/OLE container), never from
the client's Content-Type, and it must agree with the file's extension: a renamed executable, an HTML
page or an SVG image is refused whatever it is called.
"""

import re
import struct
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree

import filetype
import olefile
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


class Unsafe(Exception):
    """The container is the right kind but carries something we do not store (macros, programs)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


# ---- OLE2 compound documents (doc, xls) ------------------------------------------------------------------

# A Word binary's WordDocument stream opens with the FIB's wIdent 0xA5EC; an Excel workbook's stream opens
# with a BOF record (0x0809 for BIFF5/BIFF8).
_WORD_FIB = b"\xec\xa5"
_EXCEL_BOF = b"\x09\x08"


def _ole_kind(upload: UploadedFile) -> str | None:
    """A doc is a compound file whose root holds a WordDocument stream starting with Word's FIB and a table
    stream; an xls one whose root holds a Workbook (or, Excel 95, Book) stream starting with a BOF record.
    Names found anywhere else in the bytes count for nothing."""
    upload.seek(0)
    try:
        with olefile.OleFileIO(upload) as ole:
            entries = ["/".join(path) for path in ole.listdir(streams=True, storages=True)]

            def starts_with(stream: str, prefix: bytes) -> bool:
                return ole.get_type(stream) == olefile.STGTY_STREAM and ole.openstream(stream).read(2) == prefix

            if starts_with("WordDocument", _WORD_FIB) and ("1Table" in entries or "0Table" in entries):
                kind = "doc"
            elif any(starts_with(name, _EXCEL_BOF) for name in ("Workbook", "Book") if name in entries):
                kind = "xls"
            else:
                return None
            _check_ole_contents(ole)
    except Unsafe:
        raise
    except Exception:  # olefile raises many kinds of errors on a damaged or hostile file: all mean "not valid"
        return None
    finally:
        upload.seek(0)
    return kind


def _check_ole_contents(ole: olefile.OleFileIO) -> None:
    """No VBA macros; no embedded package (Ole10Native, "Packager") holding a program."""
    for path in ole.listdir(streams=True, storages=True):
        lowered = [part.lower() for part in path]
        if lowered[0] in ("macros", "_vba_project_cur", "vba") or lowered[-1] == "vba":
            raise Unsafe(_("macro (VBA)"))
        if lowered[-1] == "\x01ole10native":
            _check_packaged_file(ole.openstream(path).read(MAX_EMBEDDED_BYTES + 1))


def _check_packaged_file(native: bytes) -> None:
    """An Ole10Native stream: size, flags, then the file's label, path and temporary path (NUL-terminated)
    around two reserved words, then the file's size and bytes. A program, or a stream we cannot read, is
    refused."""
    program = Unsafe(_("tệp chương trình được nhúng (Packager)"))
    try:
        at = 6
        names = []
        for _field in range(2):
            end = native.index(b"\x00", at)
            names.append(native[at:end])
            at = end + 1
        at += 8
        end = native.index(b"\x00", at)
        names.append(native[at:end])
        at = end + 1
        size = struct.unpack_from("<I", native, at)[0]
        data = native[at + 4 : at + 4 + min(size, 4)]
    except (ValueError, struct.error):
        raise program from None
    if data.startswith(_PROGRAM_MAGIC) or any(
        name.decode("latin-1").lower().rstrip().endswith(_PROGRAM_SUFFIXES) for name in names
    ):
        raise program


# ---- ZIP packages (docx, xlsx: Office Open XML; odt, ods: OpenDocument) ----------------------------------

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_ODF_MIME = {MIME["odt"]: "odt", MIME["ods"]: "ods"}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAX_ZIP_ENTRIES = 5000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
MAX_EMBEDDED_BYTES = 32 * 1024 * 1024
# Programs and scripts by name; any entry whose bytes start like a Windows or Linux program is refused too.
_PROGRAM_SUFFIXES = (
    ".exe", ".dll", ".com", ".scr", ".pif", ".cpl", ".msi", ".msp", ".sys", ".bat", ".cmd", ".ps1", ".vbs",
    ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".jar", ".lnk", ".reg", ".sh", ".elf", ".so", ".apk",
)  # fmt: skip
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF")


def _check_zip_entries(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.startswith(("basic/", "scripts/")):
            raise Unsafe(_("macro (VBA, Basic hoặc script)"))
        base = name.rsplit("/", 1)[-1]
        if base.endswith(_PROGRAM_SUFFIXES):
            raise Unsafe(_("tệp chương trình «%(entry)s»") % {"entry": info.filename[-80:]})
        if not info.is_dir() and info.file_size >= 2:
            with archive.open(info) as entry:
                start = entry.read(8)
                if start.startswith(_PROGRAM_MAGIC):
                    raise Unsafe(_("tệp chương trình «%(entry)s»") % {"entry": info.filename[-80:]})
                if start == OLE2:  # an embedded object (embeddings/oleObject1.bin): what does it carry?
                    embedded = start + entry.read(MAX_EMBEDDED_BYTES)
                    if len(embedded) > MAX_EMBEDDED_BYTES:
                        raise Unsafe(_("đối tượng nhúng quá lớn để kiểm tra"))
                    try:
                        with olefile.OleFileIO(embedded) as ole:
                            _check_ole_contents(ole)
                    except Unsafe:
                        raise
                    except Exception:  # an unreadable embedded compound file: we cannot tell what it holds
                        raise Unsafe(_("đối tượng nhúng không đọc được")) from None


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """[Content_Types].xml must declare a Word or Excel main part (not the macro-enabled variants) that the
    package holds."""
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        return None
    with archive.open(info) as part:
        data = part.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(data) > MAX_CONTENT_TYPES_BYTES or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    root = ElementTree.fromstring(data)  # noqa: S314 - no DTD, so no entities (checked above)
    kinds = {
        _OOXML_MAIN[override.get("ContentType", "")]
        for override in root.iter(f"{_CT_NS}Override")
        if override.get("ContentType") in _OOXML_MAIN and override.get("PartName", "").lstrip("/") in names
    }
    return kinds.pop() if len(kinds) == 1 else None


def _odf_kind(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """OpenDocument: the first entry is `mimetype`, stored uncompressed, naming text or spreadsheet, with the
    content and manifest parts present."""
    first = archive.infolist()[0]
    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
        return None
    if not {"content.xml", "META-INF/manifest.xml"} <= names:
        return None
    return _ODF_MIME.get(archive.read(first).decode("ascii", "replace").strip())


def _zip_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if not infos or len(infos) > MAX_ZIP_ENTRIES or len(names) != len(infos):
                return None  # empty, absurdly many parts, or two entries under one name
            if any(info.filename.startswith(("/", "\\")) or ".." in info.filename.split("/") for info in infos):
                return None
            if "[Content_Types].xml" in names:
                kind = _ooxml_kind(archive, names)
            elif "mimetype" in names:
                kind = _odf_kind(archive, names)
            else:
                return None
            if kind is not None:
                _check_zip_entries(archive)
            return kind
    except Unsafe:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError, EOFError):
        return None  # damaged, encrypted or otherwise unreadable
    except ElementTree.ParseError:
        return None
    finally:
        upload.seek(0)


# ---- the file as a whole ----------------------------------------------------------------------------------

_SIMPLE = {"pdf", "jpg", "png"}
_ZIP_FAMILY = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}


def detect_kind(upload: UploadedFile) -> str | None:
    """The kind (one of MIME's keys) the content really is, or None. Raises Unsafe for a genuine document
    that carries macros or programs.

    `filetype` (magic bytes) names the family; a container family is then opened and its structure checked,
    since magic bytes say only "a ZIP" or "a compound file", whatever is inside.
    """
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if olefile.isOleFile(data=head) or head.startswith(OLE2):
        return _ole_kind(upload)
    guess = filetype.guess(head)
    family = guess.extension if guess is not None else None
    if family in _SIMPLE:
        return family
    if family in _ZIP_FAMILY or head.startswith(b"PK\x03\x04"):
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
    try:
        kind = detect_kind(upload)
    except Unsafe as unsafe:
        raise ValidationError(
            _(
                "Tệp «%(name)s» chứa %(what)s nên không được chấp nhận; hãy lưu lại tài liệu không kèm nội dung đó "
                "(ví dụ lưu thành %(kind)s thường) rồi tải lên."
            )
            % {"name": name, "what": unsafe.what, "kind": extension.upper()}
        ) from None
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
