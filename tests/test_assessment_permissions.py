"""Every assessment URL × every role → the expected status AND the expected effect on the database.

A status alone proves little here: a success and a refusal both redirect (the head's "submit" on an
unfinished sheet is a refusal that returns 302 like a success). So each entry snapshots the state the
workflow can change before and after the request: a refusal, and every read, leaves it exactly as it
was; an allowed write makes exactly the change it promises and nothing else. The data is set up so that
every success path really succeeds: the sheet is fully scored with evidence (so the head's submit goes
through), and a period being set up has a deadline and participants (so the administrator opens it).

An outsider gets 404, never a glimpse; that includes requests that pair the user's own assessment id
with another agency's score or evidence id, in the URL or in a form field.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments.models import (
    Assessment,
    Evidence,
    Period,
    PeriodState,
    Score,
    ScoreChange,
    Transition,
)
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, assessment_submit, period_save, score_save
from criteria.models import IndexSet
from evidence.services import evidence_add_document, evidence_upload
from organisations.models import Agency, Role

from .factories import assessment_of, make_index_set, make_user, open_period

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = Decimal
ROLES = ["admin", "reviewer", "leadership", "head", "officer", "other_head", "other_officer", "no_role"]
PDF = b"%PDF-1.7\n" + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 8 + b"%%EOF\n"
LEAVES = ["1.1", "1.2", "1.3", "2.1.1.1", "2.1.2", "3.1"]  # the compact set's scored and survey leaves
HTMX = {"HX-Request": "true"}  # what the sheet's htmx requests carry

OPEN_PERIOD = "Kỳ đánh giá 2026"  # open_period's name: both agencies self-assessing
SETUP_PERIOD = "Kỳ bổ sung 2026"  # being set up, ready to open
NEW_PERIOD = "Kỳ đánh giá 2027"  # what the administrator creates
SETUP_SET = "Bộ bổ sung"  # the setup period's set, frozen when it opens


# ---- the people and the data -------------------------------------------------------------------------


@pytest.fixture
def people(users, other_agency):
    """The shared roles plus the head of the other agency: a head, but of the wrong agency."""
    return {**users, "other_head": make_user("lanhdao.khac", Role.HEAD, other_agency)}


def score_of(assessment: Assessment, code: str) -> Score:
    return assessment.scores.select_related("node").get(node__code=code)


def fill(assessment: Assessment, user) -> None:
    """Score every self-scored leaf through the services, with notes, a document reference on 1.1
    (the leaf that asks for evidence) and a file on 1.2: a sheet its head can really submit."""
    edits = {
        "1.1": ScoreEdit(LeafInput(self_points=D("0.5")), note="Kế hoạch ban hành chậm 10 ngày"),
        "1.2": ScoreEdit(LeafInput(answer_yes=True)),
        "1.3": ScoreEdit(LeafInput(numerator=D(85), denominator=D(100)), note="85/100 hồ sơ trực tuyến"),
        "2.1.1.1": ScoreEdit(LeafInput(self_points=D("0.5"))),
        "2.1.2": ScoreEdit(LeafInput(event_count=1), note="Một lần chậm báo cáo"),
    }
    for code, edit in edits.items():
        s = score_of(assessment, code)
        score_save(score=s, edit=edit, version=s.version, user=user)
    evidence_add_document(
        assessment=assessment,
        score=score_of(assessment, "1.1"),
        user=user,
        doc_number="15/KH-UBND",
        doc_summary="Kế hoạch cải cách hành chính năm 2026",
    )
    evidence_upload(
        assessment=assessment,
        score=score_of(assessment, "1.2"),
        upload=SimpleUploadedFile(f"bao-cao-{assessment.agency_id}.pdf", PDF),
        user=user,
    )


@dataclass
class World:
    ours: Assessment  # the agency of "head" and "officer"
    theirs: Assessment  # the agency of "other_head" and "other_officer"
    setup: Period
    agencies: list[Agency]


@pytest.fixture
def world(people, agency, other_agency) -> World:
    period = open_period(agency, other_agency)
    ours, theirs = assessment_of(period, agency), assessment_of(period, other_agency)
    fill(ours, people["officer"])
    fill(theirs, people["other_officer"])
    setup = period_save(
        year=2026,
        name=SETUP_PERIOD,
        index_sets=[make_index_set(name=SETUP_SET)],
        agencies=[agency, other_agency],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )
    return World(ours=ours, theirs=theirs, setup=setup, agencies=[agency, other_agency])


@pytest.fixture
def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


# ---- what a request may change -----------------------------------------------------------------------


def snapshot(media: Path) -> dict[object, object]:
    """Everything the workflow can change, keyed by names so an expected 'after' needs no ids:
    periods, set freezing, assessments, every score, the history rows in order, evidence with the
    leaves it serves, and the stored files."""
    state: dict[object, object] = {}
    for p in Period.objects.prefetch_related("agencies", "index_sets__index_set"):
        state[("period", p.name)] = (
            p.year,
            p.state,
            p.self_assessment_deadline,
            p.band_good_min,
            p.opened_at,
            tuple(sorted(a.name for a in p.agencies.all())),
            tuple(sorted(s.index_set.name for s in p.index_sets.all())),
        )
    for name, frozen_at in IndexSet.objects.values_list("name", "frozen_at"):
        state[("index_set", name)] = frozen_at
    for period, agency, *rest in Assessment.objects.values_list(
        "period__name",
        "agency__name",
        "state",
        "ready_at",
        "ready_by__username",
        "submitted_at",
        "deadline_extended_to",
    ):
        state[("assessment", period, agency)] = tuple(rest)
    for period, agency, code, *rest in Score.objects.values_list(
        "assessment__period__name",
        "assessment__agency__name",
        "node__code",
        "self_points",
        "note",
        "not_applicable",
        "version",
        "updated_by__username",
    ):
        state[("score", period, agency, code)] = tuple(rest)
    state["score_changes"] = tuple(
        ScoreChange.objects.order_by("pk").values_list(
            "score__assessment__period__name",
            "score__assessment__agency__name",
            "score__node__code",
            "changed_by__username",
        )
    )
    state["transitions"] = tuple(
        Transition.objects.order_by("pk").values_list(
            "assessment__period__name", "assessment__agency__name", "action", "from_state", "to_state", "by__username"
        )
    )
    for e in Evidence.objects.select_related("assessment__agency").prefetch_related("scores__node"):
        state[("evidence", e.pk)] = (
            e.assessment.agency.name,
            str(e),
            tuple(sorted(s.node.code for s in e.scores.all())),
        )
    state["files"] = tuple(sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()))
    return state


class _Recent:
    """Equal to any moment of the last minute: what a service stamps with timezone.now()."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, datetime.datetime) and abs(timezone.now() - other) < datetime.timedelta(minutes=1)

    def __repr__(self) -> str:
        return "<just now>"


