"""Evidence: the type comes from the content, a refused upload leaves no row and no file, document
references, one file serving several leaves, the permission-checked download, and who may do what."""

import datetime
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, Evidence, EvidenceKind, EvidenceLink, Score
from evidence.services import evidence_add_document, evidence_upload
from evidence.validation import check_upload

from .factories import assessment_of, open_period, xlsx_bytes

pytestmark = pytest.mark.django_db

ROLES = ["admin", "reviewer", "leadership", "head", "officer", "other_officer", "no_role"]
PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"
ONLY = "chỉ nhận PDF, Word (doc, docx), Excel (xls, xlsx), OpenDocument (odt, ods), ảnh JPG, PNG."
BAD_NAME = (
    "không hợp lệ: tên không được chứa đường dẫn (/, \\, ..), ký tự điều khiển, "
    "không bắt đầu bằng dấu chấm và dài tối đa 200 ký tự."
)
NO_DOCUMENT = "Nhập ít nhất số/ký hiệu hoặc trích yếu của văn bản."
CONFIRM = {"confirm": "1"}  # what the browser adds once the user confirms the removal (static/js/confirm.js)
DOCUMENT = {
    "doc_number": "15/KH-UBND",
    "doc_date": "20/01/2026",
    "doc_issuer": "Ủy ban nhân dân tỉnh",
    "doc_summary": "Kế hoạch cải cách hành chính năm 2026",
}


# ---- builders ------------------------------------------------------------------------------------------


FILES = Path(__file__).resolve().parent / "files"  # made with LibreOffice 7.4 (soffice --convert-to)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def zip_bytes(entries: list[tuple[str, bytes | str]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            stored = stored_first and index == 0
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def content_types(*overrides: tuple[str, str]) -> str:
    parts = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{parts}</Types>"
    )


def docx_bytes(*extra: tuple[str, bytes | str]) -> bytes:
    """The smallest Word package: content types naming the main part, the relationships, the document."""
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types(("/word/document.xml", WORD_MAIN))),
            ("_rels/.rels", '<?xml version="1.0"?><Relationships/>'),
            ("word/document.xml", '<?xml version="1.0"?><w:document/>'),
            *extra,
        ]
    )


