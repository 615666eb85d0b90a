"""Hostile workbooks (bombs, lying zips, huge cells, broken XML, entities, too many rows) are refused
with a clear message by both imports, through the page and the command, and nothing is saved."""

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from assessments.models import NOTE_MAX_LENGTH, Score
from assessments.scoring import ScoreInputError
from assessments.services import ScoreEdit, score_save
from benchmarks.workbooks import (
    SHARED_STRINGS,
    SHEET,
    WORKBOOK,
    base_workbook,
    long_title,
    lying_sizes,
    part,
    replace_parts,
    shared_strings_bomb,
)
from criteria.excel import MAX_NODES, import_index_set
from criteria.models import IndexSet, Node
from criteria.tree import TreeInvalid
from organisations.models import Agency, RoleAssignment
from organisations.people_excel import MAX_AGENCY_ROWS, MAX_PASSWORDS, MAX_USER_ROWS, import_people
from parindex.xlsx import ImportInvalid

from .factories import assessment_of, make_index_set, open_period

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def saved_state() -> tuple[object, ...]:
    return (
        IndexSet.objects.count(),
        Node.objects.count(),
        Agency.objects.count(),
        sorted(User.objects.values_list("username", flat=True)),
        RoleAssignment.objects.count(),
    )


def refusal(data: bytes) -> str:
    """The criteria import's refusal, as one text; asserts nothing was saved."""
    before = saved_state()
    with pytest.raises(TreeInvalid) as exc:
        import_index_set(data)
    assert saved_state() == before
    return str(exc.value)


def people_refusal(data: bytes) -> str:
    before = saved_state()
    with pytest.raises(ImportInvalid) as exc:
        import_people(data)
    assert saved_state() == before
    return str(exc.value)


def with_sheet(xml: str) -> bytes:
    return replace_parts(base_workbook(), {SHEET: xml.encode()})


# ---- decompression bombs and long cells ----------------------------------------------------------------


def test_shared_strings_bomb_is_refused_from_its_declared_size():
    data = shared_strings_bomb(100 * MIB)
    assert len(data) < 200_000
    message = refusal(data)
    assert "«xl/sharedStrings.xml» của tệp giải nén ra 100,0 MB, lớn hơn mức cho phép 32,0 MB" in message
    assert "xl/sharedStrings.xml" in people_refusal(data)


def test_a_part_larger_than_it_declares_is_refused():
    data = lying_sizes(long_title(100 * MIB), SHEET, 10_000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET).file_size == 10_000
    message = refusal(data)
    assert "«xl/worksheets/sheet1.xml» của tệp không khớp với kích thước hoặc mã kiểm tra (CRC) khai báo" in message


def test_a_lying_size_under_the_cap_is_stopped_by_the_cell_length_while_streaming():
    data = lying_sizes(shared_strings_bomb(100 * MIB), SHARED_STRINGS, MIB)
    assert "có một ô dài hơn 32.767 ký tự (giới hạn của Excel)" in refusal(data)


def test_a_ten_megabyte_cell_is_refused_before_parsing():
    data = long_title(10 * MIB, varied=True)  # text that hardly compresses: no ratio alarm, under the caps
    assert "«xl/worksheets/sheet1.xml» của tệp có một ô dài hơn 32.767 ký tự" in refusal(data)
    assert "32.767 ký tự" in people_refusal(data)


def test_a_too_compressed_part_is_refused_by_its_ratio():
    data = long_title(20 * MIB)  # under the part cap, but compressed about 1 000 times
    assert "nén quá 100 lần" in refusal(data)


def test_a_cell_longer_than_its_field_is_refused_in_its_row_and_column():
    message = refusal(base_workbook("x" * 2_001))
    assert "Dòng 2, cột «Nội dung»: Nội dung dài 2.001 ký tự; tối đa 2.000 ký tự." in message


