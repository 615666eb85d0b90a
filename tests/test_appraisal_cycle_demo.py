"""The whole appraisal cycle on the demo data: this year's period (open, at varied progress, domains assigned
to the demo reviewer) driven through the services to a published ranking, with every refusal on the way
asserted to leave the database as it was.

Reviewers: ``thamdinh`` (every domain) and a reviewer of Sở Nội vụ given the departments' domain 1 (chỉ đạo
điều hành), except on Sở Nội vụ's own sheet, which stays with ``thamdinh``. The agency followed through the
explanation round is Sở Khoa học và Công nghệ (its officer and head are demo logins).

One test, since each step needs the state the previous one left; the demo is loaded once for the module.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appraisal.adjustments import adjustment_add, adjustment_withdraw
from appraisal.assignments import AssignmentMap
from appraisal.explaining import (
    explanation_answer,
    explanation_evidence_lock,
    explanation_send,
    return_for_explanation,
)
from appraisal.models import (
    Adjustment,
    AdjustmentKind,
    AppraisalEntry,
    ExplanationAnswer,
    ExplanationRequest,
    Publication,
    PublishedResult,
    RequestKind,
    SurveyScore,
)
from appraisal.publishing import period_checklist, period_finalise, period_publish
from appraisal.rules import current_round
from appraisal.services import (
    AppraisalEdit,
    appraisal_save,
    assignment_save,
    explanation_request,
    period_start_appraisal,
    uncovered_leaves,
)
from appraisal.surveys import survey_parts_by_set, survey_set
from assessments.models import (
    Assessment,
    AssessmentState,
    Evidence,
    Period,
    PeriodState,
    Score,
    Transition,
)
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, assessment_submit, period_save, score_save
from assessments.workflow import WorkflowError
from criteria.models import Node, ScoringMethod
from evidence.services import evidence_add_document, evidence_upload
from organisations.models import Agency, AgencyKind, Role

from .factories import make_user

pytestmark = pytest.mark.django_db
S = AssessmentState
D = Decimal
HUNDRED = D(100)
PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"

COMMENT_A = "Quyết định phê duyệt kế hoạch chưa có chữ ký, đóng dấu; trừ một bước điểm."
COMMENT_B = "Báo cáo quý III gửi chậm so với quy định; trừ một bước điểm."
ASK_A = "Đề nghị bổ sung quyết định phê duyệt kế hoạch đã ký, đóng dấu."
ASK_B = "Đề nghị giải trình lý do gửi báo cáo quý III chậm."
ANSWER_A = "Đơn vị gửi bổ sung Quyết định số 20/QĐ-SKHCN đã ký ngày 10/01."
ANSWER_B = "Báo cáo gửi chậm do chờ số liệu của các phòng; đã chấn chỉnh từ quý IV."
COMMENT_A2 = "Đã bổ sung quyết định đã ký: giữ điểm tự chấm."
COMMENT_B2 = "Giải trình chưa đủ căn cứ: giữ điểm vòng 1."


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module (as in test_demo): the test runs in its own rolled-back
    transaction, and the database is emptied afterwards so no other module sees the demo."""
    media = tmp_path_factory.mktemp("demo-media")
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
    }
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media, STORAGES=storages
        ),
        django_db_blocker.unblock(),
    ):
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


# ---- helpers --------------------------------------------------------------------------------------------


@dataclass
class Cast:
    admin: User
    reviewer: User  # thamdinh: every domain
    noivu_reviewer: User  # Sở Nội vụ's reviewer: the departments' domain 1, never Sở Nội vụ's own sheet
    officer: User  # chuyenvien.khcn
    head: User  # lanhdao.khcn
    other_officer: User  # chuyenvien.tuphap


