"""The council's core writes: assignments, starting appraisal, appraisal entries and explanation requests.

Each write locks what it depends on and checks it there (appraisal.rules, assessments.workflow), so two
requests at once never both pass a check only one may pass.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import NOTE_MAX_LENGTH, Assessment, Period, PeriodState, Score, TransitionAction
from assessments.services import StaleScore, assessment_transition
from assessments.workflow import WorkflowError, lock_assessment
from criteria.models import Node
from organisations.models import Agency, Role, RoleAssignment
from organisations.roles import roles_of
from parindex.numbers import number_text

from .assignments import AssignmentMap
from .models import AppraisalEntry, ExplanationRequest, RequestKind, ReviewAssignment
from .rules import current_round, round_refusal

# ---- assignments ----------------------------------------------------------------------------------------


@transaction.atomic
def assignment_save(
    *,
    period: Period,
    node: Node,
    user: User,
    reviewer: User | None = None,
    team: Agency | None = None,
    for_agency: Agency | None = None,
) -> ReviewAssignment:
    """Assign ``node`` (and what is below it) to a reviewer or a lead agency's team; replaces the row that
    held the same node (and agency) before. Only before appraisal is finalised."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    check_assignments_open(period)
    if not period.index_sets.filter(index_set_id=node.index_set_id).exists():
        raise ValidationError(_("Mục này không thuộc bộ chỉ số nào của kỳ."))
    if (reviewer is None) == (team is None):
        raise ValidationError(_("Chọn một người thẩm định hoặc một tổ thẩm định."))
    if reviewer is not None and not roles_of(reviewer).is_reviewer:
        raise ValidationError(_("«%(name)s» không có vai trò thành viên tổ thẩm định.") % {"name": reviewer})
    if team is not None and not RoleAssignment.objects.filter(role=Role.REVIEWER, agency=team).exists():
        raise ValidationError(
            _("«%(agency)s» chưa có thành viên tổ thẩm định nào; giao cho người, hoặc thêm người vào tổ trước.")
            % {"agency": team.name}
        )
    ReviewAssignment.objects.filter(period=period, node=node, for_agency=for_agency).delete()
    row = ReviewAssignment(
        period=period, node=node, reviewer=reviewer, team=team, for_agency=for_agency, created_by=user
    )
    row.full_clean()
    row.save()
    return row


def check_assignments_open(period: Period) -> None:
    """Assignments change until the period's results are finalised; call on a locked period."""
    if period.state in (PeriodState.FINALISED, PeriodState.PUBLISHED):
        raise ValidationError(_("Kết quả của kỳ đã chốt nên không đổi phân công được."))


@transaction.atomic
def assignment_remove(*, assignment: ReviewAssignment, user: User) -> None:
    """Remove one assignment row: the node falls back to the assignment above it, or to nobody."""
    period = Period.objects.select_for_update().get(pk=assignment.period_id)
    check_assignments_open(period)
    ReviewAssignment.objects.filter(pk=assignment.pk).delete()


# ---- appraisal ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppraisalEdit:
    points: Decimal | None
    comment: str = ""
    accept_self: bool = False  # take the agency's self points as the appraisal


def _check_may_appraise(
    assessment: Assessment, score: Score, user: User, assignments: AssignmentMap | None = None
) -> int:
    """The round, or WorkflowError (state) / PermissionDenied (not this reviewer's leaf)."""
    reason = round_refusal(assessment)
    if reason is not None:
        raise WorkflowError(reason, code="workflow")
    roles = roles_of(user)
    if assessment.agency_id in roles.own_agency_ids:
        raise PermissionDenied(_("Người thẩm định không thẩm định bản đánh giá của chính đơn vị mình."))
    amap = assignments or AssignmentMap.for_period(assessment.period_id)
    if not amap.may_appraise(user.pk, roles, score.node_id, assessment.agency_id):
        raise PermissionDenied(_("Tiêu chí này không được phân công cho bạn thẩm định."))
    round_ = current_round(assessment)
    assert round_ is not None  # round_refusal said there is one
    return round_