def odt_bytes(mimetype: str = "application/vnd.oasis.opendocument.text", *, stored_first: bool = True) -> bytes:
    return zip_bytes(
        [
            ("mimetype", mimetype),
            ("content.xml", '<?xml version="1.0"?><office:document-content/>'),
            ("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>'),
        ],
        stored_first=stored_first,
    )


def stored_files(root: Path) -> list[Path]:
    """Every file under ``root``; a folder that was never created holds none."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def score(assessment: Assessment, code: str) -> Score:
    return assessment.scores.select_related("node").get(node__code=code)


def upload(client: Client, assessment: Assessment, code: str, name: str, content: bytes):
    url = reverse("evidence:upload", args=[assessment.pk, score(assessment, code).pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def upload_raw(client: Client, assessment: Assessment, code: str, filename: str, content: bytes):
    """A multipart body written by hand, so the file name reaches the server exactly as a hostile client sends
    it (Django's test client would keep only its basename)."""
    boundary = "evidence-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = reverse("evidence:upload", args=[assessment.pk, score(assessment, code).pk])
    return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")


def file_evidence(assessment: Assessment, user, code: str = "1.1", name: str = "ke-hoach.pdf") -> Evidence:
    return evidence_upload(
        assessment=assessment, score=score(assessment, code), upload=SimpleUploadedFile(name, PDF), user=user
    )


def trigger(response) -> dict:
    return json.loads(response["HX-Trigger"])


# ---- uploads that are accepted -------------------------------------------------------------------------


def test_valid_pdf_is_stored_under_a_generated_name_with_its_hash(client, users, assessment, media):
    client.force_login(users["officer"])
    leaf = score(assessment, "1.1")
    response = upload(client, assessment, "1.1", "Kế hoạch CCHC 2026.pdf", PDF)
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.original_name, evidence.size) == (
        EvidenceKind.FILE,
        "Kế hoạch CCHC 2026.pdf",
        len(PDF),
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.content_type, evidence.uploaded_by) == ("application/pdf", users["officer"])
    assert list(evidence.scores.all()) == [leaf]
    stored = Path(evidence.file.name)
    assert re.fullmatch(r"[0-9a-f]{32}", stored.name)
    assert "Kế hoạch" not in evidence.file.name and not evidence.file.name.endswith(".pdf")
    assert stored_files(media) == [media / evidence.file.name]
    assert (media / evidence.file.name).read_bytes() == PDF
    assert trigger(response) == {"evidenceChanged": {"scoreId": leaf.pk}}
    assert "Đã tải lên «Kế hoạch CCHC 2026.pdf»." in response.text


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bang-diem.xlsx", xlsx_bytes([["Tiêu chí", "Điểm"], ["1.1", 1]]), "spreadsheetml.sheet"),
        ("bao-cao.docx", docx_bytes(), "wordprocessingml.document"),
        ("bao-cao.odt", odt_bytes(), "opendocument.text"),
        ("bang-diem.ods", odt_bytes("application/vnd.oasis.opendocument.spreadsheet"), "opendocument.spreadsheet"),
        ("bao-cao-lo.doc", (FILES / "bao-cao.doc").read_bytes(), "application/msword"),
        ("bang-diem-lo.xls", (FILES / "bang-diem.xls").read_bytes(), "application/vnd.ms-excel"),
        ("bao-cao-lo.docx", (FILES / "bao-cao.docx").read_bytes(), "wordprocessingml.document"),
        ("bao-cao-lo.odt", (FILES / "bao-cao.odt").read_bytes(), "opendocument.text"),
        ("bang-diem-lo.ods", (FILES / "bang-diem.ods").read_bytes(), "opendocument.spreadsheet"),
        ("anh-chup.png", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64, "image/png"),
        ("anh-chup.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
        ("anh-chup.JPEG", b"\xff\xd8\xff\xe1" + b"\x00" * 64, "image/jpeg"),
    ],
    ids=[
        "xlsx",
        "docx",
        "odt",
        "ods",
        "doc-libreoffice",
        "xls-libreoffice",
        "docx-libreoffice",
        "odt-libreoffice",
        "ods-libreoffice",
        "png",
        "jpg",
        "jpeg-upper",
    ],
)
def test_other_allowed_types_are_accepted(client, users, assessment, media, name, content, content_type):
    client.force_login(users["officer"])
    response = upload(client, assessment, "1.1", name, content)
    assert response.status_code == 200 and "HX-Trigger" in response
    evidence = Evidence.objects.get()
    assert evidence.original_name == name and evidence.content_type.endswith(content_type)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_files(media) == [media / evidence.file.name]


# ---- uploads that are refused: no row, no file, the reason in Vietnamese -------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "baocao.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            f"Nội dung tệp «baocao.pdf» không phải là PDF hợp lệ: {ONLY}",
        ),
        (
            "trang.html",
            b"<!DOCTYPE html><html><body>Xin chao</body></html>",
            f"Tệp «trang.html» không được chấp nhận: {ONLY}",
        ),
        (
            "trang.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            f"Nội dung tệp «trang.pdf» không phải là PDF hợp lệ: {ONLY}",
        ),
        (
            "hinh.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            f"Tệp «hinh.svg» không được chấp nhận: {ONLY}",
        ),
        (
            "hinh.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            f"Nội dung tệp «hinh.png» không phải là PNG hợp lệ: {ONLY}",
        ),
        (
            "baocao.docx",
            PDF,
            "Nội dung tệp «baocao.docx» là PDF, không khớp đuôi .docx; hãy lưu lại đúng định dạng.",
        ),
        (".hidden.pdf", PDF, f"Tên tệp «.hidden.pdf» {BAD_NAME}"),
        ("rong.pdf", b"", "Tệp «rong.pdf» rỗng."),
    ],
    ids=["renamed-exe", "html", "html-as-pdf", "svg", "svg-as-png", "pdf-as-docx", "dot-name", "empty"],
)
def test_refused_upload_leaves_nothing_behind(client, users, assessment, media, name, content, message):
    client.force_login(users["officer"])
    response = upload(client, assessment, "1.1", name, content)
    assert response.status_code == 200
    assert message in response.text
    assert "HX-Trigger" not in response
    assert not Evidence.objects.exists() and not EvidenceLink.objects.exists()
    assert stored_files(media) == []


