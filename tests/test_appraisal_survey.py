"""Survey points: the one service (range, reasons, history, state), the Excel template and its all-or-nothing
import, the pages, and who may reach them (only Sở Nội vụ's administrators)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from appraisal.models import SurveyChange, SurveyScore, SurveySource
from appraisal.survey_excel import SHEET, build_template, import_survey
from appraisal.surveys import StaleSurvey, survey_parts, survey_set, survey_tables
from assessments.models import Assessment, PeriodState
from assessments.workflow import WorkflowError
from benchmarks.workbooks import shared_strings_bomb
from criteria.models import Node
from criteria.services import index_set_create
from criteria.tree import NodeRow
from organisations.models import Agency, AgencyKind, Role
from parindex.xlsx import ImportInvalid

from .factories import (
    appraisal_period,
    assessment_of,
    compact_rows,
    make_agency,
    make_user,
    xlsx_bytes,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def period(users, agency, other_agency):
    Agency.objects.filter(pk=agency.pk).update(short_name="SKHCN")
    Agency.objects.filter(pk=other_agency.pk).update(short_name="STP")
    return appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])


def part_of(period) -> Node:
    (part,) = survey_parts(period.assessments.first().index_set_id)
    return part


def stored(period) -> dict[str, Decimal]:
    return {
        s.assessment.agency.name: s.points
        for s in SurveyScore.objects.filter(assessment__period=period).select_related("assessment__agency")
    }


def history() -> list[tuple]:
    return list(SurveyChange.objects.order_by("pk").values_list("old_points", "new_points", "source", "reason"))


HEADER = ["Tên cơ quan, đơn vị", "Tên viết tắt", "3.1 Chỉ số hài lòng SIPAS (tối đa 2)"]


# ---- survey parts and the service --------------------------------------------------------------------------


def test_survey_parts_are_the_survey_domains_children_or_the_domain_itself(period):
    part = part_of(period)
    assert (part.code, part.max_points) == ("3.1", D(2))
    rows = [*compact_rows()[:-1]]  # the survey domain «3» without its child
    rows[-1] = NodeRow(code="3", title="Điều tra xã hội học", max_points=D(2), method="manual", is_survey=True)
    flat = index_set_create(name="Bộ không chia phần", agency_kind=AgencyKind.COMMUNE, year_from=2026, rows=rows)
    assert [n.code for n in survey_parts(flat.pk)] == ["3"]


def test_set_records_the_value_and_its_history(period, users, agency):
    assessment = assessment_of(period, agency)
    part = part_of(period)
    row = survey_set(assessment=assessment, node=part, points=D("1.5"), user=users["admin"])
    assert row is not None and (row.points, row.version, row.max_points) == (D("1.5"), 1, D(2))
    assert history() == [(None, D("1.5"), SurveySource.MANUAL, "")]
    # Unchanged: nothing recorded.
    assert survey_set(assessment=assessment, node=part, points=D("1.50"), user=users["admin"]) is None
    assert len(history()) == 1


def test_a_change_needs_a_reason_and_the_current_version(period, users, agency):
    assessment = assessment_of(period, agency)
    part = part_of(period)
    survey_set(assessment=assessment, node=part, points=D(1), user=users["admin"])
    with pytest.raises(ValidationError, match="ghi lý do"):
        survey_set(assessment=assessment, node=part, points=D(2), user=users["admin"])
    with pytest.raises(StaleSurvey):
        survey_set(assessment=assessment, node=part, points=D(2), user=users["admin"], reason="Sửa", version=7)
    survey_set(assessment=assessment, node=part, points=D(2), user=users["admin"], reason="Sai số liệu", version=1)
    assert stored(period) == {agency.name: D(2)}
    assert history()[-1] == (D(1), D(2), SurveySource.MANUAL, "Sai số liệu")


@pytest.mark.parametrize("points", [D("2.25"), D(-1), D("0.125")])
def test_points_outside_the_part_are_refused(period, users, agency, points):
    with pytest.raises(ValidationError) as exc:
        survey_set(assessment=assessment_of(period, agency), node=part_of(period), points=points, user=users["admin"])
    if points > 2:
        assert "tối đa là 2" in " ".join(exc.value.messages)
    assert not SurveyScore.objects.exists() and not SurveyChange.objects.exists()


def test_a_node_that_is_not_a_survey_part_is_refused(period, users, agency):
    leaf = Node.objects.get(index_set=part_of(period).index_set, code="1.1")
    with pytest.raises(ValidationError):
        survey_set(assessment=assessment_of(period, agency), node=leaf, points=D(1), user=users["admin"])
    assert not SurveyScore.objects.exists()


@pytest.mark.parametrize("state", [PeriodState.FINALISED, PeriodState.PUBLISHED, PeriodState.OPEN])
def test_no_write_outside_appraisal(period, users, agency, state):
    assessment = assessment_of(period, agency)
    survey_set(assessment=assessment, node=part_of(period), points=D(1), user=users["admin"])
    period.state = state
    period.save()
    with pytest.raises(WorkflowError):
        survey_set(assessment=assessment, node=part_of(period), points=D(2), user=users["admin"], reason="x")
    data = xlsx_bytes([HEADER, [agency.name, "", 2]], sheet_title=SHEET)
    with pytest.raises(ImportInvalid, match=r"chốt|chưa vào"):
        import_survey(period=period, data=data, user=users["admin"])
    assert stored(period) == {agency.name: D(1)} and len(history()) == 1


# ---- Excel ---------------------------------------------------------------------------------------------------


def read_template(period) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(build_template(period)))
    return list(workbook[SHEET].iter_rows(values_only=True))


def test_the_template_lists_every_participant_with_one_column_per_part(period, users, agency, other_agency):
    survey_set(assessment=assessment_of(period, agency), node=part_of(period), points=D("1.25"), user=users["admin"])
    rows = read_template(period)
    assert list(rows[0]) == HEADER
    assert sorted(rows[1:]) == sorted([(agency.name, "SKHCN", 1.25), (other_agency.name, "STP", None)])


def test_the_template_imports_back_unchanged_without_recording_anything(period, users, agency):
    survey_set(assessment=assessment_of(period, agency), node=part_of(period), points=D("1.25"), user=users["admin"])
    result = import_survey(period=period, data=build_template(period), user=users["admin"])
    assert (result.changed, result.unchanged) == (0, 1)
    assert len(history()) == 1


def test_import_matches_name_or_short_name_and_records_changes_as_import(period, users, agency, other_agency):
    survey_set(assessment=assessment_of(period, agency), node=part_of(period), points=D(1), user=users["admin"])
    data = xlsx_bytes(
        [["Điểm điều tra năm 2026"], HEADER, ["  sở KHOA học  và công nghệ ", "", "1,75"], ["", "stp", 2]],
        sheet_title=SHEET,
    )
    result = import_survey(period=period, data=data, user=users["admin"])
    assert (result.changed, result.unchanged) == (2, 0)
    assert stored(period) == {agency.name: D("1.75"), other_agency.name: D(2)}
    assert history()[1:] == [
        (D(1), D("1.75"), SurveySource.IMPORT, ""),
        (None, D(2), SurveySource.IMPORT, ""),
    ]


def test_import_is_all_or_nothing_with_an_error_per_row(period, users, agency, other_agency):
    make_agency("Sở Xây dựng")  # exists, but does not take part in the period
    data = xlsx_bytes(
        [
            HEADER,
            [agency.name, "", 1],  # row 2: fine on its own
            ["Sở Xây dựng", "", 1],  # row 3: not a participant
            ["", "SKHCN", 1],  # row 4: the agency of row 2 again
            [other_agency.name, "", "nhiều"],  # row 5: not a number
            ["STP", "", 2.5],  # row 6: the agency of row 5 again
            ["Không có", "", -1],  # row 7
        ],
        sheet_title=SHEET,
    )
    with pytest.raises(ImportInvalid) as exc:
        import_survey(period=period, data=data, user=users["admin"])
    messages = [str(e) for e in exc.value.errors]
    assert messages[0] == "Dòng 3, cột «Tên cơ quan, đơn vị»: «Sở Xây dựng» không phải là đơn vị tham gia kỳ này."
    assert "Dòng 4" in messages[1] and "đã có ở dòng 2" in messages[1]
    assert "Dòng 5" in messages[2] and "«nhiều» không phải là số" in messages[2]
    assert "Dòng 6" in messages[3] and "đã có ở dòng 5" in messages[3]
    assert "Dòng 7" in messages[4]
    assert not SurveyScore.objects.exists() and not SurveyChange.objects.exists()


def test_above_the_max_and_negative_are_refused_in_their_row(period, users, agency, other_agency):
    data = xlsx_bytes([HEADER, [agency.name, "", 2.5], [other_agency.name, "", -0.5]], sheet_title=SHEET)
    with pytest.raises(ImportInvalid) as exc:
        import_survey(period=period, data=data, user=users["admin"])
    assert [str(e) for e in exc.value.errors] == [
        "Dòng 2, cột «3.1 Chỉ số hài lòng SIPAS (tối đa 2)»: Điểm 2,5 vượt điểm tối đa 2 của phần này.",
        "Dòng 3, cột «3.1 Chỉ số hài lòng SIPAS (tối đa 2)»: Điểm -0,5 âm; điểm điều tra từ 0 trở lên.",
    ]
    assert not SurveyScore.objects.exists()


def test_sets_of_two_kinds_share_a_column_where_their_part_reads_the_same(period, users, agency):
    rows = [*compact_rows()[:-1]]
    rows[-1] = NodeRow(code="3", title="Điều tra xã hội học", max_points=D(2), method="manual", is_survey=True)
    commune_set = index_set_create(name="Bộ xã", agency_kind=AgencyKind.COMMUNE, year_from=2026, rows=rows)
    commune = make_agency("UBND xã Trung Hà", AgencyKind.COMMUNE, short_name="THA")
    Assessment.objects.create(period=period, agency=commune, index_set=commune_set)
    template = read_template(period)
    assert list(template[0]) == [*HEADER, "3 Điều tra xã hội học (tối đa 2)"]
    assert ("UBND xã Trung Hà", "THA", None, None) in template
    data = xlsx_bytes([template[0], ["THA", "", 1, 1.5], [agency.name, "", 1, 1]], sheet_title=SHEET)
    with pytest.raises(ImportInvalid) as exc:
        import_survey(period=period, data=data, user=users["admin"])
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, HEADER[2]), (3, "3 Điều tra xã hội học (tối đa 2)")]
    assert "không có phần điều tra này" in exc.value.errors[0].message
    data = xlsx_bytes([template[0], ["THA", "", None, 1.5], [agency.name, "", 1, None]], sheet_title=SHEET)
    assert import_survey(period=period, data=data, user=users["admin"]).changed == 2
    assert stored(period) == {"UBND xã Trung Hà": D("1.5"), agency.name: D(1)}


def test_a_formula_is_not_evaluated(period, users, agency):
    data = xlsx_bytes([HEADER, [agency.name, "", "=1+1"]], sheet_title=SHEET)  # no cached value: blank
    result = import_survey(period=period, data=data, user=users["admin"])
    assert (result.changed, result.unchanged) == (0, 0)
    assert not SurveyScore.objects.exists()


def test_a_hostile_workbook_is_refused_before_parsing(period, users):
    with pytest.raises(ImportInvalid, match="lớn hơn mức cho phép"):
        import_survey(period=period, data=shared_strings_bomb(100 * 1024 * 1024), user=users["admin"])
    with pytest.raises(ImportInvalid, match="Tệp rỗng"):
        import_survey(period=period, data=b"", user=users["admin"])
    assert not SurveyScore.objects.exists()


# ---- pages ---------------------------------------------------------------------------------------------------


def test_the_page_highlights_agencies_without_points_and_shows_import_errors(client, period, users, agency):
    survey_set(assessment=assessment_of(period, agency), node=part_of(period), points=D("1.5"), user=users["admin"])
    client.force_login(users["admin"])
    page = client.get(reverse("appraisal:survey", args=[period.pk])).content.decode()
    assert page.count("row-overdue") == 1 and "1,5" in page
    upload = SimpleUploadedFile("d.xlsx", xlsx_bytes([HEADER, ["Không có", "", 1]], sheet_title=SHEET))
    response = client.post(reverse("appraisal:survey_import", args=[period.pk]), {"file": upload})
    assert response.status_code == 400
    assert "«Không có» không phải là đơn vị tham gia kỳ này" in response.content.decode()
    assert len(history()) == 1


def test_the_agency_page_saves_with_a_reason_and_shows_the_history(client, period, users, agency):
    assessment = assessment_of(period, agency)
    part = part_of(period)
    client.force_login(users["admin"])
    url = reverse("appraisal:survey_agency", args=[period.pk, assessment.pk])
    assert client.post(url, {f"points_{part.pk}": "1,5"}).status_code == 302
    refused = client.post(url, {f"points_{part.pk}": "2", f"version_{part.pk}": "1"})
    assert refused.status_code == 400 and "ghi lý do" in refused.content.decode()
    client.post(url, {f"points_{part.pk}": "2", f"version_{part.pk}": "1", "reason": "Phúc khảo"})
    page = client.get(url).content.decode()
    assert "Phúc khảo" in page and "1,5 → " in page
    assert stored(period) == {agency.name: D(2)}


def test_the_page_costs_the_same_for_more_agencies(client, users, agency, other_agency, django_assert_num_queries):
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    client.force_login(users["admin"])
    url = reverse("appraisal:survey", args=[period.pk])
    # session, user, roles, period, sheets with agencies and sets, survey parts, survey rows
    # (+1 since the menu shows a badge: the unread notices)
    with django_assert_num_queries(8):
        client.get(url)
    for n in range(5):
        extra = make_agency(f"Sở thêm {n}")
        Assessment.objects.create(period=period, agency=extra, index_set_id=part_of(period).index_set_id)
    # (+1 since the menu shows a badge: the unread notices)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert sum(len(t.rows) for t in survey_tables(period)) == 7
    assert response.content.decode().count("row-overdue") == 7


# ---- who may reach them ------------------------------------------------------------------------------------


def survey_requests(period, assessment, part):
    """(method, route name, args, data) of every survey URL, each one a write where it can be."""
    data = xlsx_bytes([HEADER, [assessment.agency.name, "", 1]], sheet_title=SHEET)
    return [
        ("get", "survey", [period.pk], None),
        ("get", "survey_template", [period.pk], None),
        ("post", "survey_import", [period.pk], lambda: {"file": SimpleUploadedFile("d.xlsx", data)}),
        ("post", "survey_agency", [period.pk, assessment.pk], lambda: {f"points_{part.pk}": "1"}),
    ]


MATRIX = ["survey", "survey_template", "survey_import", "survey_agency"]


@pytest.mark.parametrize("who", ["reviewer", "agency_reviewer", "officer", "head", "leadership", "no_role"])
def test_only_the_administrator_reaches_the_survey_pages(client, period, users, agency, who):
    users["agency_reviewer"] = make_user("thamdinh.khcn", Role.REVIEWER, agency)
    assessment = assessment_of(period, agency)
    client.force_login(users[who])
    for method, name, args, data in survey_requests(period, assessment, part_of(period)):
        url = reverse(f"appraisal:{name}", args=args)
        response = getattr(client, method)(url, data() if data else None)
        assert response.status_code == 403, (who, name)
        assert b"SKHCN" not in response.content
    assert not SurveyScore.objects.exists() and not SurveyChange.objects.exists()


def test_the_administrator_reaches_every_survey_page_and_writes(client, period, users, agency):
    assessment = assessment_of(period, agency)
    client.force_login(users["admin"])
    for method, name, args, data in survey_requests(period, assessment, part_of(period)):
        response = getattr(client, method)(reverse(f"appraisal:{name}", args=args), data() if data else None)
        assert response.status_code in (200, 302), name
    assert stored(period) == {agency.name: D(1)}
    assert [h[2] for h in history()] == [SurveySource.IMPORT]  # the form then typed the same value: no change
