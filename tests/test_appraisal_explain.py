"""Rounds and explanations: the return for explanation, the agency's answers and new evidence on the leaves
asked about until the deadline, the head's sending, round 2, the per-leaf history, and that nothing of
round 1 reaches the agency before its sheet is returned. Every URL in a matrix asserting its effect."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from appraisal.explaining import (
    explanation_answer,
    explanation_evidence_lock,
    explanation_send,
    return_for_explanation,
)
from appraisal.models import AppraisalEntry, ExplanationAnswer, ExplanationRequest
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import AssessmentState, Evidence, Period, Score, Transition, TransitionAction
from assessments.workflow import WorkflowError
from evidence.services import evidence_add_document, evidence_upload
from organisations.models import Notice, Role

from .factories import appraisal_period, make_agency, make_user

D = Decimal
S = AssessmentState
COMMENT = "Kế hoạch ban hành chậm hai tháng"
ASK = "Đề nghị cung cấp quyết định ban hành kế hoạch"
PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"

ROUTES = ["explanations", "return", "answer", "answer_save", "answer_upload", "answer_document", "answer_send"]
ROUTES += ["leaf_history"]


def set_deadline(period, days: float = 7) -> None:
    """The explanation deadline ``days`` from now (negative: passed)."""
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=days))
    period.refresh_from_db()


@pytest.fixture
def period(users, agency, other_agency):
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    set_deadline(period)
    return period


def leaf(period, agency, code="1.1") -> Score:
    return Score.objects.select_related("node", "assessment").get(
        assessment__period=period, assessment__agency=agency, node__code=code
    )


def sheet(period, agency):
    return period.assessments.select_related("period", "agency").get(agency=agency)


def appraise(score, points, user, comment=""):
    score.refresh_from_db()
    return appraisal_save(
        score=score, edit=AppraisalEdit(points=points, comment=comment), version=score.version, user=user
    )


@pytest.fixture
def asked(period, users, agency):
    """Round 1 on the agency's leaf 1.1: an entry with a comment and a request. Returns the request."""
    score = leaf(period, agency)
    appraise(score, D("0.25"), users["reviewer"], COMMENT)
    return explanation_request(score=score, kind="explain", text=ASK, user=users["reviewer"])


@pytest.fixture
def returned(period, users, asked):
    assert return_for_explanation(period=period, user=users["admin"]) == 1
    return asked


def state_of(period, agency) -> str:
    return sheet(period, agency).state


# ---- the return -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_return_moves_only_the_sheets_with_a_request(period, users, agency, other_agency, asked):
    assert return_for_explanation(period=period, user=users["admin"]) == 1
    assert state_of(period, agency) == S.RETURNED
    assert state_of(period, other_agency) == S.UNDER_APPRAISAL
    move = Transition.objects.get(action=TransitionAction.RETURN)
    assert (move.assessment.agency, move.by, move.from_state, move.to_state) == (
        agency,
        users["admin"],
        S.UNDER_APPRAISAL,
        S.RETURNED,
    )
    assert "Trả lại để giải trình" in move.note
    # The agency's officer and head are told, with a link to the explanation page; the other agency is not.
    told = Notice.objects.filter(key__startswith="return:")
    assert {n.user for n in told} == {users["officer"], users["head"]}
    assert {n.url for n in told} == {reverse("appraisal:answer", args=[move.assessment_id])}
    # Nothing more to return.
    with pytest.raises(ValidationError, match="Không có bản"):
        return_for_explanation(period=period, user=users["admin"])


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "message"), [(None, "chưa có hạn giải trình"), (-1, "đã qua")])
def test_return_refused_without_a_deadline_or_after_it(period, users, agency, asked, days, message):
    if days is None:
        Period.objects.filter(pk=period.pk).update(explanation_deadline=None)
    else:
        set_deadline(period, days)
    with pytest.raises(ValidationError, match=message):
        return_for_explanation(period=period, user=users["admin"])
    assert state_of(period, agency) == S.UNDER_APPRAISAL
    assert not Transition.objects.filter(action=TransitionAction.RETURN).exists()


