"""The reviewer's work: the queue, by agency, by criterion, the htmx row saves (stale-edit protection,
errors on the row), explanation requests, «accept the self points» for a selection, who may do what, and
the query counts of both views."""

import datetime
from decimal import Decimal

import pytest
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
from appraisal.services import AppraisalEdit, appraisal_save, assignment_save, explanation_request
from assessments.models import Evidence, EvidenceKind, EvidenceLink, Period, Score
from criteria.models import Node
from evidence.services import evidence_add_document, evidence_upload
from organisations.models import Role

from .factories import appraisal_period, make_agency, make_user

D = Decimal


@pytest.fixture
def period(users, agency, other_agency):
    return appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])


@pytest.fixture
def outsiders(period, users, agency):
    """A reviewer of another domain (domain 2 is theirs) and a reviewer from the sheet's own agency."""
    other = make_user("thamdinh.vbqppl", Role.REVIEWER)
    domain_2 = Node.objects.get(index_set__in=period.index_sets.values("index_set"), code="2")
    assignment_save(period=period, node=domain_2, reviewer=other, user=users["admin"])
    own = make_user("thamdinh.khcn", Role.REVIEWER, agency)
    return {"other_reviewer": other, "own_reviewer": own}


def add_document(score: Score, **fields: object) -> Evidence:
    """Evidence the agency attached before submitting (the sheet is read-only to the services now)."""
    evidence = Evidence.objects.create(assessment_id=score.assessment_id, kind=EvidenceKind.DOCUMENT, **fields)
    EvidenceLink.objects.create(evidence=evidence, score=score)
    return evidence


def leaf(period, agency, code="1.1") -> Score:
    return Score.objects.select_related("node").get(
        assessment__period=period, assessment__agency=agency, node__code=code
    )


def save_url(score: Score) -> str:
    return reverse("appraisal:save", args=[score.assessment_id, score.pk])


def entries() -> list[tuple]:
    return list(AppraisalEntry.objects.order_by("pk").values_list("score_id", "points", "comment", "accepted_self"))


def saved_elsewhere(score: Score, reviewer) -> int:
    """The leaf saved (0,25, «Của người kia») by another tab or reviewer after the row was read; the version read."""
    read_at = score.version
    appraisal_save(
        score=score, edit=AppraisalEdit(points=D("0.25"), comment="Của người kia"), version=read_at, user=reviewer
    )
    return read_at


# ---- the pages ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_counts_what_is_left_per_domain_and_agency(client, period, users, agency, other_agency):
    client.force_login(users["reviewer"])
    # Two sheets × (domain 1: 1.1, 1.2, 1.3; domain 2: 2.1.1.1, 2.1.2); the survey leaf is not appraised.
    response = client.get(reverse("appraisal:queue"))
    work = response.context["works"][0]
    assert [(d.node.code, d.left, d.total) for d in work.domains] == [("1", 6, 6), ("2", 4, 4)]
    assert (work.left, work.total) == (10, 10)
    score = leaf(period, agency)
    appraisal_save(score=score, edit=AppraisalEdit(points=D(1)), version=score.version, user=users["reviewer"])
    response = client.get(reverse("appraisal:queue"))
    work = response.context["works"][0]
    assert [(d.node.code, d.left) for d in work.domains] == [("1", 5), ("2", 4)]
    assert {c.assessment.agency.name: c.left for c in work.agencies} == {agency.name: 4, "Sở Tư pháp": 5}
    assert reverse("appraisal:sheet", args=[score.assessment_id]) in response.text
    # The by-criterion link of a domain starts at its first leaf with work left.
    first, second = (
        reverse("appraisal:criterion", args=[period.pk, leaf(period, agency, c).node_id]) for c in ("1.1", "1.2")
    )
    assert first in response.text and second not in response.text
    other = leaf(period, other_agency)
    appraisal_save(score=other, edit=AppraisalEdit(points=D(1)), version=other.version, user=users["reviewer"])
    response = client.get(reverse("appraisal:queue"))
    assert first not in response.text and second in response.text


