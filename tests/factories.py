"""Small builders shared by the tests: a valid compact tree, workbooks, users with roles."""

import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from criteria.models import IndexSet
from criteria.services import index_set_create
from criteria.tree import NodeRow, TierRow
from organisations.models import Agency, AgencyKind, Role, RoleAssignment

D = Decimal
PASSWORD = "Mat-khau-thu-2026"


def compact_rows() -> list[NodeRow]:
    """Three domains using every method, a fourth level and a survey part: 5 scored + 2 survey points."""
    return [
        NodeRow(code="1", title="Công tác chỉ đạo, điều hành", max_points=D("3")),
        NodeRow(
            code="1.1",
            title="Kế hoạch CCHC năm",
            max_points=D("1"),
            method="manual",
            step=D("0.25"),
            guidance="Ban hành đúng hạn: 1 điểm",
            evidence_required="Kế hoạch CCHC",
        ),
        NodeRow(code="1.2", title="Có báo cáo đúng hạn", max_points=D("1"), method="yes_no", allow_not_applicable=True),
        NodeRow(
            code="1.3",
            title="Tỷ lệ hồ sơ trực tuyến",
            max_points=D("1"),
            method="ratio",
            tiers=[TierRow(D(0), D(50), D(0)), TierRow(D(50), D(80), D("0.5")), TierRow(D(80), D(100), D(1))],
        ),
        NodeRow(code="2", title="Văn bản quy phạm pháp luật", max_points=D("2")),
        NodeRow(code="2.1", title="Theo dõi thi hành pháp luật", max_points=D("2")),
        NodeRow(code="2.1.1", title="Kế hoạch theo dõi", max_points=D("1")),
        NodeRow(
            code="2.1.1.1",
            title="Ban hành kế hoạch theo dõi tình hình thi hành pháp luật",
            max_points=D("1"),
            method="manual",
            step=D("0.5"),
        ),
        NodeRow(
            code="2.1.2",
            title="Kỷ luật, kỷ cương",
            max_points=D("1"),
            method="deduction",
            deduction_per_event=D("0.25"),
        ),
        NodeRow(code="3", title="Điều tra xã hội học", max_points=D("2"), is_survey=True),
        NodeRow(code="3.1", title="Chỉ số hài lòng SIPAS", max_points=D("2"), method="manual", is_survey=True),
    ]


def make_index_set(
    kind: str = AgencyKind.DEPARTMENT, name: str = "Bộ chỉ số thử", year_from: int = 2026, **kwargs: object
) -> IndexSet:
    return index_set_create(name=name, agency_kind=kind, year_from=year_from, rows=compact_rows(), **kwargs)


def xlsx_bytes(
    rows: list[list[object]], *, sheet_title: str = "Bộ chỉ số", info: list[list[object]] | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    if info is not None:
        info_sheet = workbook.create_sheet("Thông tin")
        for row in info:
            info_sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_agency(name: str = "Sở Thử nghiệm", kind: str = AgencyKind.DEPARTMENT, **kwargs: object) -> Agency:
    return Agency.objects.create(name=name, kind=kind, **kwargs)


def make_user(username: str, role: str | None = None, agency: Agency | None = None, **kwargs: object):
    """A user with one role; ``agency`` is the agency of an officer or head, or a reviewer's lead agency."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **kwargs)
    if role is not None:
        RoleAssignment.objects.create(
            user=user, role=role, agency=agency if role in (Role.OFFICER, Role.HEAD, Role.REVIEWER) else None
        )
    return user


def open_period(*agencies: Agency, deadline_days: int = 30, index_set: IndexSet | None = None, year: int = 2026):
    """A period opened for these agencies on the compact set (one assessment each); returns the period."""
    import datetime

    from django.utils import timezone

    from assessments.services import period_open, period_save

    index_set = index_set or make_index_set(name=f"Bộ {year}")
    period = period_save(
        year=year,
        name=f"Kỳ đánh giá {year}",
        index_sets=[index_set],
        agencies=list(agencies),
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=deadline_days),
    )
    period_open(period=period)
    period.refresh_from_db()
    return period


def assessment_of(period, agency: Agency):
    return period.assessments.select_related("period", "agency", "index_set").get(agency=agency)


def big_rows(domains: int = 7, criteria: int = 4, leaves: int = 4) -> list[NodeRow]:
    """A department-sized tree: 7 × 4 × 4 = 112 leaves (+ a survey domain), cycling through the methods."""
    rows: list[NodeRow] = []
    methods = ["manual", "yes_no", "ratio", "deduction"]
    for d in range(1, domains + 1):
        rows.append(NodeRow(code=str(d), title=f"Lĩnh vực {d}", max_points=D(criteria * leaves)))
        for c in range(1, criteria + 1):
            rows.append(NodeRow(code=f"{d}.{c}", title=f"Tiêu chí {d}.{c}", max_points=D(leaves)))
            for leaf in range(1, leaves + 1):
                method = methods[(leaf - 1) % 4]
                rows.append(
                    NodeRow(
                        code=f"{d}.{c}.{leaf}",
                        title=f"Tiêu chí thành phần {d}.{c}.{leaf}",
                        max_points=D(1),
                        method=method,
                        tiers=[TierRow(D(0), D(50), D(0)), TierRow(D(50), D(100), D(1))] if method == "ratio" else [],
                        deduction_per_event=D("0.25") if method == "deduction" else None,
                        evidence_required="Văn bản" if leaf == 1 else "",
                        allow_not_applicable=leaf == 2,
                    )
                )
    rows.append(NodeRow(code=str(domains + 1), title="Điều tra xã hội học", max_points=D(20), is_survey=True))
    rows.append(NodeRow(code=f"{domains + 1}.1", title="SIPAS", max_points=D(20), method="manual", is_survey=True))
    return rows


def fill_sheet(assessment, user) -> None:
    """A sheet ready to submit, through the service: every self-scored leaf scored, notes where evidence is asked."""
    from assessments.scoring import LeafInput
    from assessments.services import ScoreEdit, score_save

    for score in assessment.scores.select_related("node").filter(node__is_survey=False):
        node = score.node
        value = {
            "manual": LeafInput(self_points=Decimal(0)),
            "yes_no": LeafInput(answer_yes=False),
            "ratio": LeafInput(numerator=Decimal(0), denominator=Decimal(1)),
            "deduction": LeafInput(event_count=0),
        }[node.method]
        score_save(score=score, edit=ScoreEdit(value=value, note="Thuyết minh"), version=score.version, user=user)


def appraisal_period(*agencies: Agency, reviewer, admin, index_set: IndexSet | None = None, year: int = 2026):
    """A period in appraisal, through the services: every sheet filled (all zero) and submitted, every
    domain of the set assigned to ``reviewer``. Returns the period."""
    from appraisal.services import assignment_save, period_start_appraisal
    from assessments.services import assessment_submit

    period = open_period(*agencies, index_set=index_set, year=year)
    for assessment in period.assessments.select_related("period", "agency"):
        fill_sheet(assessment, admin)
        assessment_submit(assessment=assessment, user=admin)
    for period_set in period.index_sets.select_related("index_set"):
        for domain in period_set.index_set.nodes.filter(depth=1, is_survey=False):
            assignment_save(period=period, node=domain, reviewer=reviewer, user=admin)
    period_start_appraisal(period=period, user=admin)
    period.refresh_from_db()
    return period
