"""Notices: written once per person and key, e-mailed once after the commit (a failing mail server costs the
notice nothing), raised by the workflow's events and by the daily reminders, listed per user in the app."""

import datetime
import json
import logging
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from appraisal.models import ReviewAssignment
from appraisal.notify import notify_explained, notify_returned
from assessments.models import Assessment, AssessmentState, TransitionAction
from assessments.services import assessment_extend, assessment_recall, assessment_submit, assessment_transition
from assessments.workflow import WorkflowError
from organisations.models import Notice, Role
from organisations.notices import notify, send_notice_mails

from .factories import appraisal_period, assessment_of, fill_sheet, make_agency, make_user, open_period

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def mailable(users):
    """Everybody has an e-mail address except the officer of the other agency."""
    for name, user in users.items():
        if name != "other_officer":
            user.email = f"{user.username}@example.gov.vn"
            user.save(update_fields=["email"])
    return users


def keys_of(user) -> list[str]:
    return list(Notice.objects.filter(user=user).order_by("pk").values_list("key", flat=True))


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# ---- the service -------------------------------------------------------------------------------------------


def test_notify_writes_once_per_user_and_key_and_mails_each_new_notice(mailable, django_capture_on_commit_callbacks):
    head, officer, other = mailable["head"], mailable["officer"], mailable["other_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(users=[head, officer, other, head], key="k:1", subject="Tiêu đề", body="Nội dung", url="/x/") == 3
    assert Notice.objects.filter(key="k:1").count() == 3
    # one mail per new notice with an address; the officer without one has the notice in the app only
    assert recipients() == ["chuyenvien@example.gov.vn", "truongphong@example.gov.vn"]
    message = mail.outbox[0]
    assert message.subject == "[Chỉ số CCHC] Tiêu đề"
    assert "Nội dung" in message.body and "/x/" in message.body and "/thong-bao/" in message.body
    assert Notice.objects.get(user=other, key="k:1").emailed_at is None
    assert Notice.objects.get(user=head, key="k:1").emailed_at is not None
    # again: nobody is told twice; a new key tells them again
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(users=[head, officer, other], key="k:1", subject="Lại", body="Lại") == 0
        assert notify(users=[head], key="k:2", subject="Khác", body="Khác") == 1
    assert len(mail.outbox) == 3
    assert Notice.objects.get(user=head, key="k:1").subject == "Tiêu đề"


def test_nothing_is_mailed_or_kept_when_the_callers_transaction_rolls_back(
    mailable, django_capture_on_commit_callbacks
):
    def notify_then_fail() -> None:
        with transaction.atomic():
            notify(users=[mailable["head"]], key="k", subject="s", body="b")
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        notify_then_fail()
    assert not Notice.objects.exists()
    assert mail.outbox == []


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_keeps_the_notice_and_is_logged(
    mailable, settings, caplog, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenBackend"}}
    with (
        caplog.at_level(logging.ERROR, logger="organisations.notices"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert notify(users=[mailable["head"]], key="k", subject="s", body="b") == 1
    notice = Notice.objects.get(user=mailable["head"])
    assert notice.emailed_at is None
    assert "Could not e-mail notice" in caplog.text
    # once the server is back, a later send of the same notice goes out (nothing else marks it sent)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert send_notice_mails([notice.pk]) == 1
    assert recipients() == ["truongphong@example.gov.vn"]


@pytest.mark.django_db(transaction=True)
def test_the_same_notice_raised_at_once_by_many_is_written_and_mailed_once(mailable):
    from .test_races import run_at_once

    people = [mailable["head"], mailable["officer"]]
    results = run_at_once([lambda: notify(users=people, key="cung-luc", subject="s", body="b")] * 8)
    assert sorted(results) == [0] * 6 + [1, 1] or sorted(results) == [0] * 7 + [2], results
    assert Notice.objects.filter(key="cung-luc").count() == 2
    assert recipients() == ["chuyenvien@example.gov.vn", "truongphong@example.gov.vn"]


def test_mail_settings_come_from_the_environment(tmp_path):
    code = "import json, parindex.settings as s; print(json.dumps([s.MAILERS, s.DEFAULT_FROM_EMAIL]))"
    base = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "HOME": str(tmp_path)}

    def read(**extra: str) -> subprocess.CompletedProcess:
        env = {**base, **extra}
        # our own fixed code in a fresh interpreter: settings are read from the environment at import
        return subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )

    mailers, sender = json.loads(read().stdout)
    assert mailers == {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    assert sender == "Chỉ số CCHC <no-reply@localhost>"
    smtp = read(
        EMAIL_HOST="mail.example.gov.vn",
        EMAIL_USE_SSL="true",
        EMAIL_HOST_USER="cchc",
        EMAIL_HOST_PASSWORD="bi-mat",
        DEFAULT_FROM_EMAIL="cchc@example.gov.vn",
    )
    assert json.loads(smtp.stdout) == [
        {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "mail.example.gov.vn",
                    "port": 465,
                    "username": "cchc",
                    "password": "bi-mat",
                    "use_tls": False,
                    "use_ssl": True,
                    "timeout": 10,
                },
            }
        },
        "cchc@example.gov.vn",
    ]
    assert json.loads(read(EMAIL_HOST="mail.example.gov.vn").stdout)[0]["default"]["OPTIONS"]["port"] == 587
    bad = read(EMAIL_HOST="mail.example.gov.vn", EMAIL_USE_SSL="true", EMAIL_USE_TLS="true")
    assert bad.returncode != 0 and "cannot both be on" in bad.stderr


# ---- the workflow's events ---------------------------------------------------------------------------------


def test_a_submission_tells_the_administrators_once_and_a_resubmission_again(
    mailable, agency, django_capture_on_commit_callbacks
):
    superuser = make_user("sieuquantri", is_superuser=True, email="root@example.gov.vn")
    assessment = assessment_of(open_period(agency), agency)
    fill_sheet(assessment, mailable["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=mailable["head"])
    assessment.refresh_from_db()
    key = f"submitted:{assessment.pk}:{assessment.submitted_at.isoformat()}"
    assert keys_of(mailable["admin"]) == [key] and keys_of(superuser) == [key]
    for name in ("head", "officer", "reviewer", "leadership", "no_role"):
        assert keys_of(mailable[name]) == []
    assert recipients() == ["quantri@example.gov.vn", "root@example.gov.vn"]
    notice = Notice.objects.get(user=mailable["admin"])
    assert notice.url == reverse("assessments:sheet", args=[assessment.pk])
    assert agency.name in notice.subject
    # recalled and submitted again: a new submission, a new notice
    assessment_recall(assessment=assessment, user=mailable["head"])
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=mailable["head"])
    assert len(keys_of(mailable["admin"])) == 2
    assert len(mail.outbox) == 4


def test_a_refused_submission_tells_nobody(mailable, agency, django_capture_on_commit_callbacks):
    assessment = assessment_of(open_period(agency), agency)  # nothing scored: refused
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        assessment_submit(assessment=assessment, user=mailable["head"])
    assert not Notice.objects.exists() and mail.outbox == []


@pytest.fixture
def in_appraisal(mailable, agency, other_agency):
    return appraisal_period(agency, other_agency, reviewer=mailable["reviewer"], admin=mailable["admin"])


def test_a_return_tells_the_agencys_officers_and_head_once(
    in_appraisal, mailable, agency, django_capture_on_commit_callbacks
):
    Notice.objects.all().delete()  # the submissions' notices
    ours = assessment_of(in_appraisal, agency)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assessment_transition(ours, TransitionAction.RETURN, mailable["admin"])
            assert notify_returned(ours) == 2
        assert notify_returned(ours) == 0  # a retry
    assert [n for n, u in mailable.items() if keys_of(u)] == ["head", "officer"]
    assert keys_of(mailable["head"])[0].startswith(f"return:{ours.pk}:")
    assert recipients() == ["chuyenvien@example.gov.vn", "truongphong@example.gov.vn"]
    assert "Hạn giải trình" in mail.outbox[0].body


def test_an_explanation_tells_administrators_and_the_periods_reviewers(
    in_appraisal, mailable, agency, other_agency, django_capture_on_commit_callbacks
):
    Notice.objects.all().delete()
    lead = make_agency("Văn phòng UBND tỉnh")
    team_member = make_user("tothamdinh", Role.REVIEWER, lead, email="to@example.gov.vn")
    own_reviewer = make_user("thamdinh.noibo", Role.REVIEWER, agency)  # the sheet's own agency: never told
    unassigned = make_user("thamdinh.khac", Role.REVIEWER)
    domain = in_appraisal.index_sets.get().index_set.nodes.get(code="2")
    ReviewAssignment.objects.filter(period=in_appraisal, node=domain).update(reviewer=None, team=lead)
    ReviewAssignment.objects.create(period=in_appraisal, node=domain.children.get(), reviewer=own_reviewer)
    ours = assessment_of(in_appraisal, agency)
    assessment_transition(ours, TransitionAction.RETURN, mailable["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assessment_transition(ours, TransitionAction.EXPLAIN, mailable["head"])
        assert notify_explained(ours) == 3
        assert notify_explained(ours) == 0
    told = {u.username for u in (*mailable.values(), team_member, own_reviewer, unassigned) if keys_of(u)}
    assert told == {"quantri", "thamdinh", "tothamdinh"}
    assert recipients() == ["quantri@example.gov.vn", "thamdinh@example.gov.vn", "to@example.gov.vn"]


# ---- reminders ---------------------------------------------------------------------------------------------


def remind(now: datetime.datetime) -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--now", timezone.localtime(now).isoformat(), stdout=out)
    return out.getvalue()


def test_reminders_come_7_3_and_1_days_before_the_deadline_each_once(
    mailable, agency, other_agency, django_capture_on_commit_callbacks
):
    period = open_period(agency, other_agency)
    ours, theirs = assessment_of(period, agency), assessment_of(period, other_agency)
    fill_sheet(theirs, mailable["other_officer"])
    assessment_submit(assessment=theirs, user=mailable["admin"])  # submitted: never reminded
    Notice.objects.all().delete()
    deadline = ours.self_assessment_deadline
    date = timezone.localdate(deadline).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã gửi 0 thông báo" in remind(deadline - 8 * DAY)
        assert "Đã gửi 2 thông báo" in remind(deadline - 7 * DAY)  # the edge: deadline = now + 7 days
        assert "Đã gửi 0 thông báo" in remind(deadline - 7 * DAY + datetime.timedelta(hours=5))  # same day again
        assert "Đã gửi 0 thông báo" in remind(deadline - 5 * DAY)
        # the 3-day run is missed; the 1-day reminder still comes, once
        assert "Đã gửi 2 thông báo" in remind(deadline - DAY + datetime.timedelta(hours=2))
        assert "Đã gửi 0 thông báo" in remind(deadline - datetime.timedelta(hours=1))
        assert "Đã gửi 0 thông báo" in remind(deadline + datetime.timedelta(hours=1))  # past the deadline
    assert keys_of(mailable["head"]) == [f"deadline:{ours.pk}:{date}:7", f"deadline:{ours.pk}:{date}:1"]
    assert keys_of(mailable["officer"]) == keys_of(mailable["head"])
    for name in ("admin", "reviewer", "other_officer", "no_role"):
        assert keys_of(mailable[name]) == []
    assert len(mail.outbox) == 4
    assert mail.outbox[0].subject == "[Chỉ số CCHC] Còn 7 ngày đến hạn tự đánh giá"


def test_an_extension_moves_the_reminders_and_a_3_day_window_is_its_own(
    mailable, agency, django_capture_on_commit_callbacks
):
    period = open_period(agency)
    ours = assessment_of(period, agency)
    common = ours.self_assessment_deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã gửi 2 thông báo" in remind(common - 3 * DAY + datetime.timedelta(minutes=1))
    assessment_extend(assessment=ours, user=mailable["admin"], until=common + 10 * DAY)
    ours = Assessment.objects.select_related("period").get(pk=ours.pk)
    new_date = timezone.localdate(ours.self_assessment_deadline).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã gửi 0 thông báo" in remind(common - DAY)  # the common deadline no longer applies
        assert "Đã gửi 2 thông báo" in remind(ours.self_assessment_deadline - 7 * DAY)
    assert keys_of(mailable["head"])[-1] == f"deadline:{ours.pk}:{new_date}:7"


def test_returned_sheets_are_reminded_3_and_1_days_before_the_explanation_deadline(
    in_appraisal, mailable, agency, other_agency, django_capture_on_commit_callbacks
):
    Notice.objects.all().delete()
    ours, theirs = assessment_of(in_appraisal, agency), assessment_of(in_appraisal, other_agency)
    deadline = timezone.now() + 20 * DAY
    type(in_appraisal).objects.filter(pk=in_appraisal.pk).update(explanation_deadline=deadline)
    assessment_transition(ours, TransitionAction.RETURN, mailable["admin"])
    assessment_transition(theirs, TransitionAction.RETURN, mailable["admin"])
    assessment_transition(theirs, TransitionAction.EXPLAIN, mailable["admin"])  # answered: not reminded
    with django_capture_on_commit_callbacks(execute=True):
        assert "Đã gửi 0 thông báo" in remind(deadline - 7 * DAY)  # no 7-day reminder for explanations
        assert "Đã gửi 2 thông báo" in remind(deadline - 3 * DAY)
        assert "Đã gửi 2 thông báo" in remind(deadline - DAY)
        assert "Đã gửi 0 thông báo" in remind(deadline - DAY)
    date = timezone.localdate(deadline).isoformat()
    assert keys_of(mailable["officer"]) == [f"explanation:{ours.pk}:{date}:3", f"explanation:{ours.pk}:{date}:1"]
    assert keys_of(mailable["other_officer"]) == []
    assert Assessment.objects.get(pk=ours.pk).state == AssessmentState.RETURNED


def test_a_bad_now_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO"):
        call_command("send_reminders", "--now", "hôm qua")


# ---- the pages ---------------------------------------------------------------------------------------------

# Every route of organisations/urls_notices.py, for tests/test_url_coverage.py.
ROUTES = {"notices:list", "notices:read", "notices:read_all"}
PEOPLE = ["admin", "reviewer", "own_reviewer", "leadership", "head", "officer", "other_officer", "no_role"]


@pytest.fixture
def people(users, agency):
    return {**users, "own_reviewer": make_user("thamdinh.noibo", Role.REVIEWER, agency)}


@pytest.fixture
def own_notices(people):
    """Two notices for everyone: one read, one unread with a link."""
    for name, user in people.items():
        notify(users=[user], key="cu", subject=f"Cũ của {name}", body="đã đọc")
        notify(users=[user], key="moi", subject=f"Mới của {name}", body="chưa đọc", url="/danh-gia/")
    Notice.objects.filter(key="cu").update(read_at=timezone.now() - DAY)
    return {name: {n.key: n for n in Notice.objects.filter(user=user)} for name, user in people.items()}


def snapshot() -> dict[int, object]:
    return dict(Notice.objects.values_list("pk", "read_at"))


@pytest.mark.parametrize("name", PEOPLE)
def test_everyone_sees_and_marks_only_their_own_notices(client, people, own_notices, name):
    """The matrix: each role × list, read (own and another's), read all; the effect on the rows asserted."""
    client.force_login(people[name])
    page = client.get(reverse("notices:list")).text
    assert f"Mới của {name}" in page and f"Cũ của {name}" in page
    assert page.count("Mới của ") == 1 and page.count("Cũ của ") == 1  # nobody else's
    # another person's notice: 404, unchanged
    stranger = "no_role" if name != "no_role" else "admin"
    theirs = own_notices[stranger]["moi"]
    before = snapshot()
    assert client.post(reverse("notices:read", args=[theirs.pk])).status_code == 404
    assert snapshot() == before
    # own: marked read, nothing else changes; read again keeps the first reading time
    mine = own_notices[name]["moi"]
    response = client.post(reverse("notices:read", args=[mine.pk]), {"trang": "1"})
    assert response.status_code == 302 and response.url == reverse("notices:list") + "?trang=1"
    after = snapshot()
    assert after[mine.pk] is not None
    assert {pk: v for pk, v in after.items() if pk != mine.pk} == {pk: v for pk, v in before.items() if pk != mine.pk}
    client.post(reverse("notices:read", args=[mine.pk]))
    assert snapshot()[mine.pk] == after[mine.pk]
    # GET never writes
    assert client.get(reverse("notices:read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notices:read_all")).status_code == 405


def test_mark_all_read_touches_only_the_users_own(client, people, own_notices):
    client.force_login(people["officer"])
    Notice.objects.filter(key="cu", user=people["officer"]).update(read_at=None)
    before = snapshot()
    client.post(reverse("notices:read_all"))
    after = snapshot()
    own = {n.pk for n in own_notices["officer"].values()}
    assert all(after[pk] is not None for pk in own)
    assert {pk: v for pk, v in after.items() if pk not in own} == {pk: v for pk, v in before.items() if pk not in own}


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, people, own_notices):
    client.force_login(people["head"])
    notice = own_notices["head"]["moi"]
    response = client.post(reverse("notices:read", args=[notice.pk]), {"mo": "1"})
    assert response.status_code == 302 and response.url == "/danh-gia/"
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    # a link that is not a path on this site is never followed
    Notice.objects.filter(pk=notice.pk).update(url="https://evil.example/")
    response = client.post(reverse("notices:read", args=[notice.pk]), {"mo": "1"})
    assert response.url == reverse("notices:list")


def test_anonymous_visitors_are_sent_to_the_login(client, own_notices):
    before = snapshot()
    pk = next(iter(own_notices["head"].values())).pk
    for method, url in [
        ("get", reverse("notices:list")),
        ("post", reverse("notices:read", args=[pk])),
        ("post", reverse("notices:read_all")),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert snapshot() == before


def test_the_navbar_badge_counts_unread_notices(client, people, own_notices):
    client.force_login(people["head"])
    page = client.get(reverse("home")).text
    assert 'id="nav-notices"' in page and "Thông báo: 1 chưa đọc" in page
    Notice.objects.filter(user=people["head"]).update(read_at=timezone.now())
    page = client.get(reverse("home")).text
    assert "chưa đọc" not in page and 'aria-label="Thông báo"' in page


@pytest.mark.parametrize("count", [3, 45])
def test_the_list_costs_the_same_queries_for_few_and_many(client, people, count, django_assert_num_queries):
    user = people["officer"]
    for i in range(count):
        notify(users=[user], key=f"k{i}", subject=f"Thông báo số {i}", body="…")
    client.force_login(user)
    # 1 session, 2 user, 3 the roles for the menu, 4 the unread count (badge, "mark all" and the header
    # share it), 5 the paginator's count, 6 the page of notices
    with django_assert_num_queries(6):
        response = client.get(reverse("notices:list"), {"trang": "2" if count > 20 else "1"})
    shown = response.text.count('class="list-group-item')
    assert shown == (20 if count > 20 else count)
    assert f"Thông báo số {count - 1}" in client.get(reverse("notices:list")).text  # newest first, page 1


# ---- in a browser ------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_notice_list_on_desktop_and_phone(page, live_server, screenshot_dir):
    from playwright.sync_api import expect

    from .conftest import login
    from .factories import PASSWORD

    agency = make_agency("Sở Khoa học và Công nghệ")
    head = make_user("truongphong", Role.HEAD, agency, email="tp@example.gov.vn", first_name="Minh", last_name="Trần")
    assessment = assessment_of(open_period(agency), agency)
    deadline = assessment.self_assessment_deadline
    send_reminders_now = deadline - 7 * DAY + datetime.timedelta(hours=1)
    notify(users=[head], key="cu", subject="Kỳ đánh giá 2026 đã mở", body="Sở Nội vụ đã mở kỳ đánh giá 2026.")
    Notice.objects.filter(key="cu").update(read_at=timezone.now(), created_at=timezone.now() - 3 * DAY)
    remind(send_reminders_now)
    notify(
        users=[head],
        key="tra-lai",
        subject="Yêu cầu giải trình: Kỳ đánh giá 2026",
        body="Tổ thẩm định đã trả bản đánh giá của Sở Khoa học và Công nghệ kèm 3 yêu cầu giải trình, bổ sung tài "
        "liệu. Hạn giải trình: 15/04/2026 17:00.",
        url=reverse("assessments:sheet", args=[assessment.pk]),
    )
    login(page, live_server, head.username, PASSWORD)
    expect(page.locator("#nav-notices .badge")).to_have_text("2")
    page.click("#nav-notices")
    expect(page.locator("h1")).to_have_text("Thông báo")
    expect(page.locator("#notice-count")).to_contain_text("3 thông báo · 2 chưa đọc")
    items = page.locator(".notice-list > li")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Yêu cầu giải trình")  # newest first
    expect(page.locator(".notice-unread")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "notices-desktop.png")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    expect(page.locator("#nav-notices")).to_be_visible()  # outside the collapsed menu on a phone
    page.screenshot(path=screenshot_dir / "notices-phone.png", full_page=True)

    items.nth(1).get_by_role("button", name="Đã đọc").click()
    expect(page.locator("#nav-notices .badge")).to_have_text("1")
    expect(page.locator(".notice-unread")).to_have_count(1)
    page.get_by_role("button", name="Mở", exact=True).first.click()
    page.wait_for_url(f"{live_server.url}/danh-gia/{assessment.pk}/")
    expect(page.locator("#nav-notices .badge")).to_have_count(0)
    assert not Notice.objects.filter(user=head, read_at__isnull=True).exists()