JUST_NOW = _Recent()


# ---- the requests --------------------------------------------------------------------------------------


UNTIL = datetime.datetime(2099, 1, 1, 8, 0, tzinfo=HANOI)
NOTE = "Kế hoạch số 15/KH-UBND ban hành đúng hạn"


def period_data(w: World, *, year: int, name: str, deadline: str, band_good_min: str) -> dict[str, object]:
    return {
        "year": str(year),
        "name": name,
        "set_department": str(IndexSet.objects.get(name=SETUP_SET).pk),
        "agencies": [str(a.pk) for a in w.agencies],
        "self_assessment_deadline": deadline,
        "band_good_min": band_good_min,
        "band_fair_min": "70",
        "band_average_min": "60",
        "bonus_cap": "0",
        "penalty_cap": "0",
        "warning_threshold": "75",
    }


def call(client: Client, method: str, name: str, w: World):
    """One request to ``name`` on our agency's assessment with data that succeeds when it is allowed."""
    a, leaf = w.ours, score_of(w.ours, "1.1")
    headers = HTMX if name in {"leaf", "leaf_save", "leaf_preview", "totals"} else {}
    data: dict[str, object] = {}
    if name in {"mine", "periods", "period_add"}:
        url = reverse(f"assessments:{name}")
    elif name in {"period_open", "period_edit"}:
        url = reverse(f"assessments:{name}", args=[w.setup.pk])
    elif name in {"progress", "progress_export"}:
        url = reverse(f"assessments:{name}", args=[a.period_id])
    elif name in {"leaf", "leaf_save", "leaf_preview"}:
        url = reverse(f"assessments:{name}", args=[a.pk, leaf.pk])
    else:
        url = reverse(f"assessments:{name}", args=[a.pk])
    if method == "post":
        data = {
            "leaf_save": {"version": str(leaf.version), "self_points": "1", "note": NOTE},
            "leaf_preview": {"version": str(leaf.version), "self_points": "1", "note": NOTE},
            "submit": {"confirm": "1"},
            "period_open": {"confirm": "1"},
            "recall": {"note": "Bổ sung tài liệu"},
            "extend": {"until": "01/01/2099 08:00", "note": "Chờ số liệu quý IV"},
            "period_add": period_data(w, year=2027, name=NEW_PERIOD, deadline="15/01/2028 17:00", band_good_min="82,5"),
            "period_edit": period_data(
                w, year=2026, name=SETUP_PERIOD, deadline="15/01/2027 17:00", band_good_min="85"
            ),
        }.get(name, {})
    return getattr(client, method)(url, data, headers=headers)