def council_state(period: Period) -> tuple:
    """Everything a write of the cycle changes: refusals must leave all of it as it was."""
    scores = Score.objects.filter(assessment__period=period)
    return (
        Period.objects.filter(pk=period.pk).values_list("state", "explanation_deadline", "bonus_cap").get(),
        tuple(period.assessments.order_by("pk").values_list("pk", "state")),
        tuple(scores.order_by("pk").values_list("pk", "self_points", "appraised_points", "appraisal_round", "version")),
        tuple(AppraisalEntry.objects.filter(assessment__period=period).values_list("pk", flat=True)),
        tuple(ExplanationRequest.objects.filter(assessment__period=period).values_list("pk", flat=True)),
        tuple(ExplanationAnswer.objects.filter(assessment__period=period).values_list("pk", "text")),
        tuple(Evidence.objects.filter(assessment__period=period).values_list("pk", flat=True)),
        tuple(SurveyScore.objects.filter(assessment__period=period).values_list("pk", "points", "version")),
        tuple(Adjustment.objects.filter(assessment__period=period).values_list("pk", "points", "withdrawn_at")),
        tuple(Publication.objects.filter(period=period).values_list("pk", flat=True)),
        Transition.objects.filter(assessment__period=period).count(),
    )


def move(period: Period, **changes: object) -> Period:
    """The administrator changes the period's deadlines or caps (period_save keeps sets and participants)."""
    fields = {
        name: getattr(period, name)
        for name in (
            "self_assessment_deadline",
            "appraisal1_deadline",
            "explanation_deadline",
            "appraisal2_deadline",
            "bonus_cap",
            "penalty_cap",
        )
    }
    period_save(
        period=period,
        year=period.year,
        name=period.name,
        index_sets=[p.index_set for p in period.index_sets.select_related("index_set")],
        agencies=list(period.agencies.all()),
        **{**fields, **changes},
    )
    period.refresh_from_db()
    return period