def xlsx_package(*extra: tuple[str, bytes | str], main: str = EXCEL_MAIN) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types(("/xl/workbook.xml", main))),
            ("_rels/.rels", '<?xml version="1.0"?><Relationships/>'),
            ("xl/workbook.xml", '<?xml version="1.0"?><workbook/>'),
            *extra,
        ]
    )


def xls_without_workbook_record() -> bytes:
    """LibreOffice's xls with the BOF record that opens its Workbook stream overwritten: the stream is still
    called Workbook, but it is not a workbook."""
    data = bytearray((FILES / "bang-diem.xls").read_bytes())
    at = data.index(b"\x09\x08\x10\x00\x00\x06")
    data[at : at + 2] = b"\x00\x00"
    return bytes(data)


MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
OLE2_WITH_BOOK = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8 + "Book".encode("utf-16-le") + b"\x00" * 512
)
UNSAFE = (
    "nên không được chấp nhận; hãy lưu lại tài liệu không kèm nội dung đó (ví dụ lưu thành {kind} thường) rồi tải lên."
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bang.xls", OLE2_WITH_BOOK, f"Nội dung tệp «bang.xls» không phải là XLS hợp lệ: {ONLY}"),
        ("bang.xls", xls_without_workbook_record(), f"Nội dung tệp «bang.xls» không phải là XLS hợp lệ: {ONLY}"),
        (
            "bang.xls",
            (FILES / "bao-cao.doc").read_bytes(),
            "Nội dung tệp «bang.xls» là DOC, không khớp đuôi .xls; hãy lưu lại đúng định dạng.",
        ),
        (
            "bang.xlsx",
            xlsx_package(("setup.exe", MZ)),
            "Tệp «bang.xlsx» chứa tệp chương trình «setup.exe» " + UNSAFE.format(kind="XLSX"),
        ),
        (
            "bang.xlsx",
            xlsx_package(("xl/media/image1.png", MZ)),
            "Tệp «bang.xlsx» chứa tệp chương trình «xl/media/image1.png» " + UNSAFE.format(kind="XLSX"),
        ),
        (
            "bao-cao.docx",
            docx_bytes(("word/vbaProject.bin", b"\x00" * 64)),
            "Tệp «bao-cao.docx» chứa macro (VBA, Basic hoặc script) " + UNSAFE.format(kind="DOCX"),
        ),
        (
            "bao-cao.docx",
            zip_bytes([("word/document.xml", "<w:document/>"), ("[trash]/0001.dat", "x")]),
            f"Nội dung tệp «bao-cao.docx» không phải là DOCX hợp lệ: {ONLY}",
        ),
        (
            "bang.xlsx",
            xlsx_package(main="application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
            f"Nội dung tệp «bang.xlsx» không phải là XLSX hợp lệ: {ONLY}",
        ),
        (
            "bao-cao.docx",
            zip_bytes([("[Content_Types].xml", content_types(("/word/document.xml", WORD_MAIN)))]),
            f"Nội dung tệp «bao-cao.docx» không phải là DOCX hợp lệ: {ONLY}",
        ),
        (
            "bao-cao.docx",
            zip_bytes(
                [
                    ("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x "y">]><Types/>'),
                    ("word/document.xml", "<w:document/>"),
                ]
            ),
            f"Nội dung tệp «bao-cao.docx» không phải là DOCX hợp lệ: {ONLY}",
        ),
        ("bao-cao.odt", odt_bytes(stored_first=False), f"Nội dung tệp «bao-cao.odt» không phải là ODT hợp lệ: {ONLY}"),
        (
            "bao-cao.odt",
            zip_bytes([("content.xml", "<x/>"), ("mimetype", "application/vnd.oasis.opendocument.text")]),
            f"Nội dung tệp «bao-cao.odt» không phải là ODT hợp lệ: {ONLY}",
        ),
        (
            "bao-cao.odt",
            zip_bytes(
                [
                    ("mimetype", "application/vnd.oasis.opendocument.text"),
                    ("content.xml", "<x/>"),
                    ("META-INF/manifest.xml", "<m/>"),
                    ("Basic/Standard/Module1.xml", "<script/>"),
                ],
                stored_first=True,
            ),
            "Tệp «bao-cao.odt» chứa macro (VBA, Basic hoặc script) " + UNSAFE.format(kind="ODT"),
        ),
        (
            "bao-cao.docx",
            b"PK\x03\x04" + b"\x00" * 200,
            f"Nội dung tệp «bao-cao.docx» không phải là DOCX hợp lệ: {ONLY}",
        ),
    ],
    ids=[
        "ole2-with-book-in-random-bytes",
        "xls-workbook-stream-without-bof",
        "doc-renamed-xls",
        "xlsx-with-exe",
        "xlsx-with-program-as-image",
        "docx-with-macros",
        "zip-renamed-docx",
        "xlsm-renamed-xlsx",
        "main-part-missing",
        "content-types-with-entities",
        "odt-mimetype-compressed",
        "odt-mimetype-not-first",
        "odt-with-basic-macros",
        "broken-zip",
    ],
)
def test_disguised_office_files_are_refused_and_leave_nothing(client, users, assessment, media, name, content, message):
    client.force_login(users["officer"])
    response = upload(client, assessment, "1.1", name, content)
    assert response.status_code == 200
    assert message in response.text
    assert "HX-Trigger" not in response
    assert not Evidence.objects.exists() and not EvidenceLink.objects.exists()
    assert stored_files(media) == []


def ole10native(label: str, data: bytes) -> bytes:
    body = (
        b"\x02\x00"
        + label.encode()
        + b"\x00"
        + f"C:\\Users\\a\\{label}".encode()
        + b"\x00"
        + b"\x00\x00\x03\x00\x00\x00\x00\x00"
        + f"C:\\Temp\\{label}".encode()
        + b"\x00"
        + len(data).to_bytes(4, "little")
        + data
    )
    return len(body).to_bytes(4, "little") + body


def test_an_embedded_package_holding_a_program_is_refused():
    from evidence.validation import Unsafe, _check_packaged_file

    _check_packaged_file(ole10native("ke-hoach.pdf", PDF))  # a packaged PDF is fine
    with pytest.raises(Unsafe):
        _check_packaged_file(ole10native("ke-hoach.pdf", MZ))  # a program under a document's name
    with pytest.raises(Unsafe):
        _check_packaged_file(ole10native("cai-dat.exe", b"hello"))
    with pytest.raises(Unsafe):
        _check_packaged_file(b"\x10\x00\x00\x00\x02\x00no-terminator")


def test_oversized_upload_is_refused(client, users, assessment, media, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    client.force_login(users["officer"])
    content = PDF + b"%" * (2048 - len(PDF))
    assert len(content) == 2048
    response = upload(client, assessment, "1.1", "lon.pdf", content)
    assert response.status_code == 200
    assert "Tệp «lon.pdf» lớn hơn giới hạn 1 KB; hãy nén hoặc tách tệp." in response.text
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_missing_file_is_refused(client, users, assessment, media):
    client.force_login(users["officer"])
    url = reverse("evidence:upload", args=[assessment.pk, score(assessment, "1.1").pk])
    response = client.post(url, {})
    assert response.status_code == 200 and "Hãy chọn một tệp để tải lên." in response.text
    assert not Evidence.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("..\\x.pdf", "x.pdf"), ("a/b.pdf", "b.pdf")],
)
def test_path_like_names_are_reduced_to_a_safe_name_before_they_reach_the_app(
    client, users, assessment, media, tmp_path, sent, kept
):
    """Django's multipart parser keeps only the last part of a name, so the file is accepted under that name
    and nothing is written outside MEDIA_ROOT."""
    client.force_login(users["officer"])
    response = upload_raw(client, assessment, "1.1", sent, PDF)
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert evidence.original_name == kept
    assert not any(part in evidence.original_name for part in ("/", "\\", ".."))
    assert stored_files(media) == [media / evidence.file.name]
    assert Path(evidence.file.path).resolve().is_relative_to(media.resolve())
    assert [p for p in stored_files(tmp_path) if not p.is_relative_to(media)] == []


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\x.pdf", "a/b.pdf", ".hidden.pdf", "a\x00b.pdf"])
def test_check_upload_refuses_path_like_names(name):
    # A ContentFile keeps its name as given (an UploadedFile would already cut it down to its basename).
    with pytest.raises(ValidationError) as refused:
        check_upload(ContentFile(PDF, name=name))
    assert refused.value.messages == [f"Tên tệp «{name}» {BAD_NAME}"]


