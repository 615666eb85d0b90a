"""The history page of an assessment: fields and values as the sheet shows them, evidence added, reused
and removed, workflow moves in between, in pages of HISTORY_PAGE_SIZE with a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ScoreChange, Transition, TransitionAction
from assessments.scoring import LeafInput
from assessments.selectors import HISTORY_PAGE_SIZE
from assessments.services import ScoreEdit, assessment_mark_ready, score_save
from evidence.services import evidence_add_document, evidence_link, evidence_unlink

from .factories import assessment_of, open_period

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def score(assessment, code: str):
    return assessment.scores.select_related("node").get(node__code=code)


def history(client, assessment, page: int | None = None) -> str:
    url = reverse("assessments:history", args=[assessment.pk])
    response = client.get(url if page is None else f"{url}?trang={page}")
    assert response.status_code == 200
    return response.text


def test_fields_and_values_read_as_on_the_sheet(client, users, assessment):
    officer = users["officer"]
    manual, yes_no = score(assessment, "1.1"), score(assessment, "1.2")
    score_save(score=manual, edit=ScoreEdit(LeafInput(self_points=D("0.25"))), version=manual.version, user=officer)
    score_save(score=yes_no, edit=ScoreEdit(LeafInput(answer_yes=True)), version=yes_no.version, user=officer)
    yes_no.refresh_from_db()
    score_save(
        score=yes_no,
        edit=ScoreEdit(LeafInput(), not_applicable=True, not_applicable_reason="Không phát sinh"),
        version=yes_no.version,
        user=officer,
    )
    client.force_login(officer)
    text = history(client, assessment)
    # Before: «self_points: — → 0.25», «answer_yes: — → True».
    assert "self_points" not in text and "answer_yes" not in text and "True" not in text
    assert "Điểm tự chấm: <span" in text and "<strong>0,25</strong>" in text
    assert "Kết quả: <span" in text and "<strong>Đạt</strong>" in text
    assert "Đạt</span> → <strong>—</strong>" in text  # the yes/no answer cleared by «không áp dụng»
    assert "Không áp dụng: <span" in text and "<strong>Có</strong>" in text
    assert "Lý do không áp dụng" in text and "Không phát sinh" in text
    # The time is Vietnam's, dd/mm/yyyy HH:MM.
    when = timezone.localtime(
        ScoreChange.objects.latest("pk").changed_at, datetime.timezone(datetime.timedelta(hours=7))
    )
    assert when.strftime("%d/%m/%Y %H:%M") in text


def test_evidence_added_reused_and_removed_are_recorded_and_shown(client, users, assessment):
    officer = users["officer"]
    first, second = score(assessment, "1.1"), score(assessment, "1.3")
    evidence = evidence_add_document(
        assessment=assessment, score=first, user=officer, doc_number="12/KH-UBND", doc_summary="Kế hoạch CCHC 2026"
    )
    evidence_link(evidence=evidence, score=second, user=officer)
    evidence_unlink(evidence=evidence, score=first, user=officer)
    recorded = [(c.score.node.code, c.changes, c.changed_by) for c in ScoreChange.objects.order_by("pk")]
    label = "12/KH-UBND – Kế hoạch CCHC 2026"
    assert recorded == [
        ("1.1", {"evidence_added": [None, label]}, officer),
        ("1.3", {"evidence_reused": [None, label]}, officer),
        ("1.1", {"evidence_removed": [label, None]}, officer),
    ]
    # Each row carries its sheet, which the history page filters on (by the scorechange_history index).
    assert set(ScoreChange.objects.values_list("assessment_id", flat=True)) == {assessment.pk}
    evidence_unlink(evidence=evidence, score=second, user=officer)  # the last link: the evidence is deleted
    client.force_login(users["head"])
    text = history(client, assessment)
    assert text.count(f"«{label}»") == 4  # still readable after the evidence itself is gone
    assert "Thêm tài liệu kiểm chứng: «" in text
    assert "Dùng lại tài liệu kiểm chứng: «" in text
    assert text.count("Gỡ tài liệu kiểm chứng: «") == 2


def test_evidence_through_the_panel_is_recorded_with_its_author(client, users, assessment):
    officer = users["officer"]
    leaf = score(assessment, "1.1")
    client.force_login(officer)
    url = reverse("evidence:document", args=[assessment.pk, leaf.pk])
    client.post(url, {"doc_number": "05/QĐ", "doc_summary": "Quyết định kiện toàn"})
    evidence = leaf.evidence.get()
    other = score(assessment, "1.2")
    client.post(reverse("evidence:link", args=[assessment.pk, other.pk]), {"evidence": evidence.pk})
    client.post(reverse("evidence:unlink", args=[assessment.pk, other.pk, evidence.pk]), {"confirm": "1"})
    assert [(list(c.changes), c.changed_by) for c in ScoreChange.objects.order_by("pk")] == [
        (["evidence_added"], officer),
        (["evidence_reused"], officer),
        (["evidence_removed"], officer),
    ]


def test_transitions_are_interleaved_with_changes_newest_first(client, users, assessment):
    officer = users["officer"]
    leaf = score(assessment, "1.1")
    score_save(score=leaf, edit=ScoreEdit(LeafInput(self_points=D("0.5"))), version=leaf.version, user=officer)
    assessment_mark_ready(assessment=assessment, user=officer)
    leaf.refresh_from_db()
    score_save(score=leaf, edit=ScoreEdit(LeafInput(self_points=D("0.75"))), version=leaf.version, user=officer)
    client.force_login(officer)
    text = history(client, assessment)
    newest, ready, oldest = (
        text.index("<strong>0,75</strong>"),
        text.index("Chuyên viên báo sẵn sàng trình"),
        text.index("→ <strong>0,5</strong>"),
    )
    assert newest < ready < oldest
    assert "3 mục" in text


def _bulk_history(assessment, user, changes: int, transitions: int = 0) -> None:
    """History rows written directly (as the services would have), with distinct times a minute apart."""
    leaf = score(assessment, "1.1")
    start = timezone.now() - datetime.timedelta(days=30)
    ScoreChange.objects.bulk_create(
        ScoreChange(
            score=leaf,
            assessment=assessment,  # bulk_create skips save(), which fills it in
            changed_by=user,
            changed_at=start + datetime.timedelta(minutes=i),
            changes={"note": [f"ghi chú {i - 1}", f"ghi chú {i}"]},
        )
        for i in range(changes)
    )
    Transition.objects.bulk_create(
        Transition(
            assessment=assessment,
            action=TransitionAction.MARK_READY,
            from_state="draft",
            to_state="draft",
            by=user,
            at=start + datetime.timedelta(minutes=changes - i, seconds=30),  # among the newest changes
        )
        for i in range(transitions)
    )


def test_three_hundred_and_one_entries_give_two_pages_with_the_rest_on_page_two(client, users, assessment):
    # The page used to stop silently at 300 rows.
    assert HISTORY_PAGE_SIZE == 300
    _bulk_history(assessment, users["officer"], changes=291, transitions=10)
    client.force_login(users["officer"])
    first = history(client, assessment)
    assert "301 mục" in first and "trang 1/2" in first
    assert first.count('class="list-group-item') == 300
    assert 'href="?trang=2"' in first and 'rel="next"' in first
    second = history(client, assessment, page=2)
    assert second.count('class="list-group-item') == 1
    assert "→ <strong>ghi chú 0</strong>" in second  # the oldest entry, alone on page 2
    assert 'href="?trang=1"' in second and 'rel="prev"' in second
    # Every entry is on exactly one page, transitions included.
    notes = [int(p.split("</strong>")[0]) for t in (first, second) for p in t.split("→ <strong>ghi chú ")[1:]]
    assert sorted(notes) == list(range(291))
    assert first.count("Chuyên viên báo sẵn sàng trình") + second.count("Chuyên viên báo sẵn sàng trình") == 10
    # A page number past the end or not a number shows the last or first page, never an error.
    assert "→ <strong>ghi chú 0</strong>" in history(client, assessment, page=99)
    url = reverse("assessments:history", args=[assessment.pk])
    assert "trang 1/2" in client.get(f"{url}?trang=abc").text


def test_query_count_does_not_grow_with_the_history(client, users, assessment, django_assert_num_queries):
    client.force_login(users["officer"])
    _bulk_history(assessment, users["officer"], changes=5, transitions=2)
    # session, user, the assessment (+ period, agency, set), the user's roles, the count, one page of keys
    # (UNION of changes and transitions), the page's changes with leaf and author, the page's transitions
    # (a page without transitions skips that last one), the unread notices for the menu's badge
    with django_assert_num_queries(9):
        small = history(client, assessment)
    _bulk_history(assessment, users["officer"], changes=400, transitions=40)
    with django_assert_num_queries(9):
        large = history(client, assessment)
    assert "7 mục" in small and "447 mục" in large