def expected_after(name: str, before: dict, w: World, username: str) -> dict:
    """The state after an allowed write: ``before`` with exactly this write's change."""
    after = dict(before)
    mine = ("assessment", OPEN_PERIOD, w.ours.agency.name)
    state, ready_at, ready_by, submitted_at, extended_to = before[mine]

    def transition(action: str, to_state: str) -> None:
        after["transitions"] += ((OPEN_PERIOD, w.ours.agency.name, action, state, to_state, username),)

    if name == "leaf_save":
        key = ("score", OPEN_PERIOD, w.ours.agency.name, "1.1")
        after[key] = (D(1), NOTE, False, before[key][3] + 1, username)
        after["score_changes"] += ((OPEN_PERIOD, w.ours.agency.name, "1.1", username),)
    elif name == "leaf_preview":
        pass  # a preview writes nothing
    elif name == "mark_ready":
        after[mine] = (state, JUST_NOW, username, submitted_at, extended_to)
        transition("mark_ready", state)
    elif name == "submit":
        after[mine] = ("submitted", ready_at, ready_by, JUST_NOW, extended_to)
        transition("submit", "submitted")
    elif name == "recall":
        after[mine] = ("draft", ready_at, ready_by, None, extended_to)
        transition("recall", "draft")
    elif name == "extend":
        after[mine] = (state, ready_at, ready_by, submitted_at, UNTIL)
        transition("extend", state)
    elif name == "period_add":
        names = tuple(sorted(a.name for a in w.agencies))
        deadline = datetime.datetime(2028, 1, 15, 17, 0, tzinfo=HANOI)
        after[("period", NEW_PERIOD)] = (2027, "setup", deadline, D("82.5"), None, names, (SETUP_SET,))
    elif name == "period_edit":
        year, period_state, _deadline, _band, opened_at, names, sets = before[("period", SETUP_PERIOD)]
        deadline = datetime.datetime(2027, 1, 15, 17, 0, tzinfo=HANOI)
        after[("period", SETUP_PERIOD)] = (year, period_state, deadline, D(85), opened_at, names, sets)
    elif name == "period_open":
        # Open, its set frozen, one draft assessment per participant with one empty score per leaf.
        year, _state, deadline, band, _opened, names, sets = before[("period", SETUP_PERIOD)]
        after[("period", SETUP_PERIOD)] = (year, "open", deadline, band, JUST_NOW, names, sets)
        after[("index_set", SETUP_SET)] = JUST_NOW
        for agency in names:
            after[("assessment", SETUP_PERIOD, agency)] = ("draft", None, None, None, None)
            for code in LEAVES:
                after[("score", SETUP_PERIOD, agency, code)] = (None, "", False, 1, None)
    else:
        raise AssertionError(f"no expected effect for {name}")
    return after


def success_location(name: str, w: World) -> str:
    """Where an allowed write sends the user (a refusal that redirects goes elsewhere or says why)."""
    if name in {"period_add", "period_edit"}:
        return reverse("assessments:periods")
    if name == "period_open":
        return reverse("assessments:progress", args=[w.setup.pk])
    return reverse("assessments:sheet", args=[w.ours.pk])  # every step of the workflow returns to the sheet


def check(response, expected_status: int, method: str, name: str, before: dict, w: World, media: Path, user):
    """The status, and the effect: an allowed write changes exactly what it should, anything else nothing."""
    assert response.status_code == expected_status
    if method == "post" and expected_status in (200, 302):
        if expected_status == 302:
            assert response["Location"] == success_location(name, w)
        assert snapshot(media) == expected_after(name, before, w, user.username)
    else:
        assert snapshot(media) == before


# ---- the matrices --------------------------------------------------------------------------------------


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