# ---- answers and sending ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_whole_cycle_round_one_request_return_answer_send_round_two(period, users, agency, returned):
    score = leaf(period, agency)
    explanation_answer(request=returned, text="Đã ban hành, xin gửi kèm", user=users["officer"])
    explanation_answer(request=returned, text="Đã ban hành theo Quyết định 12", user=users["officer"])
    explanation_send(assessment=sheet(period, agency), user=users["head"])
    assert state_of(period, agency) == S.EXPLAINED
    appraise(score, D("0.75"), users["reviewer"], "Đã bổ sung")
    score.refresh_from_db()
    assert (score.appraised_points, score.appraisal_round) == (D("0.75"), 2)
    assert list(AppraisalEntry.objects.filter(score=score).values_list("round", "points", "comment")) == [
        (1, D("0.25"), COMMENT),
        (2, D("0.75"), "Đã bổ sung"),
    ]
    assert list(ExplanationAnswer.objects.order_by("pk").values_list("text", flat=True)) == [
        "Đã ban hành, xin gửi kèm",
        "Đã ban hành theo Quyết định 12",
    ]
    assert Transition.objects.filter(action=TransitionAction.EXPLAIN, by=users["head"]).count() == 1
    # Sending told the administrator and the period's reviewer.
    assert {n.user for n in Notice.objects.filter(key__startswith="explain:")} >= {users["admin"], users["reviewer"]}


@pytest.mark.django_db
def test_round_two_starts_when_the_deadline_passes_without_an_answer(period, users, agency, returned):
    score = leaf(period, agency)
    with pytest.raises(WorkflowError, match="Đơn vị đang giải trình"):
        appraise(score, D("0.5"), users["reviewer"])
    set_deadline(period, -1)
    appraise(score, D("0.5"), users["reviewer"])
    assert AppraisalEntry.objects.filter(score=score, round=2).count() == 1


@pytest.mark.django_db
def test_answers_refused_before_the_return(period, users, agency, asked):
    with pytest.raises(WorkflowError, match="không giải trình được"):
        explanation_answer(request=asked, text="Sớm quá", user=users["officer"])
    assert not ExplanationAnswer.objects.exists()


@pytest.mark.django_db
def test_answers_and_sending_refused_after_the_deadline(period, users, agency, returned):
    set_deadline(period, -1)
    with pytest.raises(WorkflowError, match="quá hạn giải trình"):
        explanation_answer(request=returned, text="Muộn", user=users["officer"])
    with pytest.raises(WorkflowError, match="quá hạn giải trình"):
        explanation_send(assessment=sheet(period, agency), user=users["head"])
    assert not ExplanationAnswer.objects.exists()
    assert state_of(period, agency) == S.RETURNED


@pytest.mark.django_db
def test_another_agency_and_non_heads_are_refused(period, users, agency, returned):
    for outsider in (users["other_officer"], users["reviewer"], users["admin"]):
        with pytest.raises(PermissionDenied, match="Chỉ cán bộ của đơn vị"):
            explanation_answer(request=returned, text="Không phải việc của tôi", user=outsider)
    explanation_answer(request=returned, text="Giải trình", user=users["officer"])
    with pytest.raises(PermissionDenied, match="Chỉ lãnh đạo đơn vị"):
        explanation_send(assessment=sheet(period, agency), user=users["officer"])
    assert list(ExplanationAnswer.objects.values_list("answered_by", flat=True)) == [users["officer"].pk]
    assert state_of(period, agency) == S.RETURNED


@pytest.mark.django_db
def test_sending_needs_every_request_answered_and_closes_the_answers(period, users, agency, returned):
    with pytest.raises(WorkflowError, match=r"chưa giải trình: 1\.1"):
        explanation_send(assessment=sheet(period, agency), user=users["head"])
    explanation_answer(request=returned, text="Giải trình", user=users["head"])
    explanation_send(assessment=sheet(period, agency), user=users["head"])
    with pytest.raises(WorkflowError, match="đã gửi giải trình"):
        explanation_answer(request=returned, text="Thêm", user=users["head"])
    assert ExplanationAnswer.objects.count() == 1


@pytest.mark.django_db
def test_empty_answer_is_refused(period, users, returned):
    with pytest.raises(ValidationError, match="Ghi nội dung giải trình"):
        explanation_answer(request=returned, text="   ", user=users["officer"])
    assert not ExplanationAnswer.objects.exists()


# ---- new evidence: the one rule ---------------------------------------------------------------------------


def upload(score, user, lock=explanation_evidence_lock):
    return evidence_upload(
        assessment=score.assessment, score=score, upload=SimpleUploadedFile("qd.pdf", PDF), user=user, lock=lock
    )


