"""Demo data: the sample criteria sets, the province's agencies (with the 2025 mergers), one user per role,
this year's open period (domains assigned to the demo reviewer) and last year's, appraised and published."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from appraisal.assignments import AssignmentMap
from appraisal.models import SurveySource
from appraisal.publishing import period_finalise, period_publish, period_set_public_ranking
from appraisal.services import AppraisalEdit, appraisal_save, assignment_save, period_start_appraisal
from appraisal.surveys import survey_parts_by_set, survey_set
from assessments.models import Assessment, Period, Score
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, assessment_submit, period_open, period_save, score_save
from criteria.jsonio import load_index_set_file
from criteria.models import IndexSet, Node, ScoringMethod
from organisations.models import Agency, AgencyKind, Role, RoleAssignment

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - published in README for the demo accounts only

# username, full name, role, agency name (for agency roles)
DEMO_USERS = [
    ("quantri", "Nguyễn Thị Quản Trị", Role.ADMIN, None),
    ("thamdinh", "Trần Văn Thẩm Định", Role.REVIEWER, None),
    ("lanhdaotinh", "Lê Văn Lãnh Đạo", Role.LEADERSHIP, None),
    ("lanhdao.khcn", "Phạm Thị Giám Đốc", Role.HEAD, "Sở Khoa học và Công nghệ"),
    ("chuyenvien.khcn", "Hoàng Văn Chuyên Viên", Role.OFFICER, "Sở Khoa học và Công nghệ"),
    ("chuyenvien.tuphap", "Đỗ Thị Tư Pháp", Role.OFFICER, "Sở Tư pháp"),
    ("lanhdao.noivu", "Bùi Văn Nội Vụ", Role.HEAD, "Sở Nội vụ"),
    ("chuyenvien.minhxuan", "Vũ Văn Phường", Role.OFFICER, "UBND phường Minh Xuân"),
]


def load_agencies(path: Path = FIXTURES / "agencies.json") -> list[Agency]:
    entries = json.loads(path.read_text(encoding="utf-8"))["agencies"]
    by_name: dict[str, Agency] = {}
    # Targets first, so a merged agency can point at the agency it became part of.
    for entry in sorted(entries, key=lambda e: "merged_into" in e):
        agency, _ = Agency.objects.update_or_create(
            name=entry["name"],
            defaults={
                "short_name": entry.get("short_name", ""),
                "kind": entry["kind"],
                "is_active": entry.get("active", "merged_into" not in entry),
                "merged_into": by_name[entry["merged_into"]] if "merged_into" in entry else None,
                "merged_on": datetime.date.fromisoformat(entry["merged_on"]) if entry.get("merged_on") else None,
                "note": entry.get("note", ""),
            },
        )
        by_name[agency.name] = agency
    return list(by_name.values())


def load_users() -> None:
    user_model = get_user_model()
    for username, full_name, role, agency_name in DEMO_USERS:
        first, _, last = full_name.rpartition(" ")
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": last, "last_name": first}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True  # the Sở Nội vụ officer also uses Django admin
        user.save()
        agency = Agency.objects.get(name=agency_name) if agency_name else None
        RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)


def _minimal_pdf(title: str) -> bytes:
    """A one-page PDF so the demo's evidence downloads open in a viewer."""
    text = title.encode("ascii", "replace").decode()
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _demo_input(node: Node, index: int) -> LeafInput:
    """Plausible, deterministic answers: mostly full marks, some lost points, per method."""
    if node.method == ScoringMethod.YES_NO:
        return LeafInput(answer_yes=index % 5 != 0)
    if node.method == ScoringMethod.RATIO:
        return LeafInput(numerator=Decimal(60 + (index * 7) % 40), denominator=Decimal(100))
    if node.method == ScoringMethod.DEDUCTION:
        return LeafInput(event_count=index % 3)
    step = node.effective_step
    points = node.max_points if index % 4 else max(Decimal(0), node.max_points - step)
    return LeafInput(self_points=points)