# A draft is read by its agency, the administrator and leadership (who follow the self-assessment from the
# progress page, read-only: every write of theirs is a 403 with the reason, not a 404); a reviewer reads it
# once it is submitted.
VIEW = row(200, 404, 200, 200, 200, 404, 404, 404)
DRAFT = {
    ("get", "sheet"): VIEW,
    ("get", "leaf"): VIEW,
    ("get", "totals"): VIEW,
    ("get", "history"): VIEW,
    ("get", "submit"): VIEW,
    ("post", "leaf_save"): row(403, 404, 403, 200, 200, 404, 404, 404),
    ("post", "leaf_preview"): row(403, 404, 403, 200, 200, 404, 404, 404),
    ("post", "mark_ready"): row(403, 404, 403, 302, 302, 404, 404, 404),
    ("post", "submit"): row(403, 404, 403, 302, 403, 404, 404, 404),  # the head of this agency only
    ("post", "recall"): row(403, 404, 403, 403, 403, 404, 404, 404),  # nothing submitted to recall
    ("post", "extend"): row(302, 404, 403, 403, 403, 404, 404, 404),
    ("get", "mine"): row(200, 200, 200, 200, 200, 200, 200, 200),
    # Province-wide roles follow the periods' progress; the reviewer's rows open only submitted sheets.
    ("get", "periods"): row(200, 200, 200, 403, 403, 403, 403, 403),
    ("get", "period_add"): row(200, 403, 403, 403, 403, 403, 403, 403),
    ("post", "period_add"): row(302, 403, 403, 403, 403, 403, 403, 403),
    ("get", "period_edit"): row(200, 403, 403, 403, 403, 403, 403, 403),
    ("post", "period_edit"): row(302, 403, 403, 403, 403, 403, 403, 403),
    ("post", "period_open"): row(302, 403, 403, 403, 403, 403, 403, 403),
    ("get", "progress"): row(200, 200, 200, 403, 403, 403, 403, 403),
    ("get", "progress_export"): row(200, 200, 200, 403, 403, 403, 403, 403),
}
ON_SHEET = ["sheet", "leaf", "totals", "history", "submit"]
SEEN = row(200, 200, 200, 200, 200, 404, 404, 404)  # once submitted: province-wide readers too
READ_ONLY = row(403, 403, 403, 403, 403, 404, 404, 404)
SUBMITTED = {
    **{("get", name): SEEN for name in ON_SHEET},
    ("post", "leaf_save"): READ_ONLY,
    ("post", "leaf_preview"): READ_ONLY,
    ("post", "mark_ready"): READ_ONLY,
    ("post", "submit"): READ_ONLY,  # a second submit
    ("post", "recall"): row(403, 403, 403, 302, 403, 404, 404, 404),  # the head, before the deadline
    ("post", "extend"): row(302, 403, 403, 403, 403, 404, 404, 404),
}
LOCKED = {  # a draft past its deadline: only the administrator's extension gets through
    ("post", "leaf_save"): row(403, 404, 403, 403, 403, 404, 404, 404),
    ("post", "leaf_preview"): row(403, 404, 403, 403, 403, 404, 404, 404),
    ("post", "mark_ready"): row(403, 404, 403, 403, 403, 404, 404, 404),
    ("post", "submit"): row(403, 404, 403, 403, 403, 404, 404, 404),
    ("post", "extend"): row(302, 404, 403, 403, 403, 404, 404, 404),
}


@pytest.mark.parametrize(("method", "name"), list(DRAFT))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_draft(client, people, world, media, method, name, role):
    before = snapshot(media)
    client.force_login(people[role])
    response = call(client, method, name, world)
    check(response, DRAFT[(method, name)][role], method, name, before, world, media, people[role])


@pytest.mark.parametrize(("method", "name"), list(SUBMITTED))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_submitted_assessment(client, people, world, media, method, name, role):
    assessment_submit(assessment=world.ours, user=people["head"])
    before = snapshot(media)
    client.force_login(people[role])
    response = call(client, method, name, world)
    check(response, SUBMITTED[(method, name)][role], method, name, before, world, media, people[role])


@pytest.mark.parametrize(("method", "name"), list(LOCKED))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_draft_past_its_deadline(client, people, world, media, method, name, role):
    Period.objects.filter(name=OPEN_PERIOD).update(self_assessment_deadline=timezone.now() - datetime.timedelta(days=1))
    before = snapshot(media)
    client.force_login(people[role])
    response = call(client, method, name, world)
    check(response, LOCKED[(method, name)][role], method, name, before, world, media, people[role])


@pytest.mark.parametrize(("method", "name"), list(DRAFT))
def test_anonymous_is_sent_to_login_and_changes_nothing(client, world, media, method, name):
    before = snapshot(media)
    response = call(client, method, name, world)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert snapshot(media) == before