@pytest.mark.django_db
def test_new_evidence_only_on_an_asked_leaf_of_a_returned_sheet_in_time(period, users, agency, asked, settings):
    score, other = leaf(period, agency), leaf(period, agency, "1.2")
    with pytest.raises(WorkflowError, match="không ở trạng thái"):
        upload(score, users["officer"])  # still under appraisal
    return_for_explanation(period=period, user=users["admin"])
    with pytest.raises(WorkflowError, match="không có yêu cầu giải trình"):
        upload(other, users["officer"])
    with pytest.raises(WorkflowError, match="không có yêu cầu giải trình"):
        evidence_add_document(
            assessment=other.assessment,
            score=other,
            user=users["officer"],
            doc_number="12/QĐ",
            lock=explanation_evidence_lock,
        )
    evidence = upload(score, users["officer"])
    assert list(Evidence.objects.values_list("pk", "links__score")) == [(evidence.pk, score.pk)]
    # The ordinary sheet rule still refuses: a returned sheet is not an editable draft.
    with pytest.raises(WorkflowError):
        evidence_upload(
            assessment=score.assessment, score=score, upload=SimpleUploadedFile("x.pdf", PDF), user=users["officer"]
        )
    set_deadline(period, -1)
    with pytest.raises(WorkflowError, match="quá hạn giải trình"):
        upload(score, users["officer"])
    assert Evidence.objects.count() == 1
    media = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(media) == 1  # refused uploads left no file behind


# ---- nothing of round 1 before the return ----------------------------------------------------------------


def agency_pages(assessment, score) -> list[str]:
    return [
        reverse("assessments:sheet", args=[assessment.pk]),
        reverse("assessments:history", args=[assessment.pk]),
        reverse("assessments:leaf", args=[assessment.pk, score.pk]),
        reverse("assessments:totals", args=[assessment.pk]),
        reverse("assessments:submit", args=[assessment.pk]),
        reverse("evidence:panel", args=[assessment.pk, score.pk]),
        reverse("appraisal:answer", args=[assessment.pk]),
        reverse("appraisal:leaf_history", args=[assessment.pk, score.pk]),
        reverse("assessments:mine"),
        reverse("home"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "head", "insider"])
def test_the_agency_sees_nothing_of_round_one_before_its_return(client, period, users, agency, asked, who):
    user = make_user("td.noibo", Role.REVIEWER, agency) if who == "insider" else users[who]
    assessment, score = sheet(period, agency), leaf(period, agency)
    client.force_login(user)
    for url in agency_pages(assessment, score):
        content = client.get(url).content.decode()
        assert COMMENT not in content and ASK not in content, url
        assert "explanation-link" not in content
    assert client.get(reverse("appraisal:answer", args=[assessment.pk])).status_code == 403
    return_for_explanation(period=period, user=users["admin"])
    sheet_page = client.get(reverse("assessments:sheet", args=[assessment.pk])).content.decode()
    assert reverse("appraisal:answer", args=[assessment.pk]) in sheet_page
    answer = client.get(reverse("appraisal:answer", args=[assessment.pk])).content.decode()
    assert COMMENT in answer and ASK in answer
    history = client.get(reverse("appraisal:leaf_history", args=[assessment.pk, score.pk])).content.decode()
    assert COMMENT in history and ASK in history


# ---- pages through HTTP -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_page_lists_counts_and_returns_after_confirmation(client, period, users, agency, other_agency, asked):
    client.force_login(users["admin"])
    url = reverse("appraisal:explanations", args=[period.pk])
    page = client.get(url).content.decode()
    assert "data-confirm" in page and "Trả lại để giải trình (1)" in page
    unconfirmed = client.post(reverse("appraisal:return", args=[period.pk]))
    assert unconfirmed.status_code == 200 and 'name="confirm"' in unconfirmed.content.decode()
    assert state_of(period, agency) == S.UNDER_APPRAISAL
    response = client.post(reverse("appraisal:return", args=[period.pk]), {"confirm": "1"}, follow=True)
    assert "Đã trả lại 1 bản đánh giá" in response.content.decode()
    assert state_of(period, agency) == S.RETURNED
    explanation_answer(request=asked, text="Giải trình", user=users["officer"])
    rows = client.get(url).context["rows"]
    assert [(r.assessment.agency, r.requests, r.answered) for r in rows] == [(agency, 1, 1), (other_agency, 0, 0)]