def test_check_upload_refuses_an_empty_file():
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("rong.pdf", b""))
    assert refused.value.messages == ["Tệp «rong.pdf» rỗng."]


# ---- references to documents ---------------------------------------------------------------------------


def test_document_reference_is_saved(client, users, assessment, media):
    client.force_login(users["officer"])
    leaf = score(assessment, "1.1")
    response = client.post(reverse("evidence:document", args=[assessment.pk, leaf.pk]), DOCUMENT)
    assert response.status_code == 200
    assert trigger(response) == {"evidenceChanged": {"scoreId": leaf.pk}}
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.doc_number, evidence.doc_date, evidence.doc_issuer, evidence.doc_summary) == (
        EvidenceKind.DOCUMENT,
        "15/KH-UBND",
        datetime.date(2026, 1, 20),
        "Ủy ban nhân dân tỉnh",
        "Kế hoạch cải cách hành chính năm 2026",
    )
    assert not evidence.file and list(evidence.scores.all()) == [leaf]
    assert "Đã thêm văn bản kiểm chứng." in response.text and "Số 15/KH-UBND ngày 20/01/2026" in response.text
    assert stored_files(media) == []


def test_document_reference_without_number_or_summary_is_refused(client, users, assessment):
    client.force_login(users["officer"])
    leaf = score(assessment, "1.1")
    data = {"doc_date": "20/01/2026", "doc_issuer": "Ủy ban nhân dân tỉnh", "doc_number": " ", "doc_summary": ""}
    response = client.post(reverse("evidence:document", args=[assessment.pk, leaf.pk]), data)
    assert response.status_code == 200
    assert NO_DOCUMENT in response.text and "HX-Trigger" not in response
    assert not Evidence.objects.exists()


