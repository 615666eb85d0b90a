"""The scoring sheet: rendering in constant queries, saving each method, refusals, stale edits, history."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import Period, Score, ScoreChange
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, assessment_mark_ready, score_save
from criteria.services import index_set_create
from evidence.services import evidence_add_document, evidence_link, evidence_upload
from parindex.names import full_name

from .factories import assessment_of, big_rows, open_period

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def score(assessment, code: str) -> Score:
    return assessment.scores.select_related("node").get(node__code=code)


def save(client: Client, assessment, code: str, **data: str):
    s = score(assessment, code)
    data.setdefault("version", str(s.version))
    return client.post(reverse("assessments:leaf_save", args=[assessment.pk, s.pk]), data)


def test_sheet_shows_every_leaf_in_order_with_inputs_for_the_method(client, users, assessment):
    client.force_login(users["officer"])
    response = client.get(reverse("assessments:sheet", args=[assessment.pk]))
    assert response.status_code == 200
    text = response.text
    ids = [f'id="leaf-{score(assessment, c).pk}"' for c in ("1.1", "1.2", "1.3", "2.1.1.1", "2.1.2", "3.1")]
    assert [text.index(i) for i in ids] == sorted(text.index(i) for i in ids)
    assert 'name="self_points"' in text and 'name="answer_yes"' in text
    assert 'name="numerator"' in text and 'name="event_count"' in text
    assert "Điểm điều tra xã hội học do Sở Nội vụ nhập" in text  # 3.1 is a survey leaf
    assert 'name="not_applicable"' in text  # 1.2 allows it


def fill_with_evidence(assessment, user) -> None:
    """A sheet as it looks near the deadline, written through the services: every self-scored leaf saved with
    a note (some «không áp dụng»), a document reference on every other leaf, an uploaded file on every fourth,
    one decision serving every third leaf, and the officer's "ready" mark."""
    values = {
        "manual": LeafInput(self_points=D("0.5")),
        "yes_no": LeafInput(answer_yes=True),
        "ratio": LeafInput(numerator=D(60), denominator=D(100)),
        "deduction": LeafInput(event_count=1),
    }
    leaves = list(assessment.scores.select_related("node").filter(node__is_survey=False).order_by("node__position"))
    shared = None
    for i, s in enumerate(leaves):
        code = s.node.code
        if s.node.allow_not_applicable and i % 3 == 1:
            edit = ScoreEdit(LeafInput(), not_applicable=True, not_applicable_reason=f"Không phát sinh ({code})")
        else:
            edit = ScoreEdit(values[s.node.method], note=f"Thuyết minh tiêu chí {code}")
        score_save(score=s, edit=edit, version=s.version, user=user)
        if i % 2 == 0:
            evidence_add_document(
                assessment=assessment, score=s, user=user, doc_number=f"{i + 1}/BC-UBND", doc_summary=f"Báo cáo {code}"
            )
        if i % 4 == 0:
            evidence_upload(assessment=assessment, score=s, upload=SimpleUploadedFile(f"tl-{code}.pdf", PDF), user=user)
        if i % 3 == 0:
            if shared is None:
                shared = evidence_add_document(
                    assessment=assessment, score=s, user=user, doc_number="01/QĐ-UBND", doc_summary="Quy chế làm việc"
                )
            else:
                evidence_link(evidence=shared, score=s)
    assessment_mark_ready(assessment=assessment, user=user)