@pytest.mark.django_db
def test_agency_answers_uploads_and_sends_through_the_page(client, period, users, agency, returned):
    assessment, score = sheet(period, agency), leaf(period, agency)
    client.force_login(users["head"])
    client.post(reverse("appraisal:answer_save", args=[assessment.pk, returned.pk]), {"text": "Đã có quyết định"})
    client.post(
        reverse("appraisal:answer_upload", args=[assessment.pk, score.pk]), {"file": SimpleUploadedFile("qd.pdf", PDF)}
    )
    client.post(
        reverse("appraisal:answer_document", args=[assessment.pk, score.pk]),
        {"doc_number": "12/QĐ-UBND", "doc_summary": "Kế hoạch CCHC"},
    )
    page = client.get(reverse("appraisal:answer", args=[assessment.pk])).content.decode()
    assert "Đã có quyết định" in page and "qd.pdf" in page and "12/QĐ-UBND" in page
    assert client.post(reverse("appraisal:answer_send", args=[assessment.pk])).status_code == 200  # asks first
    assert state_of(period, agency) == S.RETURNED
    client.post(reverse("appraisal:answer_send", args=[assessment.pk]), {"confirm": "1"})
    assert state_of(period, agency) == S.EXPLAINED
    assert Evidence.objects.filter(links__score=score).count() == 2


@pytest.mark.django_db
def test_a_refused_answer_says_why_and_saves_nothing(client, period, users, agency, returned):
    assessment = sheet(period, agency)
    set_deadline(period, -1)
    client.force_login(users["officer"])
    response = client.post(
        reverse("appraisal:answer_save", args=[assessment.pk, returned.pk]), {"text": "Muộn"}, follow=True
    )
    assert "quá hạn giải trình" in response.content.decode()
    assert not ExplanationAnswer.objects.exists()


@pytest.mark.django_db
def test_a_request_of_another_sheet_is_not_found(client, period, users, agency, other_agency, returned):
    other = sheet(period, other_agency)
    client.force_login(users["other_officer"])
    response = client.post(reverse("appraisal:answer_save", args=[other.pk, returned.pk]), {"text": "x"})
    assert response.status_code in (403, 404)
    assert not ExplanationAnswer.objects.exists()


@pytest.mark.django_db
def test_leaf_history_in_time_order(client, period, users, agency, returned):
    score = leaf(period, agency)
    explanation_answer(request=returned, text="Giải trình lần 1", user=users["officer"])
    explanation_send(assessment=sheet(period, agency), user=users["head"])
    appraise(score, D("1"), users["reviewer"], "Vòng hai đạt")
    client.force_login(users["leadership"])
    response = client.get(reverse("appraisal:leaf_history", args=[score.assessment_id, score.pk]))
    events = response.context["events"]
    assert [e.kind for e in events] == ["self", "appraisal", "request", "answer", "appraisal"]
    assert [e.round for e in events if e.kind == "appraisal"] == [1, 2]
    assert events == sorted(events, key=lambda e: e.at)
    content = response.content.decode()
    assert content.index(COMMENT) < content.index(ASK) < content.index("Giải trình lần 1") < content.index("Vòng hai")


# ---- the permission matrix --------------------------------------------------------------------------------

ROLES = ["admin", "reviewer", "leadership", "head", "officer", "other_officer", "no_role", "insider"]


def route(name, assessment, score, request_pk):
    if name in ("explanations", "return"):
        return reverse(f"appraisal:{name}", args=[assessment.period_id])
    if name in ("answer", "answer_send"):
        return reverse(f"appraisal:{name}", args=[assessment.pk])
    if name == "answer_save":
        return reverse("appraisal:answer_save", args=[assessment.pk, request_pk])
    return reverse(f"appraisal:{name}", args=[assessment.pk, score.pk])


def effect() -> tuple:
    """What a request may change: answers, evidence, sheet states, transitions."""
    return (
        ExplanationAnswer.objects.count(),
        Evidence.objects.count(),
        tuple(Period.objects.get().assessments.order_by("pk").values_list("state", flat=True)),
        Transition.objects.count(),
    )