def test_document_service_refuses_without_number_or_summary(users, assessment):
    with pytest.raises(ValidationError) as refused:
        evidence_add_document(
            assessment=assessment, score=score(assessment, "1.1"), user=users["officer"], doc_issuer="UBND tỉnh"
        )
    assert refused.value.messages == [NO_DOCUMENT]
    assert not Evidence.objects.exists()


# ---- one file, several leaves --------------------------------------------------------------------------


def test_one_file_serves_two_leaves_and_goes_with_its_last_link(
    client, users, assessment, media, django_capture_on_commit_callbacks
):
    client.force_login(users["officer"])
    first, second = score(assessment, "1.1"), score(assessment, "1.2")
    assert upload(client, assessment, "1.1", "ke-hoach.pdf", PDF).status_code == 200
    evidence = Evidence.objects.get()
    on_disk = media / evidence.file.name

    response = client.post(reverse("evidence:link", args=[assessment.pk, second.pk]), {"evidence": evidence.pk})
    assert response.status_code == 200 and trigger(response) == {"evidenceChanged": {"scoreId": second.pk}}
    assert set(evidence.scores.all()) == {first, second}
    assert stored_files(media) == [on_disk]

    response = client.post(reverse("evidence:unlink", args=[assessment.pk, first.pk, evidence.pk]), CONFIRM)
    assert response.status_code == 200
    assert list(Evidence.objects.get(pk=evidence.pk).scores.all()) == [second]
    assert stored_files(media) == [on_disk]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("evidence:unlink", args=[assessment.pk, second.pk, evidence.pk]), CONFIRM)
        assert response.status_code == 200
        assert not Evidence.objects.filter(pk=evidence.pk).exists()
        assert on_disk.exists()  # removed only once the deletion is committed
    assert len(callbacks) == 1
    assert not on_disk.exists() and stored_files(media) == []


