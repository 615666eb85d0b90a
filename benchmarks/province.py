"""A generated province for the report benchmarks: N agencies in three ranking groups (sở, ban, ngành;
phường; xã) on the demo's two criteria sets, over two periods — last year's published, this year's in
appraisal with every leaf appraised and survey points entered.

Rows are written in bulk (a benchmark needs 800 agencies × ~120 leaves in seconds, not the services'
per-leaf checks); the states, the ranking groups, finalisation and publication still go through the
services, so what the reports read is what the application would have produced.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from appraisal.groups import group_move, group_save, groups_from_kinds
from appraisal.models import AppraisalEntry, SurveyScore
from appraisal.publishing import period_finalise, period_publish
from appraisal.surveys import survey_parts_by_set
from assessments.models import Assessment, AssessmentState, Period, PeriodState, Score
from assessments.services import period_open, period_save
from criteria.jsonio import load_index_set_file
from criteria.models import IndexSet
from demo.data import FIXTURES
from organisations.models import Agency, AgencyKind, Role, RoleAssignment

TWO = Decimal("0.01")


def _sets() -> list[IndexSet]:
    return [load_index_set_file(FIXTURES / f"indexset_{kind}.json") for kind in ("department", "commune")]


def _agencies(size: int) -> list[Agency]:
    """A tenth departments, the rest communes: a third phường, two thirds xã (Hải Phòng's 14 / 45 / 68)."""
    departments = max(1, size // 10)
    wards = (size - departments) // 3
    rows = [Agency(name=f"Sở số {i:03d}", kind=AgencyKind.DEPARTMENT) for i in range(1, departments + 1)]
    rows += [Agency(name=f"UBND phường số {i:03d}", kind=AgencyKind.COMMUNE) for i in range(1, wards + 1)]
    rows += [
        Agency(name=f"UBND xã số {i:03d}", kind=AgencyKind.COMMUNE) for i in range(1, size - departments - wards + 1)
    ]
    return Agency.objects.bulk_create(rows)


def _people() -> list[User]:
    """An administrator, a reviewer and a leader; they log in through force_login, so no usable password."""
    made = []
    for username, role in (
        ("bench.admin", Role.ADMIN),
        ("bench.reviewer", Role.REVIEWER),
        ("bench.leader", Role.LEADERSHIP),
    ):
        user = get_user_model().objects.create_user(username)
        RoleAssignment.objects.create(user=user, role=role)
        made.append(user)
    return made


def _period(year: int, sets: list[IndexSet], agencies: list[Agency], admin: User, reviewer: User) -> Period:
    """A period in appraisal: every applicable leaf self-scored and appraised in round 1, survey entered."""
    period = period_save(
        year=year,
        name=f"Chỉ số CCHC năm {year}",
        index_sets=sets,
        agencies=agencies,
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=1),
    )
    period_open(period=period)
    now = timezone.now()
    sheets = list(period.assessments.order_by("agency__name").values_list("pk", "index_set_id"))
    for number, (pk, _set) in enumerate(sheets):
        # Varied per agency and year, deterministic: self points 70–99 % of the max, appraised a little lower.
        share = Decimal(70 + (number * 7 + year) % 30) / 100
        appraised = (share - Decimal((number + year) % 6) / 100).quantize(TWO)
        scores = Score.objects.filter(assessment_id=pk, node__is_survey=False)
        # Rounded in SQL to the column's two decimals, as every write through the ORM is: SQLite would keep the
        # product's third decimal, which PostgreSQL's numeric(7, 2) drops.
        scores.update(
            self_points=Round(F("max_points") * share, 2),
            appraised_points=Round(F("max_points") * appraised, 2),
            appraisal_round=1,
        )
        # Some leaves lose everything, a different few per agency: the criterion analysis has something to find.
        scores.filter(node__position__in=[(number % 11) + 3, (number % 7) + 20]).update(appraised_points=0)
    Assessment.objects.filter(period=period).update(state=AssessmentState.UNDER_APPRAISAL, submitted_at=now)
    Period.objects.filter(pk=period.pk).update(state=PeriodState.APPRAISAL, appraisal_started_at=now)
    AppraisalEntry.objects.bulk_create(
        (
            AppraisalEntry(
                score_id=score_id,
                assessment_id=assessment_id,
                round=1,
                points=points or 0,
                max_points=maximum,
                reviewer=reviewer,
                at=now,
                comment="" if position % 9 else "Tài liệu kiểm chứng chưa đầy đủ.",
            )
            for score_id, assessment_id, points, maximum, position in Score.objects.filter(
                assessment__period=period, node__is_survey=False
            ).values_list("pk", "assessment_id", "appraised_points", "max_points", "node__position")
        ),
        batch_size=2000,
    )
    parts = survey_parts_by_set([set_id for _pk, set_id in sheets])
    SurveyScore.objects.bulk_create(
        SurveyScore(
            assessment_id=pk,
            node=node,
            points=(node.max_points * Decimal(60 + (number * 13) % 35) / 100).quantize(TWO),
            max_points=node.max_points,
            updated_at=now,
            updated_by=admin,
        )
        for number, (pk, set_id) in enumerate(sheets)
        for node in parts.get(set_id, [])
    )
    period.refresh_from_db()
    # Three ranking groups: departments; communes split into phường and xã.
    groups_from_kinds(period)
    wards = group_save(period, name="Khối phường")
    group_save(period, name="Khối xã", group=period.ranking_groups.get(name=str(AgencyKind.COMMUNE.label)))
    group_move(
        period,
        assessment_ids=list(
            period.assessments.filter(agency__name__startswith="UBND phường").values_list("pk", flat=True)
        ),
        group=wards,
    )
    return period


def generate(size: int) -> tuple[Period, Period, dict[str, object]]:
    """Last year's period (published) and this year's (in appraisal) for ``size`` agencies."""
    sets = _sets()
    agencies = _agencies(size)
    admin, reviewer, leader = _people()
    last = _period(2025, sets, agencies, admin, reviewer)
    period_finalise(period=last, user=admin)
    last.refresh_from_db()
    period_publish(period=last, user=admin, decision="25/QĐ-UBND")
    current = _period(2026, sets, agencies, admin, reviewer)
    return last, current, {"admin": admin, "reviewer": reviewer, "leader": leader}