# ---- refusals that redirect like a success: told apart by the message and the database ------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_submitting_an_unfinished_sheet_is_refused_with_the_reason_and_changes_nothing(client, people, world, media):
    Score.objects.filter(pk=score_of(world.ours, "1.3").pk).update(self_points=None, numerator=None, denominator=None)
    before = snapshot(media)
    client.force_login(people["head"])
    response = call(client, "post", "submit", world)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:submit", args=[world.ours.pk])  # back to the checklist
    assert messages_of(response) == ["Còn 1 tiêu chí chưa chấm: 1.3."]
    assert snapshot(media) == before


def test_an_extension_into_the_past_is_refused_with_the_reason_and_changes_nothing(client, people, world, media):
    before = snapshot(media)
    client.force_login(people["admin"])
    response = client.post(reverse("assessments:extend", args=[world.ours.pk]), {"until": "01/01/2020 08:00"})
    assert response.status_code == 302 and response["Location"] == reverse("assessments:sheet", args=[world.ours.pk])
    assert messages_of(response) == ["Không gia hạn được: Hạn gia hạn phải ở tương lai."]
    assert snapshot(media) == before


def test_opening_a_period_twice_is_refused_with_the_reason_and_changes_nothing(client, people, world, media):
    client.force_login(people["admin"])
    opened = call(client, "post", "period_open", world)
    assert messages_of(opened) == ["Đã mở kỳ «Kỳ bổ sung 2026»: 2 đơn vị bắt đầu tự đánh giá."]
    assert Period.objects.get(name=SETUP_PERIOD).state == PeriodState.OPEN
    client.get(opened["Location"])  # the progress page shows (and so uses up) that message
    before = snapshot(media)
    response = call(client, "post", "period_open", world)
    assert response.status_code == 302 and response["Location"] == reverse("assessments:periods")
    assert messages_of(response) == ["Kỳ đánh giá đã được mở."]
    assert snapshot(media) == before


def test_a_successful_submit_says_so(client, people, world):
    client.force_login(people["head"])
    response = call(client, "post", "submit", world)
    assert messages_of(response) == ["Đã gửi bản tự đánh giá tới Sở Nội vụ. Bản này giờ chỉ xem được."]


# ---- one agency's ids paired with another's ----------------------------------------------------------------
#
# Each probe names, for each id it sends, whose it is: "own" (the requesting user's agency) or "foreign".
# In the pairings the assessment in the URL is the user's own, so the visibility and role checks pass and only
# the pairing with the score or evidence can stop the request; the last probes go at the other agency's
# assessment outright. Scores are named by leaf code; evidence by the leaf it serves (1.1: a document
# reference, 1.2: a file). Every probe carries data that would succeed: the control test below proves it.


@dataclass(frozen=True)
class Probe:
    method: str
    name: str  # url name
    score: tuple[str, str] | None = None  # (whose, leaf code) in the URL
    evidence: tuple[str, str] | None = None  # (whose, leaf it serves) in the URL
    field: tuple[str, str] | None = None  # (whose, leaf it serves) in the form field "evidence"
    assessment: str = "own"

    @property
    def htmx(self) -> bool:
        """Sent as the sheet's htmx requests are (the pages and the download are ordinary requests)."""
        return self.name not in {"assessments:sheet", "assessments:history", "evidence:download"}

    def __str__(self) -> str:
        parts = [self.name, f"a={self.assessment}"]
        parts += [f"{label}={side[0]}:{side[1]}" for label, side in self._sides() if side]
        return " ".join(parts)

    def _sides(self):
        return [("score", self.score), ("evidence", self.evidence), ("field", self.field)]

    def with_own_ids(self) -> "Probe":
        """The same request with every id the user's own: what the probe would do if it were let through."""
        own = {label: (("own", side[1]) if side else None) for label, side in self._sides()}
        return Probe(self.method, self.name, assessment="own", **own)