def test_evidence_of_another_assessment_cannot_be_linked(client, users, assessment, other_agency):
    theirs = Assessment.objects.get(agency=other_agency)
    foreign = file_evidence(theirs, users["other_officer"])
    client.force_login(users["officer"])
    leaf = score(assessment, "1.1")
    response = client.post(reverse("evidence:link", args=[assessment.pk, leaf.pk]), {"evidence": foreign.pk})
    assert response.status_code == 404
    assert not leaf.evidence_links.exists()
    assert list(EvidenceLink.objects.filter(evidence=foreign).values_list("score__assessment", flat=True)) == [
        theirs.pk
    ]


# ---- download ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ke-hoach-2026.pdf", "Kế hoạch CCHC năm 2026.pdf"])
def test_download_is_an_attachment_with_the_original_name_and_exact_bytes(client, users, assessment, name):
    evidence = file_evidence(assessment, users["officer"], name=name)
    client.force_login(users["officer"])
    response = client.get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert name in disposition or quote(name) in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_inline_shows_a_pdf_in_our_own_frame_only(client, users, assessment):
    evidence = file_evidence(assessment, users["officer"])
    word = file_evidence(assessment, users["officer"], name="bao-cao.pdf")
    # A type the browser would not show by itself (or might run) is only downloaded.
    Evidence.objects.filter(pk=word.pk).update(content_type="application/msword")
    client.force_login(users["officer"])
    assert client.get(reverse("evidence:inline", args=[word.pk])).status_code == 404
    response = client.get(reverse("evidence:inline", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_document_reference_has_nothing_to_download(client, users, assessment):
    evidence = evidence_add_document(
        assessment=assessment, score=score(assessment, "1.1"), user=users["officer"], doc_number="15/KH-UBND"
    )
    client.force_login(users["officer"])
    assert client.get(reverse("evidence:download", args=[evidence.pk])).status_code == 404


# ---- who may do what -----------------------------------------------------------------------------------


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


READS = ["panel", "download", "inline"]
WRITES = ["upload", "document", "link", "unlink"]
DRAFT = {
    # its agency, the administrator and leadership (who read any sheet; a reviewer only submitted ones)
    **dict.fromkeys(READS, row(200, 404, 200, 200, 200, 404, 404)),
    **dict.fromkeys(WRITES, row(403, 404, 403, 200, 200, 404, 404)),  # its agency only
}
SUBMITTED = {
    **dict.fromkeys(READS, row(200, 200, 200, 200, 200, 404, 404)),  # province-wide readers too
    **dict.fromkeys(WRITES, row(403, 403, 403, 403, 403, 404, 404)),  # read-only for everyone
}


def request(client: Client, name: str, assessment: Assessment, evidence: Evidence):
    """One call of each evidence URL against ``evidence`` (linked to leaf 1.1) with data that would succeed."""
    first, second = score(assessment, "1.1"), score(assessment, "1.2")
    if name in ("download", "inline"):
        return client.get(reverse(f"evidence:{name}", args=[evidence.pk]))
    if name == "panel":
        return client.get(reverse("evidence:panel", args=[assessment.pk, first.pk]))
    if name == "upload":
        return upload(client, assessment, "1.1", "bo-sung.pdf", PDF)
    if name == "document":
        return client.post(reverse("evidence:document", args=[assessment.pk, first.pk]), DOCUMENT)
    if name == "link":
        return client.post(reverse("evidence:link", args=[assessment.pk, second.pk]), {"evidence": evidence.pk})
    return client.post(reverse(f"evidence:{name}", args=[assessment.pk, first.pk, evidence.pk]), CONFIRM)


def snapshot(media: Path) -> tuple:
    return (
        list(Evidence.objects.values_list("pk", flat=True)),
        list(EvidenceLink.objects.values_list("pk", flat=True)),
        stored_files(media),
    )


@pytest.mark.parametrize("name", READS + WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_draft(client, users, assessment, media, name, role):
    evidence = file_evidence(assessment, users["officer"])
    before = snapshot(media)
    client.force_login(users[role])
    response = request(client, name, assessment, evidence)
    assert response.status_code == DRAFT[name][role]
    if response.status_code != 200 or name in READS:
        assert snapshot(media) == before
    else:
        assert snapshot(media) != before  # an allowed write really wrote


@pytest.mark.parametrize("name", READS + WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_submitted_assessment(client, users, assessment, media, name, role):
    evidence = file_evidence(assessment, users["officer"])
    Assessment.objects.filter(pk=assessment.pk).update(state="submitted")
    before = snapshot(media)
    client.force_login(users[role])
    response = request(client, name, assessment, evidence)
    assert response.status_code == SUBMITTED[name][role]
    # Nothing changes on a submitted assessment; its evidence cannot be unlinked or deleted.
    assert snapshot(media) == before
    assert Evidence.objects.filter(pk=evidence.pk).exists() and (media / evidence.file.name).read_bytes() == PDF


@pytest.mark.parametrize("name", READS + WRITES)
def test_anonymous_is_sent_to_login(client, users, assessment, media, name):
    evidence = file_evidence(assessment, users["officer"])
    before = snapshot(media)
    response = request(client, name, assessment, evidence)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert snapshot(media) == before


@pytest.mark.parametrize("chosen", ["abc", "", "-1", "1.5"])
def test_link_with_an_unreadable_evidence_id_is_not_found(client, users, assessment, chosen):
    client.force_login(users["officer"])
    url = reverse("evidence:link", args=[assessment.pk, score(assessment, "1.2").pk])
    assert client.post(url, {"evidence": chosen}).status_code == 404
    assert not EvidenceLink.objects.exists()


def test_download_of_a_file_missing_on_disk_is_not_found(client, users, assessment, media):
    evidence = file_evidence(assessment, users["officer"])
    (media / evidence.file.name).unlink()
    client.force_login(users["officer"])
    response = client.get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("limit", "text"), [(20 * 1024 * 1024, "20 MB"), (1536 * 1024, "1,5 MB"), (1536, "1,5 KB"), (1024, "1 KB")]
)
def test_size_limit_is_written_the_vietnamese_way(settings, limit, text):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = limit
    with pytest.raises(ValidationError) as refused:
        check_upload(ContentFile(PDF + b"%" * limit, name="lon.pdf"))
    assert refused.value.messages == [f"Tệp «lon.pdf» lớn hơn giới hạn {text}; hãy nén hoặc tách tệp."]