POSTS = {
    "return": {"confirm": "1"},
    "answer_save": {"text": "Giải trình"},
    "answer_document": {"doc_number": "12/QĐ"},
    "answer_send": {"confirm": "1"},
}
# Expected status per role on a returned sheet of «agency» (the head may send: every request answered).
#         admin reviewer leadership head officer other_officer no_role insider
MATRIX = {
    "explanations": (200, 403, 403, 403, 403, 403, 403, 403),
    "return": (302, 403, 403, 403, 403, 403, 403, 403),
    "answer": (200, 200, 200, 200, 200, 404, 404, 200),
    "leaf_history": (200, 200, 200, 200, 200, 404, 404, 200),
    "answer_save": (403, 403, 403, 302, 302, 404, 404, 403),
    "answer_upload": (403, 403, 403, 302, 302, 404, 404, 403),
    "answer_document": (403, 403, 403, 302, 302, 404, 404, 403),
    "answer_send": (403, 403, 403, 302, 403, 404, 404, 403),
}
assert set(MATRIX) == set(ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, period, users, agency, other_agency, name, role):
    user = make_user("td.noibo", Role.REVIEWER, agency) if role == "insider" else users[role]
    score = leaf(period, agency)
    appraise(score, D("0.25"), users["reviewer"], COMMENT)
    asked = explanation_request(score=score, kind="explain", text=ASK, user=users["reviewer"])
    if name != "return":
        return_for_explanation(period=period, user=users["admin"])
        if name == "answer_send":
            explanation_answer(request=asked, text="Trả lời", user=users["officer"])
    assessment = sheet(period, agency)
    expected = MATRIX[name][ROLES.index(role)]
    client.force_login(user)
    url = route(name, assessment, score, asked.pk)
    before = effect()
    if name in POSTS or name == "answer_upload":
        data = {"file": SimpleUploadedFile("qd.pdf", PDF)} if name == "answer_upload" else POSTS[name]
        response = client.post(url, data)
    else:
        response = client.get(url)
    assert response.status_code == expected
    after = effect()
    assert (after != before) == (expected == 302)  # a write happened exactly when it was allowed
    if name in ("explanations", "answer", "leaf_history"):
        # Every reader of the returned sheet sees round 1 (the admin's list shows counts, not comments).
        shown = expected == 200 and name != "explanations"
        assert (COMMENT in response.content.decode()) == shown


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTES)
def test_anonymous_is_sent_to_login(client, period, users, agency, name):
    score = leaf(period, agency)
    appraise(score, D("0.25"), users["reviewer"])
    asked = explanation_request(score=score, kind="explain", text=ASK, user=users["reviewer"])
    response = client.get(route(name, sheet(period, agency), score, asked.pk))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# ---- constant queries -------------------------------------------------------------------------------------


def _period_with(n_agencies: int, users):
    agencies = [make_agency(f"Sở số {i} của {n_agencies}") for i in range(n_agencies)]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=2030 + n_agencies)
    set_deadline(period)
    for agency in agencies:
        score = leaf(period, agency)
        appraise(score, D("0.25"), users["reviewer"], COMMENT)
        explanation_request(score=score, kind="explain", text=ASK, user=users["reviewer"])
    return period, agencies


@pytest.mark.django_db
def test_pages_run_in_a_constant_number_of_queries(client, users, django_assert_num_queries):
    client.force_login(users["admin"])
    # The admin page: session, user, roles, the period, the sheets with their agencies, the grouped counts.
    for n in (1, 4):
        period, agencies = _period_with(n, users)
        # (+1 since the menu shows a badge: the unread notices)
        with django_assert_num_queries(7):
            assert client.get(reverse("appraisal:explanations", args=[period.pk])).status_code == 200
    return_for_explanation(period=period, user=users["admin"])
    assessment, score = sheet(period, agencies[0]), leaf(period, agencies[0])
    # The answer page: session, user, roles, the sheet; leaves, round-1 entries, requests, answers, evidence.
    # The leaf history: session, user, roles, the sheet, the score; changes, entries, requests, answers.
    for extra in (0, 3):
        asked = ExplanationRequest.objects.get(assessment=assessment)
        officer = make_user(f"cb{extra}", Role.OFFICER, agencies[0])
        for i in range(extra):
            explanation_answer(request=asked, text=f"Giải trình {i}", user=officer)
            upload(score, officer)
        # (+1 since the menu shows a badge: the unread notices)
        with django_assert_num_queries(10):
            assert client.get(reverse("appraisal:answer", args=[assessment.pk])).status_code == 200
        # (+1 since the menu shows a badge: the unread notices)
        with django_assert_num_queries(10):
            assert client.get(reverse("appraisal:leaf_history", args=[assessment.pk, score.pk])).status_code == 200