def from_now(**delta: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


def leaf(sheet: Assessment, score_pk: int) -> Score:
    return Score.objects.select_related("node", "assessment").get(pk=score_pk, assessment=sheet)


def sheet_of(period: Period, name: str) -> Assessment:
    return period.assessments.select_related("period", "agency").get(agency__name=name)


@contextmanager
def unchanged(period: Period) -> Iterator[None]:
    """Whatever the block tries (a refused write) leaves the database as it was."""
    before = council_state(period)
    yield
    assert council_state(period) == before


def self_input(node: Node) -> LeafInput:
    """What the agency enters on a leaf it had left: full marks, one deduction event, 90 %."""
    if node.method == ScoringMethod.YES_NO:
        return LeafInput(answer_yes=True)
    if node.method == ScoringMethod.RATIO:
        return LeafInput(numerator=D(90), denominator=D(100))
    if node.method == ScoringMethod.DEDUCTION:
        return LeafInput(event_count=1)
    return LeafInput(self_points=node.max_points)


def index_of(points: Decimal, survey: Decimal, bonus: Decimal, penalty: Decimal, maximum: Decimal) -> Decimal:
    """DESIGN.md: (appraised + survey + bonus − penalty) / (applicable max + survey max) × 100, two places."""
    return ((points + survey + bonus - penalty) / maximum * HUNDRED).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# ---- the cycle ------------------------------------------------------------------------------------------


def test_the_whole_cycle_on_this_years_demo_period(demo, client):
    period = Period.objects.get(year=timezone.localdate().year)
    assert period.state == PeriodState.OPEN
    users = {u.username: u for u in get_user_model().objects.all()}
    noivu = Agency.objects.get(name="Sở Nội vụ")
    cast = Cast(
        admin=users["quantri"],
        reviewer=users["thamdinh"],
        noivu_reviewer=make_user("thamdinh.noivu", Role.REVIEWER, noivu, first_name="Hà", last_name="Lê Thu"),
        officer=users["chuyenvien.khcn"],
        head=users["lanhdao.khcn"],
        other_officer=users["chuyenvien.tuphap"],
    )
    khcn = sheet_of(period, "Sở Khoa học và Công nghệ")
    noivu_sheet = sheet_of(period, "Sở Nội vụ")
    domain_1 = Node.objects.get(index_set=khcn.index_set, code="1")  # the departments' set

    assign_domain_1_to_noivu(period, cast, domain_1, noivu_sheet)
    khcn = submit_khcn(period, cast, khcn)
    start_appraisal(period, cast)
    expected, asked = round_one(period, cast, domain_1, khcn, noivu_sheet, client)
    agency_blind_before_return(cast, khcn, asked, client)
    return_and_explain(period, cast, khcn, asked, client)
    round_two(period, cast, khcn, asked, expected, client)
    survey, adjustments = survey_and_adjustments(period, cast, khcn, client)
    finalise(period, cast, client)
    writes_after_finalisation(period, cast, khcn, client)
    publish(period, cast, khcn, expected, survey, adjustments)


def assign_domain_1_to_noivu(period: Period, cast: Cast, domain_1: Node, noivu_sheet: Assessment) -> None:
    """Seed 003: Sở Nội vụ appraises chỉ đạo điều hành. Its own sheet then has no reviewer there until that
    sheet's domain 1 is given to someone else, and appraisal cannot start meanwhile."""
    assert uncovered_leaves(period) == {}  # the demo assigned every domain to thamdinh
    assignment_save(period=period, node=domain_1, reviewer=cast.noivu_reviewer, user=cast.admin)
    domain_1_leaves = list(
        Node.objects.filter(index_set=domain_1.index_set, is_leaf=True, domain=domain_1)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    assert uncovered_leaves(period) == {noivu_sheet.agency_id: domain_1_leaves}
    with (
        unchanged(period),
        pytest.raises(
            ValidationError, match=f"Còn {len(domain_1_leaves)} tiêu chí của 1 đơn vị chưa có người thẩm định"
        ),
    ):
        period_start_appraisal(period=period, user=cast.admin)
    assignment_save(
        period=period, node=domain_1, reviewer=cast.reviewer, for_agency=noivu_sheet.agency, user=cast.admin
    )
    assert uncovered_leaves(period) == {}


def submit_khcn(period: Period, cast: Cast, khcn: Assessment) -> Assessment:
    """Sở KH&CN's officer scores the leaves it had left (half the sheet), its head submits. Appraisal
    cannot start while the other agencies still have time to self-assess."""
    open_leaves = list(
        khcn.scores.select_related("node").filter(node__is_survey=False, self_points__isnull=True).order_by("pk")
    )
    assert len(open_leaves) == 48  # the demo left the second half of the 96 leaves
    for score in open_leaves:
        score_save(
            score=score,
            edit=ScoreEdit(value=self_input(score.node), note="Đơn vị đã thực hiện; hồ sơ lưu tại văn phòng."),
            version=score.version,
            user=cast.officer,
        )
    assert not khcn.scores.filter(node__is_survey=False, self_points__isnull=True).exists()
    with unchanged(period), pytest.raises(ValidationError, match="Các đơn vị còn hạn tự đánh giá: Ban Quản lý"):
        period_start_appraisal(period=period, user=cast.admin)
    assessment_submit(assessment=khcn, user=cast.head)
    khcn.refresh_from_db()
    assert khcn.state == S.SUBMITTED and khcn.submitted_at is not None
    return khcn


def start_appraisal(period: Period, cast: Cast) -> None:
    """The self-assessment deadline passes (moved by the administrator); every sheet goes into appraisal,
    the drafts as they stand."""
    drafts = period.assessments.filter(state=S.DRAFT).count()
    assert drafts == 20  # all but Sở Nội vụ (submitted by the demo) and Sở KH&CN
    move(period, self_assessment_deadline=from_now(hours=-1))
    assert period_start_appraisal(period=period, user=cast.admin) == 22
    period.refresh_from_db()
    assert period.state == PeriodState.APPRAISAL and period.appraisal_started_at is not None
    assert set(period.assessments.values_list("state", flat=True)) == {S.UNDER_APPRAISAL}
    assert not AppraisalEntry.objects.filter(assessment__period=period).exists()


def round_one(
    period: Period, cast: Cast, domain_1: Node, khcn: Assessment, noivu_sheet: Assessment, client
) -> tuple[dict[int, Decimal], list[ExplanationRequest]]:
    """Both reviewers appraise every applicable leaf of every sheet; two leaves of Sở KH&CN get a lower
    appraisal, a comment and a request. Returns the expected appraised points per score, and the requests."""
    scores = list(
        Score.objects.filter(assessment__period=period, node__is_survey=False, not_applicable=False)
        .select_related("node", "assessment__agency")
        .order_by("assessment_id", "node__position")
    )
    assert len(scores) == 14 * 96 + 8 * 49  # departments and communes of the demo, every leaf applicable

    def reviewer_of(score: Score) -> User:
        on_domain_1 = score.domain_id == domain_1.pk and score.assessment_id != noivu_sheet.pk
        return cast.noivu_reviewer if on_domain_1 else cast.reviewer

    # The refusals first, each leaving the database as it was.
    noivu_own = next(s for s in scores if s.assessment_id == noivu_sheet.pk and s.domain_id == domain_1.pk)
    khcn_domain_1 = next(s for s in scores if s.assessment_id == khcn.pk and s.domain_id == domain_1.pk)
    khcn_other = next(s for s in scores if s.assessment_id == khcn.pk and s.domain_id != domain_1.pk)
    edit = AppraisalEdit(points=D(0), comment="thử")
    for score, user, message in (
        (noivu_own, cast.noivu_reviewer, "không thẩm định bản đánh giá của chính đơn vị mình"),
        (khcn_other, cast.noivu_reviewer, "không được phân công cho bạn"),
        (khcn_domain_1, cast.reviewer, "không được phân công cho bạn"),
    ):
        with unchanged(period), pytest.raises(PermissionDenied, match=message):
            appraisal_save(score=score, edit=edit, version=score.version, user=user)
    with unchanged(period), pytest.raises(PermissionDenied, match="chính đơn vị mình"):
        explanation_request(score=noivu_own, kind=RequestKind.EXPLAIN, text="Giải trình", user=cast.noivu_reviewer)
    client.force_login(cast.noivu_reviewer)
    with unchanged(period):
        assert client.get(reverse("appraisal:sheet", args=[noivu_sheet.pk])).status_code == 403
        response = client.post(
            reverse("appraisal:save", args=[noivu_sheet.pk, noivu_own.pk]),
            {"version": noivu_own.version, "points": "0", "comment": "thử"},
        )
        assert response.status_code == 403

    # The two leaves asked about: manual leaves of Sở KH&CN in thamdinh's domains, scored by the agency.
    leaf_a, leaf_b = [
        s
        for s in scores
        if s.assessment_id == khcn.pk
        and s.domain_id != domain_1.pk
        and s.node.method == ScoringMethod.MANUAL
        and (s.self_points or 0) > 0
    ][:2]
    amap = AssignmentMap.for_period(period)  # read once, as the demo does: nobody reassigns meanwhile
    expected: dict[int, Decimal] = {}
    for score in scores:
        if score.pk in (leaf_a.pk, leaf_b.pk):
            points = score.self_points - score.node.effective_step
            edit = AppraisalEdit(points=points, comment=COMMENT_A if score.pk == leaf_a.pk else COMMENT_B)
        elif score.self_points is not None:
            points, edit = score.self_points, AppraisalEdit(points=None, accept_self=True)
        else:
            # A draft's leaf the agency never scored: nothing to credit.
            points, edit = D(0), AppraisalEdit(points=D(0), comment="Đơn vị không tự chấm, không có hồ sơ.")
        appraisal_save(score=score, edit=edit, version=score.version, user=reviewer_of(score), assignments=amap)
        expected[score.pk] = points
    requests = [
        explanation_request(score=leaf_a, kind=RequestKind.SUPPLEMENT, text=ASK_A, user=cast.reviewer),
        explanation_request(score=leaf_b, kind=RequestKind.EXPLAIN, text=ASK_B, user=cast.reviewer),
    ]

    stored = Score.objects.filter(assessment__period=period, node__is_survey=False)
    assert dict(stored.values_list("pk", "appraised_points")) == expected
    assert set(stored.values_list("appraisal_round", flat=True)) == {1}
    entries = AppraisalEntry.objects.filter(assessment__period=period)
    assert entries.count() == len(scores) and set(entries.values_list("round", flat=True)) == {1}
    # Sở Nội vụ's reviewer appraised domain 1 on the 13 other departments' sheets, thamdinh the rest.
    domain_1_leaves = sum(1 for s in scores if s.assessment_id == khcn.pk and s.domain_id == domain_1.pk)
    assert entries.filter(reviewer=cast.noivu_reviewer).count() == 13 * domain_1_leaves
    assert not entries.filter(reviewer=cast.noivu_reviewer, assessment=noivu_sheet).exists()
    assert entries.filter(reviewer=cast.reviewer).count() == len(scores) - 13 * domain_1_leaves
    assert entries.get(score=leaf_a).comment == COMMENT_A
    assert period_checklist(period).unappraised == []
    return expected, requests


def agency_blind_before_return(cast: Cast, khcn: Assessment, asked: list[ExplanationRequest], client) -> None:
    """Nothing of round 1 reaches the agency before its sheet is returned: not the points, the comment or the
    request, on any page it can open."""
    leaf_a = asked[0].score
    history = reverse("appraisal:leaf_history", args=[khcn.pk, leaf_a.pk])
    client.force_login(cast.admin)  # the same page shows round 1 to the administrator: the check can fail
    shown = client.get(history).text
    assert COMMENT_A in shown and ASK_A in shown and "history-appraisal" in shown
    for user in (cast.officer, cast.head):
        client.force_login(user)
        assert client.get(reverse("appraisal:answer", args=[khcn.pk])).status_code == 403
        page = client.get(history)
        assert page.status_code == 200 and page.context["with_round_one"] is False
        assert [e.kind for e in page.context["events"]] == ["self"] * len(page.context["events"])
        sheet = client.get(reverse("assessments:sheet", args=[khcn.pk]))
        assert sheet.status_code == 200
        for text in (page.text, sheet.text):
            assert COMMENT_A not in text and ASK_A not in text and ASK_B not in text
            assert "history-appraisal" not in text and "Thẩm định vòng 1" not in text


def return_and_explain(period: Period, cast: Cast, khcn: Assessment, asked: list[ExplanationRequest], client) -> None:
    """The administrator returns the sheets with requests; Sở KH&CN answers both leaves with text and new
    evidence, within the deadline, and its head sends. The refusals of the agency's side on the way."""
    request_a, request_b = asked
    leaf_a, leaf_b = request_a.score, request_b.score
    assert return_for_explanation(period=period, user=cast.admin) == 1
    states = dict(period.assessments.values_list("pk", "state"))
    assert states.pop(khcn.pk) == S.RETURNED and set(states.values()) == {S.UNDER_APPRAISAL}
    khcn.refresh_from_db()
    assert current_round(khcn) is None  # the reviewers wait for the explanation
    with unchanged(period), pytest.raises(WorkflowError, match="Đơn vị đang giải trình"):
        appraisal_save(
            score=leaf_a,
            edit=AppraisalEdit(points=leaf_a.self_points),
            version=Score.objects.get(pk=leaf_a.pk).version,
            user=cast.reviewer,
        )

    # Now the agency reads round 1: points, comment and request.
    client.force_login(cast.officer)
    page = client.get(reverse("appraisal:answer", args=[khcn.pk]))
    assert page.status_code == 200
    assert COMMENT_A in page.text and ASK_A in page.text and ASK_B in page.text
    assert [leaf.score.pk for leaf in page.context["sheet"].asked] == [leaf_a.pk, leaf_b.pk]

    # Only the agency answers, only the leaves asked about.
    with unchanged(period), pytest.raises(PermissionDenied, match="Chỉ cán bộ của đơn vị"):
        explanation_answer(request=request_a, text="Trả lời hộ", user=cast.other_officer)
    not_asked = khcn.scores.filter(node__is_survey=False).exclude(pk__in=[leaf_a.pk, leaf_b.pk]).first()
    with unchanged(period), pytest.raises(WorkflowError, match="không có yêu cầu giải trình"):
        evidence_add_document(
            assessment=khcn, score=not_asked, user=cast.officer, lock=explanation_evidence_lock, doc_number="1/BC"
        )
    with unchanged(period):
        response = client.post(
            reverse("appraisal:answer_document", args=[khcn.pk, not_asked.pk]), {"doc_number": "1/BC"}, follow=True
        )
        assert "không có yêu cầu giải trình" in response.text

    explanation_answer(request=request_a, text=ANSWER_A, user=cast.officer)
    added_pdf = evidence_upload(
        assessment=khcn,
        score=leaf_a,
        upload=SimpleUploadedFile("Quyet dinh 20-QD-SKHCN.pdf", PDF),
        user=cast.officer,
        lock=explanation_evidence_lock,
    )
    with unchanged(period), pytest.raises(WorkflowError, match=f"Còn 1 tiêu chí chưa giải trình: {leaf_b.node.code}"):
        explanation_send(assessment=khcn, user=cast.head)
    explanation_answer(request=request_b, text=ANSWER_B, user=cast.officer)
    evidence_add_document(
        assessment=khcn,
        score=leaf_b,
        user=cast.officer,
        lock=explanation_evidence_lock,
        doc_number="45/BC-SKHCN",
        doc_summary="Báo cáo CCHC quý III (bản gửi lại)",
    )
    with unchanged(period), pytest.raises(PermissionDenied, match="Chỉ lãnh đạo đơn vị"):
        explanation_send(assessment=khcn, user=cast.officer)

    # Answered in full but not sent, the deadline ahead: still open, so the period cannot be finalised.
    checklist = period_checklist(period)
    assert checklist.unanswered == [] and [(i.agency_name, i.count) for i in checklist.unsent] == [
        (khcn.agency.name, 2)
    ]

    # Past the deadline the agency can change nothing; round 2 could begin without its sending.
    move(period, appraisal1_deadline=from_now(minutes=-30), explanation_deadline=from_now(minutes=-1))
    khcn.refresh_from_db()
    with unchanged(period), pytest.raises(WorkflowError, match="quá hạn giải trình"):
        explanation_answer(request=request_a, text="Sửa lại sau hạn", user=cast.officer)
    with unchanged(period), pytest.raises(WorkflowError, match="quá hạn giải trình"):
        evidence_add_document(
            assessment=khcn, score=leaf_a, user=cast.officer, lock=explanation_evidence_lock, doc_number="2/QĐ"
        )
    with unchanged(period), pytest.raises(WorkflowError, match="quá hạn giải trình"):
        explanation_send(assessment=khcn, user=cast.head)
    assert current_round(khcn) == 2
    checklist = period_checklist(period)
    assert checklist.unanswered == [] and checklist.unsent == []

    # The administrator extends the deadline; the head sends.
    move(period, explanation_deadline=from_now(days=5))
    assert [i.assessment_id for i in period_checklist(period).unsent] == [khcn.pk]
    explanation_send(assessment=khcn, user=cast.head)
    khcn.refresh_from_db()
    assert khcn.state == S.EXPLAINED and current_round(khcn) == 2
    assert period_checklist(period).unsent == []
    assert list(
        ExplanationAnswer.objects.filter(assessment=khcn).order_by("request_id").values_list("request_id", "text")
    ) == [(request_a.pk, ANSWER_A), (request_b.pk, ANSWER_B)]
    assert set(Evidence.objects.filter(links__score=leaf_a, uploaded_at__gte=request_a.requested_at)) == {added_pdf}


def round_two(
    period: Period,
    cast: Cast,
    khcn: Assessment,
    asked: list[ExplanationRequest],
    expected: dict[int, Decimal],
    client,
) -> None:
    """The reviewer reads the answers on the by-agency page and appraises both leaves again in round 2."""
    leaf_a, leaf_b = (leaf(khcn, r.score_id) for r in asked)
    client.force_login(cast.reviewer)
    response = client.get(reverse("appraisal:sheet", args=[khcn.pk]))
    rows = {row.score.pk: row for row in response.context["rows"]}
    assert rows[leaf_a.pk].round == 2 and rows[leaf_a.pk].editable
    html = response.text
    row_a = html[html.index(f'id="work-{leaf_a.pk}"') :]
    row_a = row_a[: row_a.index('class="work-row')]
    assert ASK_A in row_a and ANSWER_A in row_a and "Quyet dinh 20-QD-SKHCN.pdf" in row_a
    added = Evidence.objects.get(original_name="Quyet dinh 20-QD-SKHCN.pdf")
    assert reverse("evidence:download", args=[added.pk]) in row_a
    assert reverse("appraisal:leaf_history", args=[khcn.pk, leaf_a.pk]) in row_a
    download = client.get(reverse("evidence:download", args=[added.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    appraisal_save(
        score=leaf_a,
        edit=AppraisalEdit(points=None, accept_self=True, comment=COMMENT_A2),
        version=leaf_a.version,
        user=cast.reviewer,
    )
    appraisal_save(
        score=leaf_b,
        edit=AppraisalEdit(points=expected[leaf_b.pk], comment=COMMENT_B2),
        version=leaf_b.version,
        user=cast.reviewer,
    )
    expected[leaf_a.pk] = leaf_a.self_points
    for score in (leaf_a, leaf_b):
        score.refresh_from_db()
        assert (score.appraised_points, score.appraisal_round) == (expected[score.pk], 2)
        assert list(AppraisalEntry.objects.filter(score=score).values_list("round", flat=True)) == [1, 2]
    assert AppraisalEntry.objects.get(score=leaf_a, round=2).accepted_self
    # Every step of the leaf stays visible, now to the agency too.
    client.force_login(cast.officer)
    events = client.get(reverse("appraisal:leaf_history", args=[khcn.pk, leaf_a.pk])).context["events"]
    council = [(e.kind, e.round) for e in events if e.kind != "self"]
    assert council == [("appraisal", 1), ("request", 1), ("answer", None), ("appraisal", 2)]


def survey_and_adjustments(
    period: Period, cast: Cast, khcn: Assessment, client
) -> tuple[dict[tuple[int, int], Decimal], dict[int, tuple[Decimal, Decimal]]]:
    """Publishing and finalising are refused while survey points are missing; survey points are entered for
    every agency within each part's max; a bonus and a penalty within the period's caps."""
    with unchanged(period), pytest.raises(ValidationError, match="Chỉ công bố được kết quả đã chốt"):
        period_publish(period=period, user=cast.admin)
    with unchanged(period), pytest.raises(ValidationError, match="22 đơn vị chưa có điểm điều tra xã hội học"):
        period_finalise(period=period, user=cast.admin)
    client.force_login(cast.admin)
    with unchanged(period):
        response = client.post(reverse("appraisal:finalise", args=[period.pk]), {"confirm": "1"}, follow=True)
        assert "22 đơn vị chưa có điểm điều tra xã hội học." in response.text

    parts = survey_parts_by_set(period.index_sets.values_list("index_set_id", flat=True))
    first = parts[khcn.index_set_id][0]
    with unchanged(period), pytest.raises(ValidationError, match=f"Điểm điều tra của {first.code} tối đa là"):
        survey_set(assessment=khcn, node=first, points=first.max_points + D("0.01"), user=cast.admin)
    survey: dict[tuple[int, int], Decimal] = {}
    for number, sheet in enumerate(period.assessments.order_by("agency__name")):
        share = D(55 + (number * 11) % 40) / HUNDRED
        for part in parts[sheet.index_set_id]:
            points = (part.max_points * share).quantize(D("0.01"))
            survey_set(assessment=sheet, node=part, points=points, user=cast.admin)
            survey[(sheet.pk, part.pk)] = points
    assert len(survey) == 22 * 2  # two parts (ĐTXHH, SIPAS) in both sets
    stored = SurveyScore.objects.filter(assessment__period=period)
    assert {(s.assessment_id, s.node_id): s.points for s in stored} == survey

    # Bonus and penalty within the caps the administrator sets.
    move(period, bonus_cap=D(2), penalty_cap=D(1))
    yte = sheet_of(period, "Sở Y tế")
    bonus = adjustment_add(
        assessment=khcn,
        kind=AdjustmentKind.BONUS,
        points=D("1.5"),
        reason="Sáng kiến CCHC được công nhận cấp tỉnh",
        document="12/QĐ-UBND",
        user=cast.admin,
    )
    with (
        unchanged(period),
        pytest.raises(ValidationError, match="vượt mức tối đa 2,00 điểm thưởng của kỳ \\(đơn vị đang có 1,50\\)"),
    ):
        adjustment_add(assessment=khcn, kind=AdjustmentKind.BONUS, points=D("0.75"), reason="Thêm", user=cast.admin)
    adjustment_add(
        assessment=yte,
        kind=AdjustmentKind.PENALTY,
        points=D("0.5"),
        reason="Để xảy ra sai sót trong giải quyết thủ tục hành chính",
        user=cast.admin,
    )
    assert bonus.points == D("1.5")
    return survey, {khcn.pk: (D("1.5"), D(0)), yte.pk: (D(0), D("0.5"))}


def finalise(period: Period, cast: Cast, client) -> None:
    checklist = period_checklist(period)
    assert checklist.is_clear and checklist.sheets == 22
    client.force_login(cast.admin)
    response = client.post(reverse("appraisal:finalise", args=[period.pk]), {"confirm": "1"}, follow=True)
    assert "Đã chốt kết quả" in response.text
    period.refresh_from_db()
    assert period.state == PeriodState.FINALISED and period.finalised_at is not None
    assert set(period.assessments.values_list("state", flat=True)) == {S.APPRAISED}


def writes_after_finalisation(period: Period, cast: Cast, khcn: Assessment, client) -> None:
    """Everything locks: appraisal, requests, survey, bonus and penalty, through the services and the page."""
    locked = "Kết quả của kỳ đã chốt"
    tuphap = sheet_of(period, "Sở Tư pháp")
    # A leaf of thamdinh's (the last domain's), so only the period's state can refuse it.
    score = (
        Score.objects.select_related("node")
        .filter(assessment=tuphap, node__is_survey=False)
        .order_by("node__position")
        .last()
    )
    part = survey_parts_by_set([khcn.index_set_id])[khcn.index_set_id][0]
    bonus = Adjustment.objects.get(assessment=khcn)
    with unchanged(period), pytest.raises(WorkflowError, match=locked):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=score.version, user=cast.reviewer)
    with unchanged(period), pytest.raises(WorkflowError, match=locked):
        explanation_request(score=score, kind=RequestKind.EXPLAIN, text="Thêm", user=cast.reviewer)
    with unchanged(period), pytest.raises(WorkflowError, match=locked):
        survey_set(assessment=khcn, node=part, points=D(1), user=cast.admin, reason="Sửa")
    with unchanged(period), pytest.raises(WorkflowError, match=locked):
        adjustment_add(assessment=khcn, kind=AdjustmentKind.PENALTY, points=D("0.25"), reason="Muộn", user=cast.admin)
    with unchanged(period), pytest.raises(WorkflowError, match=locked):
        adjustment_withdraw(adjustment=bonus, reason="Hủy", user=cast.admin)
    client.force_login(cast.reviewer)
    with unchanged(period):
        response = client.post(
            reverse("appraisal:save", args=[tuphap.pk, score.pk]),
            {"version": score.version, "points": "0", "comment": ""},
        )
        assert locked in response.text and "Chưa lưu" in response.text


def publish(
    period: Period,
    cast: Cast,
    khcn: Assessment,
    expected: dict[int, Decimal],
    survey: dict[tuple[int, int], Decimal],
    adjustments: dict[int, tuple[Decimal, Decimal]],
) -> None:
    """The snapshot holds every agency's index as DESIGN.md computes it, ranked within its agency kind."""
    publication = period_publish(period=period, user=cast.admin, decision="30/QĐ-UBND")
    period.refresh_from_db()
    assert period.state == PeriodState.PUBLISHED
    assert set(period.assessments.values_list("state", flat=True)) == {S.PUBLISHED}
    rows = {r.assessment_id: r for r in PublishedResult.objects.filter(publication=publication)}
    assert len(rows) == 22

    maxima = dict(
        Score.objects.filter(assessment__period=period, node__is_survey=False).values_list("pk", "max_points")
    )
    owner = dict(Score.objects.filter(assessment__period=period, node__is_survey=False).values_list("pk", "assessment"))
    survey_max = {AgencyKind.DEPARTMENT: D("33.5"), AgencyKind.COMMUNE: D(30)}
    for sheet in period.assessments.select_related("agency"):
        points = sum((p for pk, p in expected.items() if owner[pk] == sheet.pk), D(0))
        maximum = sum((m for pk, m in maxima.items() if owner[pk] == sheet.pk), D(0))
        given = sum((p for (sheet_pk, _part), p in survey.items() if sheet_pk == sheet.pk), D(0))
        bonus, penalty = adjustments.get(sheet.pk, (D(0), D(0)))
        row = rows[sheet.pk]
        assert (row.points, row.applicable_max, row.survey_points, row.bonus, row.penalty) == (
            points,
            maximum,
            given,
            bonus,
            penalty,
        ), sheet.agency.name
        assert row.survey_max == survey_max[sheet.agency.kind]
        assert row.index == index_of(points, given, bonus, penalty, maximum + row.survey_max), sheet.agency.name
        assert sum(D(d["points"]) for d in row.domains) == points
    # Ranks: by the exact index within each agency kind, highest first, equal values sharing a rank.
    for kind, size in ((AgencyKind.DEPARTMENT, 14), (AgencyKind.COMMUNE, 8)):
        group = sorted((r for r in rows.values() if r.group == kind), key=lambda r: r.index_exact, reverse=True)
        assert len(group) == size and {r.rank_of for r in group} == {size}
        ranks = []
        for position, row in enumerate(group, start=1):
            ranks.append(ranks[-1] if ranks and row.index_exact == group[position - 2].index_exact else position)
        assert [r.rank for r in group] == ranks