@transaction.atomic
def appraisal_save(
    *, score: Score, edit: AppraisalEdit, version: int, user: User, assignments: AssignmentMap | None = None
) -> AppraisalEntry:
    """Append an appraisal of one leaf and make it the score's current appraisal.

    Refused unless the sheet is in a round now and the leaf is this reviewer's (PermissionDenied), with
    StaleScore when someone saved the leaf since ``version`` was read, and ValidationError for points
    outside 0..max or off the leaf's step. ``assignments``: the period's map when the caller appraises many
    leaves in one go (the demo); otherwise it is read here, inside the lock.
    """
    assessment = lock_assessment(score.assessment_id)
    score = Score.objects.select_related("node").get(pk=score.pk)
    round_ = _check_may_appraise(assessment, score, user, assignments)
    if score.node.is_survey:
        raise ValidationError(_("Điểm điều tra xã hội học được nhập ở trang điều tra, không thẩm định ở đây."))
    if score.not_applicable:
        raise ValidationError(_("Đơn vị đánh dấu tiêu chí này không áp dụng; không có điểm để thẩm định."))
    points = score.self_points if edit.accept_self else edit.points
    if points is None:
        raise ValidationError(_("Đơn vị chưa tự chấm tiêu chí này.") if edit.accept_self else _("Nhập điểm thẩm định."))
    if points < 0 or points > score.max_points:
        raise ValidationError(_("Điểm phải từ 0 đến %(max)s.") % {"max": number_text(score.max_points)})
    step = score.node.effective_step
    if not edit.accept_self and (points / step) % 1 != 0:
        raise ValidationError(_("Điểm phải là bội số của %(step)s.") % {"step": number_text(step)})
    comment = edit.comment.strip()
    if len(comment) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Ý kiến dài %(n)s ký tự; tối đa %(max)s ký tự.")
            % {"n": number_text(len(comment)), "max": number_text(NOTE_MAX_LENGTH)}
        )
    now = timezone.now()
    updated = Score.objects.filter(pk=score.pk, version=version).update(
        appraised_points=points, appraisal_round=round_, version=F("version") + 1, updated_at=now, updated_by=user
    )
    if not updated:
        raise StaleScore(Score.objects.select_related("updated_by").get(pk=score.pk))
    return AppraisalEntry.objects.create(
        score=score,
        assessment=assessment,
        round=round_,
        points=points,
        max_points=score.max_points,
        accepted_self=edit.accept_self,
        comment=comment,
        reviewer=user,
        at=now,
    )


@transaction.atomic
def explanation_request(*, score: Score, kind: str, text: str, user: User) -> ExplanationRequest:
    """The leaf's reviewer asks the agency to explain or add evidence; only in round 1."""
    assessment = lock_assessment(score.assessment_id)
    round_ = _check_may_appraise(assessment, score, user)
    if round_ != 1:
        raise WorkflowError(_("Chỉ yêu cầu giải trình trong vòng thẩm định 1."), code="workflow")
    text = text.strip()
    if not text:
        raise ValidationError(_("Ghi nội dung cần đơn vị giải trình hoặc bổ sung."))
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Nội dung tối đa %(max)s ký tự.") % {"max": number_text(NOTE_MAX_LENGTH)})
    if kind not in RequestKind.values:
        raise ValidationError(_("Loại yêu cầu không hợp lệ."))
    return ExplanationRequest.objects.create(
        score=score,
        assessment=assessment,
        round=1,
        kind=kind,
        text=text,
        requested_by=user,
        requested_at=timezone.now(),
    )


# ---- the period -----------------------------------------------------------------------------------------


def uncovered_leaves(period: Period) -> dict[int, list[int]]:
    """Per participating agency, the leaves (node ids, tree order) nobody may appraise: no assignment, or
    the assignee belongs to that agency. Survey leaves are entered by Sở Nội vụ and need no reviewer."""
    amap = AssignmentMap.for_period(period)
    leaves_by_set: dict[int, list[int]] = {}
    for node_id, set_id in (
        Node.objects.filter(index_set__in=period.index_sets.values("index_set"), is_leaf=True, is_survey=False)
        .order_by("position")
        .values_list("pk", "index_set_id")
    ):
        leaves_by_set.setdefault(set_id, []).append(node_id)
    result: dict[int, list[int]] = {}
    for agency_id, set_id in period.assessments.values_list("agency_id", "index_set_id"):
        missing = [leaf for leaf in leaves_by_set.get(set_id, []) if not amap.is_covered(leaf, agency_id)]
        if missing:
            result[agency_id] = missing
    return result


@transaction.atomic
def period_start_appraisal(*, period: Period, user: User) -> int:
    """Move the period into appraisal and every sheet with it (a draft is appraised as it stands).

    Refused while a leaf of any sheet has no reviewer, or while an agency still has time to self-assess.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.state != PeriodState.OPEN:
        raise ValidationError(_("Chỉ bắt đầu thẩm định được khi kỳ đang tự đánh giá."))
    missing = uncovered_leaves(period)
    if missing:
        count = sum(len(leaves) for leaves in missing.values())
        raise ValidationError(
            _("Còn %(count)s tiêu chí của %(agencies)s đơn vị chưa có người thẩm định.")
            % {"count": number_text(count), "agencies": number_text(len(missing))}
        )
    now = timezone.now()
    still_open = [
        a.agency.name
        for a in period.assessments.select_related("agency").filter(state="draft")
        if (a.self_assessment_deadline or now) > now
    ]
    if still_open:
        raise ValidationError(
            _("Các đơn vị còn hạn tự đánh giá: %(names)s.") % {"names": ", ".join(sorted(still_open))}
        )
    assessments = list(period.assessments.order_by("pk"))
    for assessment in assessments:
        assessment_transition(assessment, TransitionAction.START_APPRAISAL, user)
    period.state = PeriodState.APPRAISAL
    period.appraisal_started_at = now
    period.save(update_fields=["state", "appraisal_started_at"])
    return len(assessments)
