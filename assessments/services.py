"""Writes for periods, assessments and scores. Keyword-only, typed, atomic; views stay thin."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from criteria.models import IndexSet, Node
from criteria.services import index_set_freeze
from organisations.models import Agency
from organisations.notices import administrators, notify
from parindex.numbers import number_text

from .models import (
    SCORE_TEXT_LIMITS,
    Assessment,
    Period,
    PeriodIndexSet,
    PeriodState,
    Score,
    ScoreChange,
    Transition,
    TransitionAction,
    domain_codes,
)
from .scoring import LeafInput, ScoreInputError, leaf_points
from .selectors import default_participants, submission_check
from .workflow import EDIT, TRANSITIONS, WorkflowError, check, lock_assessment

# ---- periods ----------------------------------------------------------------------------------------


@transaction.atomic
def period_save(
    *,
    period: Period | None = None,
    year: int,
    name: str,
    index_sets: Sequence[IndexSet],
    agencies: Sequence[Agency],
    self_assessment_deadline: datetime.datetime | None = None,
    explanation_deadline: datetime.datetime | None = None,
    appraisal1_deadline: datetime.datetime | None = None,
    appraisal2_deadline: datetime.datetime | None = None,
    band_good_min: Decimal = Decimal(80),
    band_fair_min: Decimal = Decimal(70),
    band_average_min: Decimal = Decimal(60),
    bonus_cap: Decimal = Decimal(0),
    penalty_cap: Decimal = Decimal(0),
    warning_threshold: Decimal = Decimal(75),
    warning_domains: str = "3, 7",
) -> Period:
    """Create a period (``period=None``) or change one.

    Once a period is open its sets are frozen and its assessments exist, so the sets and the
    participants stay as they are; deadlines, bands and caps can still change (a later deadline for
    everybody is a change of the period, one agency's is an extension).
    """
    kinds = [s.agency_kind for s in index_sets]
    if len(set(kinds)) != len(kinds):
        raise ValidationError(_("Mỗi loại cơ quan chỉ dùng một bộ chỉ số trong một kỳ."))
    for index_set in index_sets:
        if not index_set.applies_in(year):
            raise ValidationError(
                _("Bộ chỉ số «%(name)s» áp dụng cho các năm %(years)s, không cho năm %(year)s.")
                % {"name": index_set.name, "years": index_set.years_label, "year": year}
            )
    if not agencies:
        agencies = default_participants(kinds)
    if period is None:
        period = Period()
    else:
        period = Period.objects.select_for_update().get(pk=period.pk)
        sets_now = {p.agency_kind: p.index_set_id for p in period.index_sets.all()}
        agencies_now = set(period.agencies.values_list("pk", flat=True))
        if period.state == PeriodState.PUBLISHED:
            raise ValidationError(_("Kỳ đánh giá đã công bố kết quả nên không sửa được."))
        if period.state != PeriodState.SETUP and (
            sets_now != {s.agency_kind: s.pk for s in index_sets} or agencies_now != {a.pk for a in agencies}
        ):
            raise ValidationError(
                _(
                    "Kỳ đánh giá đã mở nên không đổi được bộ chỉ số và đơn vị tham gia; "
                    "chỉ sửa được hạn, ngưỡng xếp loại và điểm thưởng, điểm trừ."
                )
            )
    period.year = year
    period.name = name
    period.self_assessment_deadline = self_assessment_deadline
    period.explanation_deadline = explanation_deadline
    period.appraisal1_deadline = appraisal1_deadline
    period.appraisal2_deadline = appraisal2_deadline
    period.band_good_min = band_good_min
    period.band_fair_min = band_fair_min
    period.band_average_min = band_average_min
    period.bonus_cap = bonus_cap
    period.penalty_cap = penalty_cap
    period.warning_threshold = warning_threshold
    period.warning_domains = ", ".join(domain_codes(warning_domains))
    period.full_clean()
    period.save()
    if period.state == PeriodState.SETUP:
        period.index_sets.all().delete()
        PeriodIndexSet.objects.bulk_create(
            PeriodIndexSet(period=period, agency_kind=s.agency_kind, index_set=s) for s in index_sets
        )
        period.agencies.set(agencies)
    return period


@transaction.atomic
def period_open(*, period: Period) -> int:
    """Freeze the sets and create one assessment per participant with one score row per leaf.

    A constant number of queries whatever the number of agencies and leaves: the sets, the
    participants, one bulk insert of assessments, one read-back, the leaves, one bulk insert of scores.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.state != PeriodState.SETUP:
        raise ValidationError(_("Kỳ đánh giá đã được mở."))
    if period.self_assessment_deadline is None:
        raise ValidationError(_("Đặt hạn tự đánh giá trước khi mở kỳ."))
    sets = {p.agency_kind: p.index_set for p in period.index_sets.select_related("index_set")}
    agencies = list(period.agencies.all())
    if not agencies:
        raise ValidationError(_("Kỳ đánh giá chưa có đơn vị tham gia."))
    problems = [a.name for a in agencies if a.kind not in sets]
    if problems:
        raise ValidationError(
            _("Chưa chọn bộ chỉ số cho loại cơ quan của: %(agencies)s.") % {"agencies": ", ".join(problems)}
        )
    inactive = [a.name for a in agencies if not a.is_active]
    if inactive:
        raise ValidationError(
            _("Đơn vị đã ngừng hoạt động hoặc đã hợp nhất không thể tham gia: %(agencies)s.")
            % {"agencies": ", ".join(inactive)}
        )
    for index_set in sets.values():
        index_set_freeze(index_set=index_set)
    Assessment.objects.bulk_create(Assessment(period=period, agency=a, index_set=sets[a.kind]) for a in agencies)
    assessments = list(period.assessments.all())
    leaves_by_set: dict[int, list[tuple[int, int | None, Decimal]]] = {}
    for node_id, set_id, domain_id, max_points in Node.objects.filter(
        index_set__in=list(sets.values()), is_leaf=True
    ).values_list("pk", "index_set_id", "domain_id", "max_points"):
        leaves_by_set.setdefault(set_id, []).append((node_id, domain_id, max_points))
    Score.objects.bulk_create(
        (
            Score(assessment=a, node_id=node_id, domain_id=domain_id, max_points=max_points)
            for a in assessments
            for node_id, domain_id, max_points in leaves_by_set[a.index_set_id]
        ),
        batch_size=2000,
    )
    period.state = PeriodState.OPEN
    period.opened_at = timezone.now()
    period.save(update_fields=["state", "opened_at"])
    return len(assessments)


# ---- scores -----------------------------------------------------------------------------------------


class StaleScore(Exception):
    """Someone saved the leaf since this user loaded it; ``current`` is what is stored now."""

    def __init__(self, current: Score):
        super().__init__("stale")
        self.current = current


@dataclass(frozen=True)
class ScoreEdit:
    """What the agency can change on a leaf."""

    value: LeafInput
    note: str = ""
    not_applicable: bool = False
    not_applicable_reason: str = ""


def score_outcome(*, node: Node, edit: ScoreEdit) -> Decimal | None:
    """The points a save of ``edit`` stores (None: nothing entered, or not applicable), or ScoreInputError.

    Pure (reads the node and its prefetched tiers, writes nothing): the save and the sheet's live preview
    both call it, so what the preview shows is what the save stores.
    """
    if node.is_survey:
        raise ScoreInputError(_("Điểm điều tra xã hội học do Sở Nội vụ nhập, đơn vị không tự chấm."))
    if edit.not_applicable:
        if not node.allow_not_applicable:
            raise ScoreInputError(_("Tiêu chí này không được đánh dấu không áp dụng."), "not_applicable")
        if not edit.not_applicable_reason.strip():
            raise ScoreInputError(_("Hãy ghi lý do không áp dụng."), "not_applicable_reason")
        return None
    return leaf_points(node, list(node.tiers.all()), edit.value)


_TRACKED = (
    "self_points",
    "answer_yes",
    "numerator",
    "denominator",
    "event_count",
    "note",
    "not_applicable",
    "not_applicable_reason",
)


def _text(value: object) -> str | None:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 0.50 from the database and 0.5 typed are the same value
    return None if value is None else str(value)


@transaction.atomic
def score_save(*, score: Score, edit: ScoreEdit, version: int, user: User) -> Score:
    """Validate the inputs for the leaf's method and save them with the points they give.

    The sheet is locked first and must still be an editable draft (WorkflowError otherwise), so a save
    racing the head's submission lands before it or not at all. The update only happens if the row
    still has ``version``; otherwise StaleScore carries the stored values, so a second person never
    silently overwrites the first. Every change is kept in history.
    """
    check(lock_assessment(score.assessment_id), EDIT)
    points = score_outcome(node=score.node, edit=edit)
    reason = edit.not_applicable_reason.strip()
    if edit.not_applicable:
        fields: dict[str, object] = dict.fromkeys(
            ("self_points", "answer_yes", "numerator", "denominator", "event_count")
        )
    else:
        fields = {
            "self_points": points,
            "answer_yes": edit.value.answer_yes,
            "numerator": edit.value.numerator,
            "denominator": edit.value.denominator,
            "event_count": edit.value.event_count,
        }
        reason = ""
    fields |= {"note": edit.note.strip(), "not_applicable": edit.not_applicable, "not_applicable_reason": reason}
    for name in ("note", "not_applicable_reason"):
        text = str(fields[name])
        if len(text) > SCORE_TEXT_LIMITS[name]:
            raise ScoreInputError(
                _("Nội dung dài %(n)s ký tự; tối đa %(max)s ký tự.")
                % {"n": number_text(len(text)), "max": number_text(SCORE_TEXT_LIMITS[name])},
                name,
            )
    now = timezone.now()
    updated = Score.objects.filter(pk=score.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=now, updated_by=user
    )
    if not updated:
        raise StaleScore(Score.objects.select_related("updated_by").get(pk=score.pk))
    changes = {
        name: [_text(getattr(score, name)), _text(fields[name])]
        for name in _TRACKED
        if _text(getattr(score, name)) != _text(fields[name])
    }
    if changes:
        ScoreChange.objects.create(score=score, changed_by=user, changed_at=now, changes=changes)
    for name, value in fields.items():
        setattr(score, name, value)
    score.version = version + 1
    score.updated_at, score.updated_by = now, user
    return score


def assessment_lock_for_edit(*, assessment_id: int) -> Assessment:
    """For writes on a sheet made by other apps (evidence): lock the assessment inside the caller's
    transaction and refuse unless it is still an editable draft, exactly as a score save is."""
    assessment = lock_assessment(assessment_id)
    check(assessment, EDIT)
    return assessment


# ---- workflow ---------------------------------------------------------------------------------------


def assessment_transition(
    assessment: Assessment,
    action: TransitionAction,
    user: User | None,
    note: str = "",
    **fields: object,
) -> Assessment:
    """Move the assessment by ``action`` of the transition table, or raise WorkflowError and record nothing.

    Call inside a transaction: the row is locked and re-read here, the step checked on what is stored,
    then the new state (or the same one) and ``fields`` are written with one Transition row.
    """
    locked = lock_assessment(assessment.pk)
    check(locked, action)
    to_state = TRANSITIONS[action].target or locked.state
    Transition.objects.create(
        assessment=locked,
        action=action,
        from_state=locked.state,
        to_state=to_state,
        by=user,
        at=timezone.now(),
        note=note,
    )
    Assessment.objects.filter(pk=locked.pk).update(state=to_state, **fields)
    # The caller's object follows, so a view or the demo can go on with it.
    for obj in (locked, assessment):
        obj.state = to_state
        for name, value in fields.items():
            setattr(obj, name, value)
    return locked


@transaction.atomic
def assessment_mark_ready(*, assessment: Assessment, user: User, ready: bool = True) -> None:
    assessment_transition(
        assessment,
        TransitionAction.MARK_READY if ready else TransitionAction.UNMARK_READY,
        user,
        ready_at=timezone.now() if ready else None,
        ready_by=user if ready else None,
    )


def submission_problems(assessment: Assessment) -> list[str]:
    """What blocks submission: unscored leaves, and leaves that ask for evidence, have none and no note."""
    blocking = submission_check(assessment)
    unscored, unexplained = blocking.unscored_codes, blocking.unexplained_codes
    problems = []
    if unscored:
        problems.append(
            ngettext(
                "Còn %(n)s tiêu chí chưa chấm: %(codes)s.", "Còn %(n)s tiêu chí chưa chấm: %(codes)s.", len(unscored)
            )
            % {"n": len(unscored), "codes": ", ".join(unscored)}
        )
    if unexplained:
        problems.append(
            ngettext(
                "%(n)s tiêu chí yêu cầu tài liệu kiểm chứng nhưng chưa có tài liệu và chưa có thuyết minh: %(codes)s.",
                "%(n)s tiêu chí yêu cầu tài liệu kiểm chứng nhưng chưa có tài liệu và chưa có thuyết minh: %(codes)s.",
                len(unexplained),
            )
            % {"n": len(unexplained), "codes": ", ".join(unexplained)}
        )
    return problems


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user: User) -> None:
    """Draft → submitted. The sheet is locked before it is checked, so no save slips in between."""
    locked = lock_assessment(assessment.pk)
    check(locked, TransitionAction.SUBMIT)
    problems = submission_problems(locked)
    if problems:
        raise WorkflowError(problems)
    submitted_at = timezone.now()
    assessment_transition(assessment, TransitionAction.SUBMIT, user, submitted_at=submitted_at)
    _notify_submitted(locked, submitted_at)


