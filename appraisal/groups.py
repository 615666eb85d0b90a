"""Ranking groups (khối xếp hạng) of a period: set, named, split, with their own bands (DESIGN.md, Ranking).

A period without groups ranks one group per agency kind (results.group_specs). The administrator starts
from that default (``groups_from_kinds``), then renames, adds groups, moves agencies between them and sets a
group's bands. Every sheet of the period belongs to exactly one group (RankingMember is one per sheet);
a group is deleted only when empty. All of it only until the results are finalised: a published rank must
not move because a group changed. Each write locks the period row, so two administrators at once cannot
both pass a check only one may pass (the empty-group check of a delete, say).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from assessments.models import Period, PeriodState
from assessments.workflow import WorkflowError
from organisations.models import AgencyKind
from parindex.numbers import number_text

from .models import RankingGroup, RankingMember

NAME_MAX_LENGTH = 200


def groups_refusal(period: Period) -> str | None:
    """Groups change until the results are finalised."""
    if period.state in (PeriodState.FINALISED, PeriodState.PUBLISHED):
        return _("Kết quả của kỳ đã chốt nên không đổi được khối xếp hạng.")
    return None


def _lock(period: Period) -> Period:
    locked = Period.objects.select_for_update().get(pk=period.pk)
    refusal = groups_refusal(locked)
    if refusal is not None:
        raise WorkflowError(refusal, code="workflow")
    return locked


@transaction.atomic
def groups_from_kinds(period: Period) -> list[RankingGroup]:
    """Make the default explicit: one group per agency kind taking part, named after the kind, every sheet in
    its kind's group. Refused when the period already has groups."""
    period = _lock(period)
    if period.ranking_groups.exists():
        raise ValidationError(_("Kỳ đã có khối xếp hạng."))
    sheets = list(period.assessments.values_list("pk", "agency__kind"))
    groups: dict[str, RankingGroup] = {}
    for position, (kind, label) in enumerate(AgencyKind.choices):
        if any(k == kind for _pk, k in sheets):
            groups[kind] = RankingGroup.objects.create(period=period, name=str(label), position=position)
    RankingMember.objects.bulk_create(RankingMember(group=groups[kind], assessment_id=pk) for pk, kind in sheets)
    return list(groups.values())


def _clean_bands(bands: tuple[Decimal | None, Decimal | None, Decimal | None]) -> tuple[Decimal | None, ...]:
    given = [b for b in bands if b is not None]
    if not given:
        return (None, None, None)
    if len(given) != 3:
        raise ValidationError(
            {"band_good_min": _("Nhập đủ ba ngưỡng Tốt, Khá, Trung bình, hoặc để trống cả ba để dùng ngưỡng của kỳ.")}
        )
    good, fair, average = given
    if not (Decimal(100) >= good > fair > average >= 0):
        raise ValidationError(
            {"band_good_min": _("Ngưỡng xếp loại phải giảm dần trong 0–100: Tốt > Khá > Trung bình ≥ 0.")}
        )
    return (good, fair, average)


@transaction.atomic
def group_save(
    period: Period,
    *,
    name: str,
    bands: tuple[Decimal | None, Decimal | None, Decimal | None] = (None, None, None),
    group: RankingGroup | None = None,
) -> RankingGroup:
    """Add a group (last in order) or rename one and set its bands; empty bands mean the period's."""
    period = _lock(period)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Nhập tên khối.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Tên khối tối đa %(max)s ký tự.") % {"max": NAME_MAX_LENGTH}})
    good, fair, average = _clean_bands(bands)
    if group is None:
        last = period.ranking_groups.aggregate(last=Max("position"))["last"]
        group = RankingGroup(period=period, position=0 if last is None else last + 1)
    elif group.period_id != period.pk:
        raise ValidationError(_("Khối không thuộc kỳ này."))
    group.name, group.band_good_min, group.band_fair_min, group.band_average_min = name, good, fair, average
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise ValidationError({"name": _("Kỳ đã có khối «%(name)s».") % {"name": name}}) from None
    return group


@transaction.atomic
def group_move(period: Period, *, assessment_ids: Iterable[int], group: RankingGroup) -> int:
    """Put the given sheets of the period into ``group`` (out of whichever they were in). Returns how many."""
    period = _lock(period)
    if group.period_id != period.pk:
        raise ValidationError(_("Khối không thuộc kỳ này."))
    wanted = set(assessment_ids)
    if not wanted:
        raise ValidationError(_("Chọn ít nhất một đơn vị để chuyển."))
    found = set(period.assessments.filter(pk__in=wanted).values_list("pk", flat=True))
    if found != wanted:
        raise ValidationError(_("Có đơn vị không thuộc kỳ này."))
    RankingMember.objects.filter(assessment_id__in=found).delete()
    RankingMember.objects.bulk_create(RankingMember(group=group, assessment_id=pk) for pk in sorted(found))
    return len(found)


@transaction.atomic
def group_delete(group: RankingGroup) -> None:
    """Delete a group that has no agency left (move them out first: nobody must drop out of the ranking)."""
    _lock(group.period)
    members = RankingMember.objects.filter(group=group).count()
    if members:
        raise ValidationError(
            _("Khối «%(name)s» còn %(n)s đơn vị: chuyển các đơn vị sang khối khác trước khi xóa.")
            % {"name": group.name, "n": number_text(members)}
        )
    group.delete()


@transaction.atomic
def groups_reset(period: Period) -> None:
    """Back to the default: one group per agency kind with the period's bands."""
    period = _lock(period)
    period.ranking_groups.all().delete()


Member = tuple[int, str, str]  # sheet pk, agency name, agency kind


def group_rows(period: Period) -> list[tuple[RankingGroup, list[Member]]]:
    """The period's groups in order, each with its sheets; sheets in no group last, under an unsaved group
    (pk None) named «Chưa xếp khối». Two queries."""
    groups = list(period.ranking_groups.all())
    by_group: dict[int | None, list[Member]] = {g.pk: [] for g in groups}
    for pk, name, kind, group_id in period.assessments.order_by("agency__name").values_list(
        "pk", "agency__name", "agency__kind", "ranking_member__group_id"
    ):
        by_group.setdefault(group_id, []).append((pk, name, kind))
    rows = [(g, by_group[g.pk]) for g in groups]
    if by_group.get(None):
        rows.append((RankingGroup(period=period, name=_("Chưa xếp khối")), by_group[None]))
    return rows