def test_the_database_holds_the_lengths_too(agency, users):
    index_set = make_index_set()
    node = index_set.nodes.filter(is_leaf=True).first()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Node.objects.filter(pk=node.pk).update(title="x" * 2_001)
    node.title = "x" * 2_001
    with pytest.raises(ValidationError):
        node.full_clean()
    assert Node._meta.get_field("guidance").formfield().widget.attrs["maxlength"] == "10000"
    score = assessment_of(open_period(agency), agency).scores.filter(node__is_survey=False).first()
    with pytest.raises(ScoreInputError) as exc:
        score_save(
            score=score,
            edit=ScoreEdit(value=score_value(), note="x" * (NOTE_MAX_LENGTH + 1)),
            version=score.version,
            user=users["officer"],
        )
    assert exc.value.field == "note"
    with transaction.atomic(), pytest.raises(IntegrityError):
        Score.objects.filter(pk=score.pk).update(note="x" * (NOTE_MAX_LENGTH + 1))


def test_evidence_summaries_and_transition_notes_are_bounded_too(agency, users):
    from assessments.models import REASON_MAX_LENGTH, Evidence, Transition
    from evidence.forms import DocumentForm

    form = DocumentForm(data={"doc_summary": "x" * (REASON_MAX_LENGTH + 1)})
    assert not form.is_valid() and "doc_summary" in form.errors
    assessment = assessment_of(open_period(agency), agency)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Evidence.objects.create(
            assessment=assessment, kind="document", doc_number="1/QĐ", doc_summary="x" * (REASON_MAX_LENGTH + 1)
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Transition.objects.create(
            assessment=assessment,
            action="mark_ready",
            from_state="draft",
            to_state="draft",
            by=users["officer"],
            at=timezone.now(),
            note="x" * (REASON_MAX_LENGTH + 1),
        )
    assert not Evidence.objects.exists() and not Transition.objects.exists()


def score_value():
    from assessments.scoring import LeafInput

    return LeafInput()


# ---- malformed XML, entities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (SHEET, b"<worksheet><sheetData><row><c>"),
        (SHEET, b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&nbsp;</worksheet>'),
        (WORKBOOK, b"<workbook><sheets></workbook>"),
        (SHARED_STRINGS, b"<sst><si><t>a</si>"),
    ],
    ids=["sheet", "undefined-entity", "workbook", "shared-strings"],
)
def test_broken_xml_is_a_clear_refusal(name, content):
    data = replace_parts(base_workbook(), {name: content})
    message = refusal(data)
    assert f"Phần «{name}» của tệp không phải XML hợp lệ" in message
    assert "hãy mở bằng Excel và lưu lại" in message
    assert name in people_refusal(data)


def external_entity_workbook(target: Path) -> bytes:
    sheet = part(base_workbook(), SHEET).decode()
    doctype = f'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file://{target}">]>'
    sheet = sheet.replace("<worksheet", doctype + "<worksheet", 1).replace("Chỉ đạo điều hành", "&secret;")
    return replace_parts(base_workbook(), {SHEET: sheet.encode()})


def test_external_entities_are_never_resolved(tmp_path, client, users):
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a")
    data = external_entity_workbook(secret)
    assert "khai báo DTD hoặc thực thể" in refusal(data)
    client.force_login(users["admin"])
    for url in (reverse("criteria:import"), reverse("people:import")):
        response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", data)})
        assert response.status_code == 400
        assert "khai báo DTD hoặc thực thể" in response.content.decode()
        assert "MARKER-7f3a" not in response.content.decode()
    assert not Node.objects.filter(title__contains="MARKER").exists()


def test_hostile_files_through_the_pages_and_the_command(tmp_path, client, users):
    files = {
        "bomb": (shared_strings_bomb(100 * MIB), "lớn hơn mức cho phép 32,0 MB"),
        "broken": (with_sheet("<worksheet><sheetData>"), "không phải XML hợp lệ"),
        "entity": (external_entity_workbook(tmp_path / "none"), "khai báo DTD hoặc thực thể"),
    }
    client.force_login(users["admin"])
    before = saved_state()
    for name, (data, expected) in files.items():
        for url in (reverse("criteria:import"), reverse("people:import")):
            response = client.post(url, {"file": SimpleUploadedFile(f"{name}.xlsx", data)})
            assert response.status_code == 400, (name, url)
            assert expected in response.content.decode(), (name, url)
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        err = io.StringIO()
        with pytest.raises(CommandError, match="không lưu gì"):
            call_command("import_indexset", str(path), stderr=err)
        assert expected in err.getvalue()
    assert saved_state() == before