def _notify_submitted(assessment: Assessment, submitted_at: datetime.datetime) -> None:
    """Tell Sở Nội vụ's administrators. Keyed by the submission time: a retry tells nobody twice, a new
    submission after a recall tells them again. Mailed only if the submission commits."""
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            users=administrators(),
            key=f"submitted:{assessment.pk}:{submitted_at.isoformat()}",
            subject=_("%(agency)s đã gửi bản tự đánh giá") % {"agency": assessment.agency.name},
            body=_("%(agency)s đã gửi bản tự đánh giá của «%(period)s» lúc %(at)s.")
            % {
                "agency": assessment.agency.name,
                "period": assessment.period.name,
                "at": f"{timezone.localtime(submitted_at):%d/%m/%Y %H:%M}",
            },
            url=reverse("assessments:sheet", args=[assessment.pk]),
        )


@transaction.atomic
def assessment_recall(*, assessment: Assessment, user: User, note: str = "") -> None:
    """Submitted → draft, before the deadline."""
    assessment_transition(assessment, TransitionAction.RECALL, user, note, submitted_at=None)


@transaction.atomic
def assessment_extend(*, assessment: Assessment, user: User, until: datetime.datetime, note: str = "") -> None:
    """Give one agency until ``until`` to self-assess; only ever more time than the common deadline."""
    if until <= timezone.now():
        raise ValidationError(_("Hạn gia hạn phải ở tương lai."))
    common = assessment.period.self_assessment_deadline
    if common is not None and until <= common:
        raise ValidationError(
            _("Hạn chung của kỳ là %(common)s; gia hạn phải sau hạn đó.")
            % {"common": f"{timezone.localtime(common):%d/%m/%Y %H:%M}"}
        )
    assessment_transition(
        assessment,
        TransitionAction.EXTEND,
        user,
        note or f"Gia hạn đến {timezone.localtime(until):%d/%m/%Y %H:%M}",
        deadline_extended_to=until,
    )