@pytest.mark.parametrize("size", ["compact", "department"])
def test_sheet_query_count_with_scores_notes_and_evidence_is_the_same_small_or_large(
    client, users, agency, django_assert_num_queries, size
):
    """Measured on filled sheets: empty ones would hide a query per saved score's editor or per evidence."""
    if size == "compact":
        index_set, leaves = None, 6  # 5 self-scored leaves + 1 survey leaf
    else:
        index_set = index_set_create(name="Bộ lớn", agency_kind="department", year_from=2026, rows=big_rows())
        leaves = 113  # 112 self-scored leaves + 1 survey leaf
    assessment = assessment_of(open_period(agency, index_set=index_set), agency)
    fill_with_evidence(assessment, users["officer"])
    scores = assessment.scores.filter(node__is_survey=False)
    assert scores.filter(updated_by=users["officer"]).count() == leaves - 1
    assert scores.filter(evidence_links__isnull=False).distinct().count() >= (leaves - 1) // 2
    client.force_login(users["officer"])
    # 1 session, 2 user, 3 the user's roles, 4 the assessment with period, agency and set,
    # 5 evidence links with their evidence, 6 scores with their nodes and last editors, 7 tiers of those nodes,
    # 8 the tree's non-leaf nodes, 9 the unread notices for the menu's badge
    with django_assert_num_queries(9):
        response = client.get(reverse("assessments:sheet", args=[assessment.pk]))
    text = response.text
    assert text.count("data-leaf=") == leaves
    # what was saved is on the page: notes, who saved, documents, files and the shared decision
    assert "Thuyết minh tiêu chí 1.1" in text and f"· {full_name(users['officer'])}" in text
    assert "1/BC-UBND" in text and "tl-1.1" in text and "01/QĐ-UBND" in text
    assert "Chuyên viên đã báo sẵn sàng" in text


def test_save_manual_returns_row_and_totals(client, users, assessment):
    client.force_login(users["officer"])
    response = save(client, assessment, "1.1", self_points="0,75", note="Đã ban hành kế hoạch")
    assert response.status_code == 200
    s = score(assessment, "1.1")
    assert (s.self_points, s.note, s.version, s.updated_by) == (D("0.75"), "Đã ban hành kế hoạch", 2, users["officer"])
    assert f'id="leaf-{s.pk}"' in response.text and "Đã lưu" in response.text
    assert 'id="totals"' in response.text and 'hx-swap-oob="true"' in response.text
    assert re.search(r'id="total-points">0,75<', response.text)


def test_leaf_save_query_count(client, users, assessment, django_assert_num_queries):
    client.force_login(users["officer"])
    s = score(assessment, "1.1")
    url = reverse("assessments:leaf_save", args=[assessment.pk, s.pk])
    # 1 session, 2 user, 3 roles, 4 assessment, 5-7 the leaf (evidence, score+node, tiers), 8 savepoint,
    # 9 the assessment again, locked (still an editable draft?), 10 conditional update, 11 history insert,
    # 12 release, 13-15 the leaf again for the row, 16 domain titles, 17 one row per leaf for the totals
    with django_assert_num_queries(17):
        client.post(url, {"version": "1", "self_points": "1"})


@pytest.mark.parametrize(
    ("code", "data", "points"),
    [
        ("1.2", {"answer_yes": "yes"}, "1"),
        ("1.2", {"answer_yes": "no"}, "0"),
        ("1.3", {"numerator": "85", "denominator": "100"}, "1"),
        ("1.3", {"numerator": "3", "denominator": "5"}, "0.5"),
        ("2.1.2", {"event_count": "2"}, "0.5"),
        ("2.1.2", {"event_count": "7"}, "0"),
        ("2.1.1.1", {"self_points": "0,5"}, "0.5"),
    ],
)
def test_each_method_saves_its_points(client, users, assessment, code, data, points):
    client.force_login(users["officer"])
    assert save(client, assessment, code, **data).status_code == 200
    assert score(assessment, code).self_points == D(points)


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("1.1", {"self_points": "1,5"}, "Điểm phải từ 0 đến 1."),
        ("1.1", {"self_points": "0,3"}, "Điểm phải là bội số của 0,25"),
        ("1.1", {"self_points": "abc"}, "«abc» không phải là số; nhập ví dụ 0,75."),
        ("2.1.1.1", {"self_points": "0,25"}, "Điểm phải là bội số của 0,5"),
        ("1.3", {"numerator": "5", "denominator": "0"}, "Mẫu số phải lớn hơn 0."),
        ("2.1.2", {"event_count": "-1"}, "«-1» không phải là số nguyên không âm."),
        ("1.2", {"not_applicable": "on"}, "Hãy ghi lý do không áp dụng."),
        (
            "1.1",
            {"not_applicable": "on", "not_applicable_reason": "x"},
            "Tiêu chí này không được đánh dấu không áp dụng.",
        ),
    ],
)
def test_refusals_keep_what_was_typed_and_change_nothing(client, users, assessment, code, data, message):
    client.force_login(users["officer"])
    response = save(client, assessment, code, **data)
    assert message in response.text
    assert "Chưa lưu" in response.text
    s = score(assessment, code)
    assert (s.self_points, s.version, s.not_applicable) == (None, 1, False)
    for key in ("self_points", "numerator", "denominator", "event_count"):
        if key in data:
            assert f'value="{data[key]}"' in response.text
    assert not ScoreChange.objects.exists()