@pytest.mark.django_db
def test_by_agency_shows_inputs_note_evidence_and_the_fields(client, period, users, agency):
    ratio = leaf(period, agency, "1.3")
    Score.objects.filter(pk=ratio.pk).update(numerator=45, denominator=60, note="45 hồ sơ trực tuyến")
    add_document(ratio, doc_number="15/KH-SKHCN", doc_summary="Kế hoạch CCHC 2026")
    client.force_login(users["reviewer"])
    response = client.get(reverse("appraisal:sheet", args=[ratio.assessment_id]))
    text = response.text
    assert "Tử số / mẫu số: 45 / 60 (75 %)" in text
    assert "45 hồ sơ trực tuyến" in text and "15/KH-SKHCN" in text and "Kế hoạch CCHC 2026" in text
    assert text.count('name="points"') == 5  # the five leaves of the reviewer, each with its field
    assert "Giữ điểm tự chấm" in text and "Yêu cầu giải trình" in text
    assert 'id="accept-many"' in text and "js/appraisal.js" in text


@pytest.mark.django_db
def test_by_criterion_lists_every_agency_and_moves_between_leaves(client, period, users, agency, other_agency):
    score = leaf(period, agency, "1.2")
    client.force_login(users["reviewer"])
    response = client.get(reverse("appraisal:criterion", args=[period.pk, score.node_id]))
    assert [row.assessment.agency.name for row in response.context["rows"]] == sorted([agency.name, other_agency.name])
    assert response.context["previous"].code == "1.1" and response.context["next"].code == "1.3"
    assert [c.node.code for c in response.context["leaves"]] == ["1.1", "1.2", "1.3", "2.1.1.1", "2.1.2"]


# ---- saving ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_save_appends_an_entry_and_returns_the_row(client, period, users, agency):
    score = leaf(period, agency)
    client.force_login(users["reviewer"])
    response = client.post(
        save_url(score), {"version": score.version, "points": "0,75", "comment": "Thiếu phụ lục", "mode": "sheet"}
    )
    assert response.status_code == 200
    assert entries() == [(score.pk, D("0.75"), "Thiếu phụ lục", False)]
    assert f'id="work-{score.pk}"' in response.text and "Đã lưu" in response.text
    assert 'data-pending=""' in response.text  # no longer left in this round
    score.refresh_from_db()
    assert score.appraised_points == D("0.75")


@pytest.mark.django_db
def test_accept_self_points_per_leaf(client, period, users, agency):
    score = leaf(period, agency)
    Score.objects.filter(pk=score.pk).update(self_points=D("0.5"))
    client.force_login(users["reviewer"])
    response = client.post(save_url(score), {"version": score.version, "points": "", "accept": "1"})
    assert response.status_code == 200
    assert entries() == [(score.pk, D("0.5"), "", True)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("points", "message"),
    [("5", "Điểm phải từ 0 đến 1."), ("abc", "«abc» không phải là số điểm."), ("", "Nhập điểm thẩm định.")],
)
def test_a_refused_save_says_why_on_the_row_keeping_the_input(client, period, users, agency, points, message):
    score = leaf(period, agency)
    client.force_login(users["reviewer"])
    response = client.post(save_url(score), {"version": score.version, "points": points, "comment": "Ý kiến giữ lại"})
    assert response.status_code == 200
    assert message in response.text and "Chưa lưu" in response.text
    assert f'value="{points}"' in response.text and "Ý kiến giữ lại" in response.text
    assert entries() == []


@pytest.mark.django_db
def test_a_stale_save_shows_the_stored_values_and_keeps_what_was_typed(client, period, users, agency):
    score = leaf(period, agency)
    read_at = saved_elsewhere(score, users["reviewer"])
    client.force_login(users["reviewer"])
    response = client.post(save_url(score), {"version": read_at, "points": "1", "comment": "Của tôi"})
    text = response.text
    assert "vừa lưu tiêu chí này" in text and "Bản đã lưu" in text and "0,25" in text and "Của người kia" in text
    assert 'value="1"' in text and "Của tôi</textarea>" in text  # the typed values stay in the inputs
    assert entries() == [(score.pk, D("0.25"), "Của người kia", False)]
    score.refresh_from_db()
    assert f'name="version" value="{score.version}"' in text  # saving again overwrites, knowingly


@pytest.mark.django_db
def test_an_explanation_request_in_round_one(client, period, users, agency):
    score = leaf(period, agency)
    client.force_login(users["reviewer"])
    url = reverse("appraisal:request", args=[score.assessment_id, score.pk])
    response = client.post(url, {"kind": "supplement", "text": "Bổ sung kế hoạch đã ký"})
    assert response.status_code == 200 and "Bổ sung kế hoạch đã ký" in response.text
    assert list(ExplanationRequest.objects.values_list("score_id", "kind", "text")) == [
        (score.pk, "supplement", "Bổ sung kế hoạch đã ký")
    ]
    response = client.post(url, {"kind": "explain", "text": "  "})
    assert "Ghi nội dung cần đơn vị giải trình hoặc bổ sung." in response.text
    assert ExplanationRequest.objects.count() == 1