def _fill(assessment: Assessment, user: User, share: float, with_evidence: bool) -> None:
    """Score the first ``share`` of the self-scored leaves through the same services the sheet uses."""
    from evidence.services import evidence_add_document, evidence_upload

    leaves = list(
        assessment.scores.select_related("node")
        .prefetch_related("node__tiers")
        .filter(node__is_survey=False)
        .order_by("node__position")
    )
    for index, score in enumerate(leaves[: round(len(leaves) * share)]):
        node = score.node
        note = ""
        if node.evidence_required and not (with_evidence and index % 3 == 0):
            note = "Đơn vị đã thực hiện; tài liệu đang lưu tại văn thư, sẽ bổ sung khi thẩm định."
        score_save(
            score=score, edit=ScoreEdit(value=_demo_input(node, index), note=note), version=score.version, user=user
        )
        if with_evidence and node.evidence_required and index % 3 == 0:
            if index % 2 == 0:
                upload = SimpleUploadedFile(
                    f"Kiem chung {node.code}.pdf",
                    _minimal_pdf(f"Tai lieu kiem chung tieu chi {node.code}"),
                    content_type="application/pdf",
                )
                evidence_upload(assessment=assessment, score=score, upload=upload, user=user)
            else:
                evidence_add_document(
                    assessment=assessment,
                    score=score,
                    user=user,
                    doc_number=f"{10 + index}/KH-{assessment.agency.short_name}",
                    doc_date=datetime.date(timezone.localdate().year, 1, 15),
                    doc_issuer=assessment.agency.name,
                    doc_summary=f"Kế hoạch thực hiện nhiệm vụ {node.title[:80].lower()}",
                    url="",
                )


def _sample_sets() -> list[IndexSet]:
    sets = [
        IndexSet.objects.filter(agency_kind=kind, is_sample=True).order_by("-version").first()
        for kind in (AgencyKind.DEPARTMENT, AgencyKind.COMMUNE)
    ]
    return [s for s in sets if s is not None]


def _participants() -> list[Agency]:
    return list(Agency.objects.filter(is_active=True, kind__in=[AgencyKind.DEPARTMENT, AgencyKind.COMMUNE]))


def _assign_domains(period: Period, reviewer: User, admin: User) -> None:
    """Every scored domain of the period's sets to the demo reviewer (who belongs to no agency)."""
    for domain in Node.objects.filter(
        index_set__in=period.index_sets.values("index_set"), depth=1, is_survey=False
    ).order_by("index_set", "position"):
        assignment_save(period=period, node=domain, reviewer=reviewer, user=admin)


def load_demo_period() -> Period | None:
    """An open period for the current year, with agencies at varied progress, unless one exists already."""
    year = timezone.localdate().year
    if Period.objects.filter(year=year).exists():
        return None
    period = period_save(
        year=year,
        name=f"Chỉ số CCHC năm {year}",
        index_sets=_sample_sets(),
        agencies=_participants(),
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=20),
        explanation_deadline=timezone.now() + datetime.timedelta(days=40),
        appraisal1_deadline=timezone.now() + datetime.timedelta(days=35),
        appraisal2_deadline=timezone.now() + datetime.timedelta(days=50),
    )
    period_open(period=period)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    admin = users["quantri"]
    by_name = {a.agency.name: a for a in period.assessments.select_related("agency", "period")}
    # The demo agency of the demo officer: half done, with files and document references.
    _fill(by_name["Sở Khoa học và Công nghệ"], users["chuyenvien.khcn"], 0.5, with_evidence=True)
    # Sở Nội vụ: everything scored and submitted by its head.
    done = by_name["Sở Nội vụ"]
    _fill(done, users["lanhdao.noivu"], 1.0, with_evidence=True)
    assessment_submit(assessment=done, user=users["lanhdao.noivu"])
    # A spread of partial progress; Sở Tư pháp and most communes stay untouched.
    for name, share in (("Sở Tài chính", 0.8), ("Sở Y tế", 0.3), ("Sở Xây dựng", 0.6), ("UBND phường Minh Xuân", 0.35)):
        if name in by_name:
            _fill(by_name[name], admin, share, with_evidence=share > 0.5)
    _assign_domains(period, users["thamdinh"], admin)
    return period