def test_the_command_refuses_a_file_over_the_upload_limit(tmp_path, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.xlsx"
    path.write_bytes(base_workbook())
    with pytest.raises(CommandError, match="lớn hơn"):
        call_command("import_indexset", str(path))


def test_a_lying_dimension_does_not_widen_the_rows():
    sheet = part(base_workbook(), SHEET).replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>')
    data = replace_parts(base_workbook(), {SHEET: sheet})
    assert import_index_set(data).nodes.count() == 1


# ---- row limits ----------------------------------------------------------------------------------------


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_set_with_more_nodes_than_the_limit_is_refused():
    rows = [["Mã", "Nội dung", "Điểm tối đa"]] + [[str(i), f"Mục {i}", 1] for i in range(1, MAX_NODES + 2)]
    message = refusal(workbook_bytes({"Bộ chỉ số": rows}))
    assert f"Dòng {MAX_NODES + 2}: Tệp có hơn 5.000 dòng dữ liệu; mỗi lần nhập tối đa 5.000 dòng." in message


@pytest.mark.parametrize("sheet", ["Cơ quan", "Người dùng"])
def test_people_files_over_the_row_limits_are_refused(sheet):
    if sheet == "Cơ quan":
        rows = [["Tên cơ quan, đơn vị", "Loại"]] + [[f"Sở {i}", "Sở, ban, ngành cấp tỉnh"] for i in range(2_001)]
        limit = MAX_AGENCY_ROWS
    else:
        rows = [["Tên đăng nhập", "Họ và tên", "Vai trò", "Mật khẩu ban đầu"]] + [
            [f"u{i}", "Trần Văn A", "Lãnh đạo tỉnh", "Cchc@2026-chung"] for i in range(2_001)
        ]
        limit = MAX_USER_ROWS
    assert limit == 2_000
    message = people_refusal(workbook_bytes({sheet: rows}))
    assert f"Trang «{sheet}», dòng 2002: Tệp có hơn 2.000 dòng dữ liệu; mỗi lần nhập tối đa 2.000 dòng." in message


def test_more_distinct_passwords_than_the_limit_are_refused():
    rows = [["Tên đăng nhập", "Họ và tên", "Vai trò", "Mật khẩu ban đầu"]] + [
        [f"u{i}", "Trần Văn A", "Lãnh đạo tỉnh", f"Cchc@2026-{i}"] for i in range(MAX_PASSWORDS + 1)
    ]
    message = people_refusal(workbook_bytes({"Người dùng": rows}))
    assert f"Tệp đặt {MAX_PASSWORDS + 1} mật khẩu ban đầu khác nhau; mỗi lần nhập tối đa {MAX_PASSWORDS} " in message


def test_a_shared_initial_password_is_hashed_once(settings, monkeypatch):
    from organisations import people_excel

    calls = []
    real = people_excel.make_password
    monkeypatch.setattr(people_excel, "make_password", lambda p: calls.append(p) or real(p))
    rows = [["Tên đăng nhập", "Họ và tên", "Vai trò", "Mật khẩu ban đầu"]] + [
        [f"u{i}", "Trần Văn A", "Lãnh đạo tỉnh", "Cchc@2026-chung"] for i in range(50)
    ]
    assert import_people(workbook_bytes({"Người dùng": rows})).users_created == 50
    assert calls == ["Cchc@2026-chung"]
    assert all(u.check_password("Cchc@2026-chung") for u in User.objects.filter(username__in=["u0", "u49"]))