@pytest.mark.django_db
def test_points_typed_but_not_saved_survive_an_explanation_request(client, period, users, agency):
    """The request form sends the row's inputs along (hx-include): the row drawn again after the request keeps
    what the reviewer typed, marked unsaved, and nothing of it is stored until they press Lưu."""
    score = leaf(period, agency)
    client.force_login(users["reviewer"])
    url = reverse("appraisal:request", args=[score.assessment_id, score.pk])
    page = client.get(reverse("appraisal:sheet", args=[score.assessment_id])).text
    fields = ", ".join(f"#work-{score.pk} .work-form [name={name}]" for name in ("points", "comment", "version"))
    assert f'hx-include="{fields}"' in page
    typed = {
        "kind": "explain",
        "text": "Giải trình số liệu",
        "points": "0,75",
        "comment": "Thiếu quyết định",
        "version": str(score.version),
    }
    response = client.post(url, typed)
    text = response.text
    assert "Giải trình số liệu" in text and "Đã ghi yêu cầu" in text
    assert 'value="0,75"' in text and "Thiếu quyết định</textarea>" in text
    assert 'data-unsaved="1"' in text and "work-dirty" in text
    assert entries() == []  # the request is stored, the points are not
    assert ExplanationRequest.objects.filter(score=score).count() == 1
    # Typed as stored (nothing typed on a row never appraised): no mark.
    response = client.post(url, {"kind": "explain", "text": "Thêm một ý", "points": "", "comment": ""})
    assert 'data-unsaved="1"' not in response.text and "work-dirty" not in response.text
    # A refused request keeps the typed values too.
    response = client.post(
        url, {"kind": "explain", "text": " ", "points": "1", "comment": "Đủ", "version": score.version}
    )
    assert 'value="1"' in response.text and "Đủ</textarea>" in response.text and 'data-unsaved="1"' in response.text
    assert "vừa lưu tiêu chí này" not in response.text
    assert entries() == [] and ExplanationRequest.objects.filter(score=score).count() == 2


@pytest.mark.django_db
def test_a_request_after_someone_else_saved_the_leaf_shows_the_row_stale(client, period, users, agency):
    """The leaf was saved elsewhere (another tab, another reviewer) after the row was read: the row that comes back keeps
    what this reviewer typed beside what is stored, as a stale save does, so their next Lưu overwrites knowingly."""
    score = leaf(period, agency)
    read_at = saved_elsewhere(score, users["reviewer"])
    client.force_login(users["reviewer"])
    url = reverse("appraisal:request", args=[score.assessment_id, score.pk])
    typed = {"kind": "explain", "text": "Giải trình", "points": "1", "comment": "Của tôi", "version": read_at}
    text = client.post(url, typed).text
    assert "vừa lưu tiêu chí này" in text and "Của người kia" in text and 'value="1"' in text
    assert "work-stale" in text and 'data-unsaved="1"' in text
    assert entries() == [(score.pk, D("0.25"), "Của người kia", False)]  # nothing of this reviewer's stored
    for refused in ({**typed, "text": " "},):  # a refused request from the same stale row says so too
        assert "vừa lưu tiêu chí này" in client.post(url, refused).text