def test_refusal_speaks_english_to_an_english_reader(client, users, assessment):
    client.force_login(users["officer"])
    client.post("/ngon-ngu/", {"language": "en", "next": "/"})
    response = save(client, assessment, "1.1", self_points="1,5")
    assert "Points must be between 0 and 1." in response.text
    assert "Not saved" in response.text and "Điểm phải" not in response.text
    response = save(client, assessment, "1.1", self_points="0,3")
    assert "Points must be a multiple of 0.25 (for example 0; 0.25; 0.5…)." in response.text


def test_not_applicable_with_reason_clears_points(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.2", answer_yes="yes")
    save(client, assessment, "1.2", not_applicable="on", not_applicable_reason="Đơn vị không có đơn vị sự nghiệp")
    s = score(assessment, "1.2")
    assert (s.not_applicable, s.self_points, s.answer_yes) == (True, None, None)
    assert s.not_applicable_reason == "Đơn vị không có đơn vị sự nghiệp"


def test_survey_leaf_cannot_be_self_scored(client, users, assessment):
    client.force_login(users["officer"])
    response = save(client, assessment, "3.1", self_points="1")
    assert "Điểm điều tra xã hội học do Sở Nội vụ nhập" in response.text
    assert score(assessment, "3.1").self_points is None


def version_in(response) -> str:
    return re.search(r'name="version" value="(\d+)"', response.text).group(1)


def compared(response) -> list[tuple[str, str, str]]:
    """The stale-edit table: (field, theirs, mine) per row, as the user reads them."""
    rows = re.findall(
        r'<tr[^>]*><th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>', response.text, re.S
    )
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def test_stale_edit_shows_theirs_and_mine_for_every_field_and_keeping_mine_saves_it(client, users, assessment):
    head, officer = Client(), client
    head.force_login(users["head"])
    officer.force_login(users["officer"])
    loaded_version = str(score(assessment, "1.2").version)
    theirs = {"answer_yes": "yes", "note": "Báo cáo số 12/BC gửi đúng hạn"}
    assert save(head, assessment, "1.2", version=loaded_version, **theirs).status_code == 200
    mine = {
        "answer_yes": "no",
        "not_applicable": "on",
        "not_applicable_reason": "Đơn vị không có đơn vị trực thuộc",
        "note": "Chuyên viên: đã hỏi ý kiến phòng Tổ chức",
    }
    response = save(officer, assessment, "1.2", version=loaded_version, **mine)

    # refused: the head's row is what is stored
    s = score(assessment, "1.2")
    assert (s.answer_yes, s.not_applicable, s.note, s.version, s.updated_by) == (
        True,
        False,
        theirs["note"],
        2,
        users["head"],
    )
    assert ScoreChange.objects.count() == 1
    when = date_format(timezone.localtime(s.updated_at), "SHORT_DATETIME_FORMAT")
    assert f"{full_name(users['head'])} vừa lưu tiêu chí này lúc {when}; giá trị của bạn chưa được lưu" in response.text
    # every field, theirs beside mine, the typed note included
    assert compared(response) == [
        ("Kết quả", "Đạt", "Không đạt"),
        ("Điểm", "1", "—"),  # mine is not applicable, so no points
        ("Không áp dụng", "Không", "Có"),
        ("Lý do không áp dụng", "—", mine["not_applicable_reason"]),
        ("Thuyết minh", theirs["note"], mine["note"]),
    ]
    # nothing typed is lost: the inputs still hold mine, on the fresh version
    assert f">{mine['note']}</textarea>" in response.text
    assert f'value="{mine["not_applicable_reason"]}"' in response.text
    assert version_in(response) == "2"
    assert "Giữ bản của tôi và lưu đè" in response.text and "Lấy bản đã lưu, bỏ phần tôi nhập" in response.text

    # "keep mine" sends the row as it stands with the fresh version: saved over theirs
    kept = save(officer, assessment, "1.2", version=version_in(response), **mine)
    assert "Đã lưu «không áp dụng»" in kept.text
    s = score(assessment, "1.2")
    assert (s.answer_yes, s.self_points, s.not_applicable, s.not_applicable_reason, s.note, s.version) == (
        None,
        None,
        True,
        mine["not_applicable_reason"],
        mine["note"],
        3,
    )
    assert s.updated_by == users["officer"] and ScoreChange.objects.count() == 2


def test_stale_edit_take_theirs_shows_the_stored_row(client, users, assessment):
    head, officer = Client(), client
    head.force_login(users["head"])
    officer.force_login(users["officer"])
    save(head, assessment, "1.1", version="1", self_points="0,5", note="Của lãnh đạo")
    response = save(officer, assessment, "1.1", version="1", self_points="1", note="Của chuyên viên")
    assert compared(response) == [("Điểm tự chấm", "0,5", "1"), ("Thuyết minh", "Của lãnh đạo", "Của chuyên viên")]
    take = re.search(r'class="btn btn-sm btn-outline-secondary take-theirs" hx-get="([^"]+)"', response.text).group(1)
    row = officer.get(take).text
    assert 'value="0,5"' in row and ">Của lãnh đạo</textarea>" in row and "Của chuyên viên" not in row
    assert (score(assessment, "1.1").self_points, score(assessment, "1.1").note) == (D("0.5"), "Của lãnh đạo")


def test_history_keeps_every_change_with_who_and_when(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.1", self_points="0,5")
    save(client, assessment, "1.1", self_points="1", note="bổ sung")
    changes = list(ScoreChange.objects.filter(score=score(assessment, "1.1")).order_by("pk"))
    assert [c.changes for c in changes] == [
        {"self_points": [None, "0.5"]},
        {"self_points": ["0.5", "1"], "note": ["", "bổ sung"]},
    ]
    assert {c.changed_by for c in changes} == {users["officer"]}
    response = client.get(reverse("assessments:history", args=[assessment.pk]))
    assert "bổ sung" in response.text


def test_totals_panel_and_leaf_row_render(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.1", self_points="1")
    s = score(assessment, "1.1")
    assert 'id="total-points">1<' in client.get(reverse("assessments:totals", args=[assessment.pk])).text
    row = client.get(reverse("assessments:leaf", args=[assessment.pk, s.pk])).text
    assert row.lstrip().startswith('<div class="leaf') and f'id="leaf-{s.pk}"' in row


def test_deadline_is_counted_in_days(client, users, assessment):
    client.force_login(users["officer"])
    assert "còn 30 ngày" in client.get(reverse("assessments:sheet", args=[assessment.pk])).text
    Period.objects.filter(pk=assessment.period_id).update(
        self_assessment_deadline=timezone.now() - datetime.timedelta(days=3)
    )
    text = client.get(reverse("assessments:sheet", args=[assessment.pk])).text
    assert "quá hạn 3 ngày" in text and "đã khóa" in text


# ---- the live preview: the server's own scoring, nothing written ---------------------------------------


def preview(client: Client, assessment, code: str, **data: str):
    s = score(assessment, code)
    data.setdefault("version", str(s.version))
    return client.post(reverse("assessments:leaf_preview", args=[assessment.pk, s.pk]), data)


def result_line(text: str) -> str:
    """The text of a row's result line (<output class="live-result">), tags and spacing dropped."""
    output = re.search(r'<output class="live-result[^>]*>(.*?)</output>', text, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", output)).split())


@pytest.mark.parametrize(
    ("code", "data"),
    [
        ("1.1", {"self_points": "0,75"}),
        ("1.1", {"self_points": "1"}),
        ("1.2", {"answer_yes": "yes"}),
        ("1.2", {"answer_yes": "no"}),
        ("1.3", {"numerator": "17", "denominator": "20"}),  # 85 % → 1
        ("1.3", {"numerator": "3", "denominator": "5"}),  # 60 % → 0,5
        # 49,995 % rounds half up to 50,00 % (tier 0,5); the old float code said 49,99 % → 0 điểm
        ("1.3", {"numerator": "99,99", "denominator": "200"}),
        ("1.3", {"numerator": "2", "denominator": "3"}),  # 66,67 %
        ("2.1.2", {"event_count": "3"}),  # 1 − 3 × 0,25
        ("2.1.2", {"event_count": "9"}),  # never below 0
        ("2.1.1.1", {"self_points": "0,5"}),
    ],
)
def test_preview_says_what_the_save_then_stores(client, users, assessment, code, data):
    client.force_login(users["officer"])
    shown = result_line(preview(client, assessment, code, **data).text)
    assert shown.startswith("Khi lưu: ")
    saved = save(client, assessment, code, **data)
    stored = result_line(saved.text)
    assert stored.startswith("Điểm đã lưu: ")
    assert shown.removeprefix("Khi lưu: ") == stored.removeprefix("Điểm đã lưu: ")
    points = score(assessment, code).self_points
    assert f"{str(points.normalize()).replace('.', ',')} điểm" in shown


def test_preview_of_the_rounding_case_names_the_tier_the_server_gives(client, users, assessment):
    client.force_login(users["officer"])
    assert result_line(preview(client, assessment, "1.3", numerator="99,99", denominator="200").text) == (
        "Khi lưu: 50 % → 0,5 điểm"
    )
    save(client, assessment, "1.3", numerator="99,99", denominator="200")
    assert score(assessment, "1.3").self_points == D("0.5")


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("1.1", {"self_points": "1,5"}, "Điểm phải từ 0 đến 1."),
        ("1.1", {"self_points": "0,3"}, "Điểm phải là bội số của 0,25 (ví dụ 0; 0,25; 0,5…)."),
        ("1.1", {"self_points": "abc"}, "«abc» không phải là số; nhập ví dụ 0,75."),
        ("1.3", {"numerator": "5", "denominator": "0"}, "Mẫu số phải lớn hơn 0."),
        ("1.3", {"numerator": "6", "denominator": "5"}, "Tử số không được lớn hơn mẫu số."),
        ("1.3", {"numerator": "6"}, "Nhập cả tử số và mẫu số."),
        ("2.1.2", {"event_count": "1,5"}, "«1,5» không phải là số nguyên không âm."),
    ],
)
def test_preview_refuses_what_the_save_refuses_with_the_same_message(client, users, assessment, code, data, message):
    client.force_login(users["officer"])
    assert result_line(preview(client, assessment, code, **data).text) == message
    assert message in save(client, assessment, code, **data).text
    assert score(assessment, code).version == 1


def test_preview_speaks_english_to_an_english_reader(client, users, assessment):
    client.force_login(users["officer"])
    client.post("/ngon-ngu/", {"language": "en", "next": "/"})
    assert result_line(preview(client, assessment, "1.1", self_points="1,5").text) == "Points must be between 0 and 1."


def test_preview_writes_nothing_in_a_fixed_number_of_queries(client, users, assessment, django_assert_num_queries):
    client.force_login(users["officer"])
    save(client, assessment, "1.1", self_points="0,5", note="Đã lưu trước")
    before = list(Score.objects.order_by("pk").values())
    changes = ScoreChange.objects.count()
    manual, ratio = (
        reverse("assessments:leaf_preview", args=[assessment.pk, score(assessment, code).pk]) for code in ("1.1", "1.3")
    )
    # 1 session, 2 user, 3 roles, 4 the assessment, 5 the score with its node, 6 the node's tiers: no write
    with django_assert_num_queries(6):
        response = client.post(manual, {"version": "2", "self_points": "1", "note": "Chưa lưu"})
    assert result_line(response.text) == "Khi lưu: 1 điểm"
    with django_assert_num_queries(6):
        response = client.post(ratio, {"version": "1", "numerator": "3", "denominator": "4"})
    assert result_line(response.text) == "Khi lưu: 75 % → 0,5 điểm"
    assert list(Score.objects.order_by("pk").values()) == before
    assert ScoreChange.objects.count() == changes


def test_preview_is_refused_to_those_who_may_not_edit(client, users, assessment):
    s = score(assessment, "1.1")
    url = reverse("assessments:leaf_preview", args=[assessment.pk, s.pk])
    for role, status in [("other_officer", 404), ("reviewer", 404), ("admin", 403), ("head", 200)]:
        client.force_login(users[role])
        assert client.post(url, {"version": "1", "self_points": "1"}).status_code == status
    assert client.get(url).status_code == 405


def test_sheet_js_no_longer_scores():
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "sheet.js").read_text()
    assert "tiers" not in script and "Math.round" not in script and "liveResult" not in script


# ---- each state of a row says what it is ------------------------------------------------------------


def test_after_a_refused_value_the_row_says_the_stored_points_are_the_saved_ones(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.1", self_points="0,75")
    response = save(client, assessment, "1.1", self_points="3")
    assert "Chưa lưu: Điểm phải từ 0 đến 1." in response.text
    assert result_line(response.text) == "Điểm đã lưu: 0,75 điểm"  # not "= 0,75 điểm" beside the typed 3
    assert 'value="3"' in response.text
    assert score(assessment, "1.1").self_points == D("0.75")
    # nothing saved yet: the row says so instead of showing no points at all
    response = save(client, assessment, "2.1.1.1", self_points="3")
    assert result_line(response.text) == "Chưa chấm"


def test_saving_an_empty_box_clears_the_score_and_says_so(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.1", self_points="0,75")
    assert result_line(preview(client, assessment, "1.1", self_points="").text) == (
        "Ô điểm trống: bấm Lưu sẽ xóa điểm đã lưu (0,75)."
    )
    response = save(client, assessment, "1.1", self_points="")
    status = re.search(r'<span class="save-status[^>]*>(.*?)</span>\s*</div>', response.text, re.S).group(1)
    assert "Đã xóa điểm (trước đó 0,75); tiêu chí trở lại «chưa chấm»." in status
    assert "Đã lưu" not in status
    assert result_line(response.text) == "Chưa chấm"
    s = score(assessment, "1.1")
    assert (s.self_points, s.version) == (None, 3)
    assert ScoreChange.objects.filter(score=s).order_by("-pk").first().changes == {"self_points": ["0.75", None]}


def test_ticking_not_applicable_says_the_typed_score_is_not_counted(client, users, assessment):
    client.force_login(users["officer"])
    typed = {"answer_yes": "yes", "not_applicable": "on"}
    assert result_line(preview(client, assessment, "1.2", **typed).text) == (
        "Không áp dụng: điểm đã nhập sẽ không được tính và bị bỏ khi lưu. Hãy ghi lý do không áp dụng."
    )
    typed["not_applicable_reason"] = "Không có đơn vị trực thuộc"
    assert result_line(preview(client, assessment, "1.2", **typed).text) == (
        "Không áp dụng: điểm đã nhập sẽ không được tính và bị bỏ khi lưu."
    )
    response = save(client, assessment, "1.2", **typed)
    assert "Đã lưu «không áp dụng»; điểm đã nhập không được tính và đã bỏ." in response.text
    assert result_line(response.text) == "Đã lưu: không áp dụng"
    s = score(assessment, "1.2")
    assert (s.not_applicable, s.answer_yes, s.self_points) == (True, None, None)
    # without a typed score, ticking it says what it does to the maximum
    assert (
        result_line(preview(client, assessment, "1.2", not_applicable="on", not_applicable_reason="x").text)
        == "Không áp dụng: khi lưu, tiêu chí ra khỏi điểm tối đa."
    )


def test_an_unchanged_row_shows_its_stored_points_while_the_note_is_typed(client, users, assessment):
    client.force_login(users["officer"])
    save(client, assessment, "1.3", numerator="17", denominator="20")
    assert result_line(preview(client, assessment, "1.3", numerator="17", denominator="20", note="bổ sung").text) == (
        "Điểm đã lưu: 85 % → 1 điểm"
    )