def _appraisal(score: Score, agency_number: int, leaf_number: int) -> AppraisalEdit:
    """Varied, deterministic appraisals: mostly the self points kept, some a step lower with a comment."""
    node = score.node
    if node.method != ScoringMethod.MANUAL or score.self_points is None or (agency_number + leaf_number) % 4:
        return AppraisalEdit(points=None, accept_self=True, comment="" if leaf_number % 5 else "Đạt yêu cầu.")
    lower = max(Decimal(0), score.self_points - node.effective_step * (1 + agency_number % 3))
    return AppraisalEdit(
        points=lower,
        comment="Tài liệu kiểm chứng chưa thể hiện đầy đủ kết quả thực hiện; trừ điểm theo hướng dẫn chấm.",
    )


def _demo_survey(period: Period, user: User) -> None:
    """Survey points for every sheet, varied per agency, through the survey service."""
    parts = survey_parts_by_set(period.index_sets.values_list("index_set_id", flat=True))
    for number, assessment in enumerate(period.assessments.order_by("agency__name")):
        share = Decimal(60 + (number * 13) % 35) / 100
        for node in parts.get(assessment.index_set_id, []):
            points = (node.max_points * share).quantize(Decimal("0.01"))
            survey_set(assessment=assessment, node=node, points=points, user=user, source=SurveySource.IMPORT)


def load_last_year_period() -> Period | None:
    """Last year's period on the same sets and participants, already through the whole cycle through the
    services: filled, submitted, appraised by the demo reviewer, survey entered, finalised and published
    with a public ranking. Skipped when a period of that year exists."""
    year = timezone.localdate().year - 1
    if Period.objects.filter(year=year).exists():
        return None
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    admin, reviewer = users["quantri"], users["thamdinh"]
    sets, agencies = _sample_sets(), _participants()
    # Deadlines ahead while the sheets are filled and sent (the services refuse late work), moved back to
    # last year's real dates before publication.
    now = timezone.now()
    period = period_save(
        year=year,
        name=f"Chỉ số CCHC năm {year}",
        index_sets=sets,
        agencies=agencies,
        self_assessment_deadline=now + datetime.timedelta(days=1),
    )
    period_open(period=period)
    for assessment in period.assessments.select_related("agency", "period"):
        _fill(assessment, admin, 1.0, with_evidence=False)
        assessment_submit(assessment=assessment, user=admin)
    _assign_domains(period, reviewer, admin)
    period_start_appraisal(period=period, user=admin)
    numbers = {pk: n for n, pk in enumerate(period.assessments.order_by("agency__name").values_list("pk", flat=True))}
    assignments = AssignmentMap.for_period(period)  # read once: nothing reassigns while the demo appraises
    for score in (
        Score.objects.filter(assessment__period=period, node__is_survey=False, not_applicable=False)
        .select_related("node")
        .order_by("assessment_id", "node__position")
    ):
        number = numbers[score.assessment_id]
        edit = _appraisal(score, number, score.node.position)
        appraisal_save(score=score, edit=edit, version=score.version, user=reviewer, assignments=assignments)
    _demo_survey(period, admin)
    period_finalise(period=period, user=admin)
    period_save(
        period=period,
        year=year,
        name=period.name,
        index_sets=sets,
        agencies=agencies,
        self_assessment_deadline=datetime.datetime(year, 12, 15, 17, tzinfo=datetime.UTC),
        appraisal1_deadline=datetime.datetime(year + 1, 1, 5, 17, tzinfo=datetime.UTC),
        explanation_deadline=datetime.datetime(year + 1, 1, 12, 17, tzinfo=datetime.UTC),
        appraisal2_deadline=datetime.datetime(year + 1, 1, 20, 17, tzinfo=datetime.UTC),
    )
    period_publish(period=period, user=admin, decision=f"25/QĐ-UBND ngày 30/01/{year + 1}")
    period_set_public_ranking(period=period, public=True)
    return period


@transaction.atomic
def load_demo() -> dict[str, int]:
    sets = 0
    for name in ("indexset_department.json", "indexset_commune.json"):
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        if not IndexSet.objects.filter(name=data["name"]).exists():
            load_index_set_file(FIXTURES / name)
            sets += 1
    agencies = load_agencies()
    load_users()
    last_year = load_last_year_period()
    period = load_demo_period()
    return {
        "index_sets": sets,
        "agencies": len(agencies),
        "users": len(DEMO_USERS),
        "assessments": period.assessments.count() if period else 0,
        "published": last_year.assessments.count() if last_year else 0,
    }