@pytest.mark.django_db
def test_accept_self_points_for_a_selection(client, period, users, agency, other_agency):
    first, second, third = leaf(period, agency), leaf(period, other_agency), leaf(period, agency, "1.2")
    client.force_login(users["reviewer"])
    page = reverse("appraisal:criterion", args=[period.pk, first.node_id])
    response = client.post(
        reverse("appraisal:accept_many"),
        {
            "score": [first.pk, second.pk, third.pk],
            f"v{first.pk}": first.version,
            f"v{second.pk}": second.version,
            f"v{third.pk}": third.version - 1,  # read before someone saved: refused, the others saved
            "next": page,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page
    assert sorted(e[0] for e in entries()) == sorted([first.pk, second.pk])
    assert all(e[3] for e in entries())
    assert "Đã giữ điểm tự chấm cho 2 tiêu chí." in response.text
    assert "có người vừa lưu trước" in response.text


# ---- round 2: the agency's answers on the row ------------------------------------------------------------

PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"


@pytest.mark.django_db
def test_round_two_rows_show_the_answers_and_added_evidence_under_the_request(client, period, users, agency):
    score = leaf(period, agency)
    before = add_document(score, doc_number="15/KH-SKHCN", doc_summary="Kế hoạch CCHC")
    score.refresh_from_db()
    appraisal_save(
        score=score,
        edit=AppraisalEdit(points=D("0.5"), comment="Thiếu quyết định"),
        version=score.version,
        user=users["reviewer"],
    )
    explanation_request(score=score, kind="supplement", text="Bổ sung quyết định ban hành", user=users["reviewer"])
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=7))
    period.refresh_from_db()
    return_for_explanation(period=period, user=users["admin"])
    request = ExplanationRequest.objects.get()
    explanation_answer(request=request, text="Quyết định 20/QĐ-SKHCN đã ban hành ngày 10/01", user=users["officer"])
    added = evidence_upload(
        assessment=score.assessment,
        score=score,
        upload=SimpleUploadedFile("quyet-dinh-20.pdf", PDF),
        user=users["officer"],
        lock=explanation_evidence_lock,
    )
    client.force_login(users["reviewer"])
    page = reverse("appraisal:sheet", args=[score.assessment_id])

    # Answered but not sent: the reviewer sees the answer marked as not sent, and cannot appraise yet.
    row = client.get(page).context["rows"][0]
    assert row.score.pk == score.pk and not row.editable
    text = client.get(page).text
    assert "Quyết định 20/QĐ-SKHCN đã ban hành ngày 10/01" in text and "chưa gửi" in text

    explanation_send(assessment=score.assessment, user=users["head"])
    response = client.get(page)
    row = next(r for r in response.context["rows"] if r.score.pk == score.pk)
    assert row.round == 2 and row.editable and row.pending
    assert row.asked == [(request, ExplanationAnswer.objects.get())]
    assert row.added_evidence == [added] and row.documents == [before] and row.files == []
    html = response.text
    start = html.index(f'id="work-{score.pk}"')
    html = html[start : html.index('class="work-row', start + 1)]
    # Under the request: the answer, then the file the agency added, through the checked evidence views.
    request_at = html.index("Bổ sung quyết định ban hành")
    assert request_at < html.index("Quyết định 20/QĐ-SKHCN đã ban hành ngày 10/01") < html.index("quyet-dinh-20.pdf")
    assert reverse("evidence:download", args=[added.pk]) in html
    assert reverse("evidence:inline", args=[added.pk]) in html
    assert "chưa gửi" not in html and "Tài liệu bổ sung khi giải trình" in html
    assert html.index("15/KH-SKHCN") < request_at  # what was submitted stays in the evidence list above
    # The row links the leaf's history, where the reviewer finds both rounds' steps.
    history = reverse("appraisal:leaf_history", args=[score.assessment_id, score.pk])
    assert f'href="{history}"' in html
    events = [e.kind for e in client.get(history).context["events"] if e.kind != "self"]
    assert events == ["appraisal", "request", "answer"]


@pytest.mark.django_db
def test_an_unsaved_row_comes_back_marked_when_a_save_is_refused(client, period, users, agency):
    score = leaf(period, agency)
    client.force_login(users["reviewer"])
    response = client.get(reverse("appraisal:sheet", args=[score.assessment_id]))
    # Every row has the mark, hidden until something is typed (appraisal.js).
    assert response.text.count("work-unsaved d-none") == len(response.context["rows"]) == 5
    response = client.post(save_url(score), {"version": score.version, "points": "7", "comment": ""})
    assert 'data-unsaved="1"' in response.text and "work-dirty" in response.text
    assert "work-unsaved d-none" not in response.text
    response = client.post(save_url(score), {"version": score.version, "points": "1", "comment": ""})
    assert "Đã lưu" in response.text and "data-unsaved" not in response.text
    assert "work-unsaved d-none" in response.text


# ---- who may do what ------------------------------------------------------------------------------------