FOREIGN_PAIRINGS = [
    Probe("get", "assessments:leaf", score=("foreign", "1.1")),
    Probe("post", "assessments:leaf_save", score=("foreign", "1.1")),
    Probe("post", "assessments:leaf_preview", score=("foreign", "1.1")),
    Probe("get", "evidence:panel", score=("foreign", "1.1")),
    Probe("post", "evidence:upload", score=("foreign", "1.1")),
    Probe("post", "evidence:document", score=("foreign", "1.1")),
    Probe("post", "evidence:link", score=("own", "1.3"), field=("foreign", "1.1")),
    Probe("post", "evidence:link", score=("foreign", "1.3"), field=("own", "1.1")),
    Probe("post", "evidence:link", score=("foreign", "1.3"), field=("foreign", "1.1")),
    Probe("post", "evidence:unlink", score=("own", "1.1"), evidence=("foreign", "1.1")),
    Probe("post", "evidence:unlink", score=("foreign", "1.1"), evidence=("own", "1.1")),
    Probe("post", "evidence:unlink", score=("foreign", "1.1"), evidence=("foreign", "1.1")),
    Probe("get", "evidence:download", evidence=("foreign", "1.2")),
    # The other agency's assessment itself, outright.
    Probe("get", "assessments:sheet", assessment="foreign"),
    Probe("get", "assessments:totals", assessment="foreign"),
    Probe("get", "assessments:history", assessment="foreign"),
    Probe("post", "assessments:leaf_save", assessment="foreign", score=("foreign", "1.1")),
    Probe("post", "evidence:document", assessment="foreign", score=("foreign", "1.1")),
]
PROBING = ["other_officer", "other_head", "officer", "head"]  # both sides of the pairing


def perform(client: Client, probe: Probe, role: str, w: World):
    own, foreign = (w.theirs, w.ours) if role.startswith("other_") else (w.ours, w.theirs)
    side = {"own": own, "foreign": foreign}

    def evidence_id(spec: tuple[str, str]) -> int:
        return Evidence.objects.get(assessment=side[spec[0]], scores__node__code=spec[1]).pk

    a = side[probe.assessment]
    headers = HTMX if probe.htmx else {}
    if probe.name == "evidence:download":
        response = client.get(reverse(probe.name, args=[evidence_id(probe.evidence)]))
        if response.streaming:  # a granted download: read it to the end, which also closes the file
            assert b"".join(response.streaming_content) == PDF
        return response
    args: list[int] = [a.pk]
    if probe.score:
        target = score_of(side[probe.score[0]], probe.score[1])
        args.append(target.pk)
    if probe.evidence:
        args.append(evidence_id(probe.evidence))
    url = reverse(probe.name, args=args)
    if probe.method == "get":
        return client.get(url, headers=headers)
    data: dict[str, object] = {
        "assessments:leaf_save": {"version": str(target.version), "self_points": "1"},  # the current one
        "assessments:leaf_preview": {"version": str(target.version), "self_points": "1"},
        "evidence:unlink": {"confirm": "1"},
        "evidence:upload": {"file": SimpleUploadedFile("bo-sung.pdf", PDF)},
        "evidence:document": {"doc_number": "20/BC-UBND", "doc_summary": "Báo cáo CCHC quý I"},
        "evidence:link": {"evidence": str(evidence_id(probe.field))} if probe.field else {},
    }.get(probe.name, {})
    return client.post(url, data, headers=headers)


@pytest.mark.parametrize("probe", FOREIGN_PAIRINGS, ids=str)
@pytest.mark.parametrize("role", PROBING)
def test_another_agencys_ids_are_not_found_and_change_nothing(client, people, world, media, probe, role):
    before = snapshot(media)
    client.force_login(people[role])
    response = perform(client, probe, role, world)
    assert response.status_code == 404
    assert snapshot(media) == before


@pytest.mark.parametrize(
    "probe",
    sorted({p.with_own_ids() for p in FOREIGN_PAIRINGS}, key=str),
    ids=str,
)
@pytest.mark.parametrize("role", PROBING)
def test_the_same_requests_with_the_users_own_ids_go_through(client, people, world, media, probe, role):
    """The control for the test above: its 404s come from the foreign id, not from a request that would
    fail anyway. Writes really write; reads return the page."""
    before = snapshot(media)
    client.force_login(people[role])
    response = perform(client, probe, role, world)
    assert response.status_code == 200
    if probe.method == "post" and probe.name != "assessments:leaf_preview":  # a preview is a read sent as POST
        assert snapshot(media) != before
    else:
        assert snapshot(media) == before


def test_no_url_takes_a_transition_id():
    """Transitions are listed only on an assessment's history page, reached by the assessment's id; no URL
    (and no form of the workflow) takes a transition's id, so there is none to pair with another agency's."""

    def converters(resolver) -> set[str]:
        found: set[str] = set()
        for pattern in resolver.url_patterns:
            found |= converters(pattern) if isinstance(pattern, URLResolver) else set(pattern.pattern.converters)
        return found

    assert not [name for name in converters(get_resolver()) if "transition" in name]