GETS = ["queue", "sheet", "criterion"]
POSTS = ["save", "request", "accept_many"]
ROLES = ["reviewer", "other_reviewer", "own_reviewer", "officer", "other_officer", "leadership", "admin", "no_role"]
# What each role gets; a 200/302 on a write by anyone but the assigned reviewer must still write nothing.
EXPECTED = {
    "reviewer": {"queue": 200, "sheet": 200, "criterion": 200, "save": 200, "request": 200, "accept_many": 302},
    "other_reviewer": {"queue": 200, "sheet": 200, "criterion": 200, "save": 403, "request": 403, "accept_many": 302},
    "own_reviewer": {"queue": 200, "sheet": 403, "criterion": 200, "save": 403, "request": 403, "accept_many": 302},
    "officer": dict.fromkeys(GETS + POSTS, 403),
    "other_officer": dict.fromkeys(GETS + POSTS, 403),
    "leadership": {**dict.fromkeys(GETS, 200), **dict.fromkeys(POSTS, 403)},
    "admin": {**dict.fromkeys(GETS, 200), **dict.fromkeys(POSTS, 403)},
    "no_role": dict.fromkeys(GETS + POSTS, 403),
}


def call(client, name: str, score: Score):
    if name == "queue":
        return client.get(reverse("appraisal:queue"))
    if name == "sheet":
        return client.get(reverse("appraisal:sheet", args=[score.assessment_id]))
    if name == "criterion":
        return client.get(reverse("appraisal:criterion", args=[score.assessment.period_id, score.node_id]))
    if name == "save":
        return client.post(save_url(score), {"version": score.version, "points": "1", "comment": "x"})
    if name == "request":
        url = reverse("appraisal:request", args=[score.assessment_id, score.pk])
        return client.post(url, {"kind": "explain", "text": "Giải trình"})
    return client.post(reverse("appraisal:accept_many"), {"score": [score.pk], f"v{score.pk}": score.version})


def effects() -> tuple:
    return (entries(), list(ExplanationRequest.objects.values_list("pk", flat=True)))


@pytest.mark.django_db
@pytest.mark.parametrize("name", GETS + POSTS)
@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, period, users, outsiders, agency, name, role):
    score = Score.objects.select_related("node", "assessment").get(
        assessment__period=period, assessment__agency=agency, node__code="1.1"
    )
    Score.objects.filter(pk=score.pk).update(self_points=D("0.5"))
    before = effects()
    client.force_login({**users, **outsiders}[role])
    response = call(client, name, score)
    assert response.status_code == EXPECTED[role][name]
    wrote = effects() != before
    assert wrote == (role == "reviewer" and name in POSTS)
    if name in ("sheet", "criterion") and response.status_code == 200:
        # Leaf 1.1 of this sheet is the assigned reviewer's: others see no row of it, readers see it read-only.
        shown = f'id="work-{score.pk}"' in response.text
        assert shown == (role in ("reviewer", "leadership", "admin"))
        # Fields only for leaves the viewer appraises: on this sheet the other domain's reviewer has domain 2.
        writers = ("reviewer", "other_reviewer") if name == "sheet" else ("reviewer",)
        assert ('name="points"' in response.text) == (role in writers)


@pytest.mark.django_db
@pytest.mark.parametrize("name", GETS + POSTS)
def test_anonymous_is_sent_to_login(client, period, agency, name):
    score = Score.objects.select_related("node", "assessment").get(
        assessment__period=period, assessment__agency=agency, node__code="1.1"
    )
    before = effects()
    response = call(client, name, score)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert effects() == before


# ---- query counts ---------------------------------------------------------------------------------------


def busy_period(users, count: int, *, asked: bool = True):
    """``count`` agencies in appraisal, each leaf 1.1 appraised once with a document as evidence; with
    ``asked``, leaf 1.1 of every sheet was asked about, the sheets returned, and each agency answered with a
    new document."""
    agencies = [make_agency(f"Sở số {i:03d}") for i in range(count)]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=2030 + count)
    for score in Score.objects.select_related("node", "assessment").filter(
        assessment__period=period, node__code__in=("1.1", "1.3")
    ):
        appraisal_save(
            score=score, edit=AppraisalEdit(points=D(0), comment="Đủ"), version=score.version, user=users["reviewer"]
        )
        add_document(score, doc_number="1/KH")
        if asked and score.node.code == "1.1":
            explanation_request(score=score, kind="explain", text="Giải trình", user=users["reviewer"])
    if asked:
        Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=7))
        period.refresh_from_db()
        return_for_explanation(period=period, user=users["admin"])
        for request in ExplanationRequest.objects.filter(assessment__period=period).select_related("score"):
            officer = make_user(f"cv{request.pk}", Role.OFFICER, request.score.assessment.agency)
            explanation_answer(request=request, text="Đã ban hành, gửi kèm quyết định", user=officer)
            evidence_add_document(
                assessment=request.score.assessment,
                score=request.score,
                user=officer,
                lock=explanation_evidence_lock,
                doc_number="9/QĐ",
            )
    return period


# Session, user, roles (3); the period (1); the leaf (1); the assignment map (4: its rows, the period's
# sets, the parent links of their nodes, the reviewers' agencies); the leaf's scores with their agencies
# (1); their evidence links, appraisal entries, explanation requests and the agency's answers (4); the leaf
# picker: the sheets in appraisal, one row per appraisable score, the nodes named (3); the unread notices
# for the menu's badge (1).
CRITERION_QUERIES = 18


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_by_criterion_page_queries_do_not_grow_with_agencies(client, users, count, django_assert_num_queries):
    period = busy_period(users, count)
    node = Node.objects.get(index_set__in=period.index_sets.values("index_set"), code="1.1")
    client.force_login(users["reviewer"])
    with django_assert_num_queries(CRITERION_QUERIES):
        response = client.get(reverse("appraisal:criterion", args=[period.pk, node.pk]))
    assert len(response.context["rows"]) == count
    # Every row shows its request with the agency's answer and the document it added, and links its history.
    assert response.text.count("Đã ban hành, gửi kèm quyết định") == count
    assert response.text.count("9/QĐ") == count
    assert response.text.count("/lich-su/") == count


# Session, user, roles (3); the sheet with period, agency and set (1); the assignment map (4, as above);
# the sheet's scores with their nodes (1); evidence links, appraisal entries, explanation requests and the
# agency's answers (4); the unread notices for the menu's badge (1).
SHEET_QUERIES = 14


@pytest.mark.django_db
@pytest.mark.parametrize("appraised", [False, True])
def test_by_agency_page_queries_do_not_grow_with_entries_or_evidence(
    client, users, appraised, django_assert_num_queries
):
    period = (
        busy_period(users, 2)
        if appraised
        else appraisal_period(
            make_agency("Sở A"), make_agency("Sở B"), reviewer=users["reviewer"], admin=users["admin"], year=2040
        )
    )
    assessment = period.assessments.order_by("pk").first()
    client.force_login(users["reviewer"])
    with django_assert_num_queries(SHEET_QUERIES):
        response = client.get(reverse("appraisal:sheet", args=[assessment.pk]))
    assert len(response.context["rows"]) == 5
    assert ("Đã ban hành, gửi kèm quyết định" in response.text) == appraised  # the asked case shows the answer


# «Giữ điểm tự chấm» for a selection: the request's own queries, the assignment map once, then each row
# through the locked service.
# Once: session, user, roles (3); the chosen scores with their nodes and agencies, among the visible sheets
# (1); the assignment map of their period (4: its rows, the period's sets, the parent links of their nodes,
# the reviewers' agencies). Before the map was shared it was read again for every row (10 per row).
ACCEPT_MANY_BASE = 8
# Per row, each in its own transaction (a savepoint here, inside the test's): the savepoint, the locked sheet
# with its period and agency, the score with its node, the versioned update, the appended entry, the release.
ACCEPT_MANY_PER_ROW = 6


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 10])
def test_accept_many_reads_the_assignment_map_once(client, users, count, django_assert_num_queries):
    agencies = [make_agency(f"Sở số {i:03d}") for i in range(count)]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=2050 + count)
    scores = list(Score.objects.filter(assessment__period=period, node__code="1.1"))
    Score.objects.filter(pk__in=[s.pk for s in scores]).update(self_points=D("0.75"))
    data = {"score": [s.pk for s in scores], **{f"v{s.pk}": s.version for s in scores}}
    client.force_login(users["reviewer"])
    with django_assert_num_queries(ACCEPT_MANY_BASE + ACCEPT_MANY_PER_ROW * count):
        response = client.post(reverse("appraisal:accept_many"), data)
    assert response.status_code == 302
    assert sorted(entries()) == sorted((s.pk, D("0.75"), "", True) for s in scores)
    assert set(Score.objects.filter(pk__in=data["score"]).values_list("appraised_points", "appraisal_round")) == {
        (D("0.75"), 1)
    }
