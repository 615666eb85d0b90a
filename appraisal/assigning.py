"""The administrator's assignment page: what it reads (one overview of a period in a fixed number of
queries) and the copy of last period's assignments.

Coverage is resolved by ``AssignmentMap`` (appraisal.assignments), the same rules ``uncovered_leaves``
and ``period_start_appraisal`` apply, so the page never lists a leaf the start would accept, or the reverse.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from assessments.models import Period, PeriodIndexSet
from criteria.models import Node
from organisations.models import Agency, Role, RoleAssignment
from parindex.names import full_name

from .assignments import AssignmentMap
from .models import ReviewAssignment
from .services import check_assignments_open

# The tree shows domains and criteria; deeper nodes only where they carry an assignment of their own.
SHOWN_DEPTH = 2


def reviewer_key(user_id: int) -> str:
    return f"r{user_id}"


def team_key(agency_id: int) -> str:
    return f"t{agency_id}"


@dataclass
class Reviewer:
    user: User
    agency: Agency | None  # the lead agency whose team they belong to


@dataclass
class Item:
    row: ReviewAssignment
    label: str  # who: a reviewer's full name (and lead agency), or a lead agency's team
    agency: Agency | None  # the one agency the row is for, if any


@dataclass
class NodeLine:
    node: Node
    # This node's own rows: the general row first, then the rows for one agency.
    items: list[Item] = field(default_factory=list)
    # The general row of the nearest ancestor, when the node has none of its own.
    inherited: Item | None = None


@dataclass
class Missing:
    leaf: Node
    agencies: list[Agency]  # empty: every participating agency of the kind


@dataclass
class Conflict:
    """An assignment whose assignee belongs to an agency it would cover: those leaves need another reviewer."""

    item: Item
    agency: Agency
    leaves: list[Node]


@dataclass
class Vacancy:
    """An assignment nobody can act on: its person is no longer a reviewer, or its team has no reviewer."""

    item: Item
    leaves: list[Node]

    def add(self, leaf: Node) -> None:
        if not self.leaves or self.leaves[-1] != leaf:
            self.leaves.append(leaf)


@dataclass
class SetOverview:
    period_set: PeriodIndexSet
    lines: list[NodeLine]
    agencies: list[Agency]
    leaf_count: int
    missing: list[Missing]
    conflicts: list[Conflict]
    vacant: list[Vacancy]

    @property
    def uncovered_count(self) -> int:
        return len(self.missing) + sum(len(c.leaves) for c in self.conflicts) + sum(len(v.leaves) for v in self.vacant)


@dataclass
class Overview:
    period: Period
    sets: list[SetOverview]
    reviewers: dict[int, Reviewer]
    teams: dict[int, Agency]
    agencies: dict[int, Agency]
    participants: set[int]
    nodes: dict[int, Node]
    assignment_count: int

    @property
    def complete(self) -> bool:
        return all(s.uncovered_count == 0 for s in self.sets)

    def reviewer_label(self, user_id: int) -> str:
        return reviewer_label(self.reviewers[user_id])


def reviewer_label(reviewer: Reviewer) -> str:
    name = full_name(reviewer.user)
    return f"{name} ({reviewer.agency.display_name})" if reviewer.agency is not None else name


def assignee_label(row: ReviewAssignment, reviewers: dict[int, Reviewer]) -> str:
    if row.team is not None:
        return _("Tổ thẩm định %(agency)s") % {"agency": row.team.name}
    assert row.reviewer is not None  # the database holds one assignee per row
    if row.reviewer.pk in reviewers:
        return reviewer_label(reviewers[row.reviewer.pk])
    # No longer an active reviewer: the row still shows whom it names, and the page lists it as vacant.
    return _("%(name)s (không còn vai trò thẩm định)") % {"name": full_name(row.reviewer)}


def assignment_overview(period: Period) -> Overview:
    """Everything the assignment page shows, in eight queries however many agencies take part:
    the period's sets, their nodes, the assignment map (four: its rows, the period's sets, the parent links,
    the assignees' agencies), the agencies (participants, and any named by a row), the reviewers."""
    period_sets = list(PeriodIndexSet.objects.filter(period=period).select_related("index_set").order_by("agency_kind"))
    nodes = {
        node.pk: node
        for node in Node.objects.filter(
            index_set__in=[ps.index_set_id for ps in period_sets], is_survey=False
        ).order_by("index_set_id", "position")
    }
    amap = AssignmentMap.for_period(period)
    rows = [*amap.general.values(), *amap.specific.values()]
    takes_part = Period.agencies.through.objects.filter(period_id=period.pk, agency_id=OuterRef("pk"))
    named = {r.for_agency_id for r in rows if r.for_agency_id}
    found = list(
        Agency.objects.filter(Q(periods=period) | Q(pk__in=named))
        .annotate(takes_part=Exists(takes_part))
        .distinct()
        .order_by("name")
    )
    agencies: dict[int, Agency] = {a.pk: a for a in found}
    participants = {a.pk for a in found if a.takes_part}
    reviewers: dict[int, Reviewer] = {}
    teams: dict[int, Agency] = {}
    for role in (
        RoleAssignment.objects.filter(role=Role.REVIEWER, user__is_active=True)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name", "user__username")
    ):
        reviewers[role.user_id] = Reviewer(role.user, role.agency)
        if role.agency is not None:
            teams[role.agency.pk] = role.agency
    # Each node's general row first, then its rows for one agency by the agency's name.
    rows.sort(key=lambda r: "" if r.for_agency_id is None else f"~{agencies[r.for_agency_id].name}")
    items = {
        row.pk: Item(row, assignee_label(row, reviewers), agencies[row.for_agency_id] if row.for_agency_id else None)
        for row in rows
    }
    kinds = {
        ps.agency_kind: [agencies[pk] for pk in agencies if pk in participants and agencies[pk].kind == ps.agency_kind]
        for ps in period_sets
    }
    sets = [_set_overview(ps, nodes, amap, items, kinds[ps.agency_kind]) for ps in period_sets]
    return Overview(
        period=period,
        sets=sets,
        reviewers=reviewers,
        teams=dict(sorted(teams.items(), key=lambda t: t[1].name)),
        agencies=agencies,
        participants=participants,
        nodes=nodes,
        assignment_count=len(rows),
    )


def _set_overview(
    period_set: PeriodIndexSet,
    nodes: dict[int, Node],
    amap: AssignmentMap,
    items: dict[int, Item],
    kind_agencies: list[Agency],
) -> SetOverview:
    own = [n for n in nodes.values() if n.index_set_id == period_set.index_set_id]
    by_node: dict[int, list[Item]] = {}
    for item in items.values():
        by_node.setdefault(item.row.node_id, []).append(item)
    lines = []
    for node in own:
        if node.depth > SHOWN_DEPTH and node.pk not in by_node:
            continue
        line = NodeLine(node, by_node.get(node.pk, []))
        if not any(item.agency is None for item in line.items):
            parent = amap.parents.get(node.pk)
            while parent is not None and line.inherited is None:
                row = amap.general.get(parent)
                line.inherited = items[row.pk] if row is not None else None
                parent = amap.parents.get(parent)
        lines.append(line)
    leaves = [n for n in own if n.is_leaf]
    missing, conflicts, vacant = _coverage(leaves, kind_agencies, amap, items)
    return SetOverview(period_set, lines, kind_agencies, len(leaves), missing, conflicts, vacant)


def _coverage(
    leaves: list[Node], agencies: list[Agency], amap: AssignmentMap, items: dict[int, Item]
) -> tuple[list[Missing], list[Conflict], list[Vacancy]]:
    """Leaves nobody is assigned (for every agency, or some); assignments that would have a reviewer
    appraise their own agency, grouped by assignment and agency; assignments nobody can act on, grouped by
    assignment (in memory: no query)."""
    missing: list[Missing] = []
    conflicts: dict[tuple[int, int], Conflict] = {}
    vacant: dict[int, Vacancy] = {}
    for leaf in leaves:
        without = []
        for agency in agencies:
            resolved = amap.resolve(leaf.pk, agency.pk)
            if resolved is None:
                without.append(agency)
            elif resolved.vacant:
                vacant.setdefault(resolved.row.pk, Vacancy(items[resolved.row.pk], [])).add(leaf)
            elif resolved.own_agency:
                key = (resolved.row.pk, agency.pk)
                conflicts.setdefault(key, Conflict(items[resolved.row.pk], agency, [])).leaves.append(leaf)
        if without:
            missing.append(Missing(leaf, [] if len(without) == len(agencies) else without))
    return missing, list(conflicts.values()), list(vacant.values())


# ---- copying last period's assignments -------------------------------------------------------------------


@dataclass(frozen=True)
class CopyResult:
    source: Period
    copied: int
    skipped: list[str]  # the codes of the rows left out (their node, agency or reviewer is gone)


def previous_assigned_period(period: Period) -> Period | None:
    """The most recent period before this one that has assignments."""
    return (
        Period.objects.filter(Q(year__lt=period.year) | Q(year=period.year, pk__lt=period.pk))
        .filter(Exists(ReviewAssignment.objects.filter(period_id=OuterRef("pk"))))
        .order_by("-year", "-pk")
        .first()
    )


@transaction.atomic
def assignments_copy_previous(*, period: Period, user: User, replace: bool = False) -> CopyResult:
    """Copy the assignments of the previous period with assignments, node by code into this period's set
    for the same agency kind. A row is skipped when its code is no longer in the set, its agency does not
    take part, its reviewer no longer holds the reviewer role or its team has no reviewer left. Refused
    while this period has assignments, unless ``replace``: then they are all replaced."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    check_assignments_open(period)
    source = previous_assigned_period(period)
    if source is None:
        raise ValidationError(_("Không có kỳ đánh giá nào trước kỳ này đã phân công thẩm định."))
    existing = ReviewAssignment.objects.filter(period=period)
    if not replace and existing.exists():
        raise ValidationError(
            _("Kỳ này đã có phân công; sao chép sẽ thay toàn bộ phân công hiện có. Hãy xác nhận để tiếp tục."),
            code="has_assignments",
        )
    existing.delete()
    source_kinds = dict(PeriodIndexSet.objects.filter(period=source).values_list("index_set_id", "agency_kind"))
    target_sets = dict(period.index_sets.values_list("agency_kind", "index_set_id"))
    target_nodes = {
        (set_id, code): pk
        for pk, set_id, code in Node.objects.filter(index_set_id__in=target_sets.values(), is_survey=False).values_list(
            "pk", "index_set_id", "code"
        )
    }
    participants = set(period.agencies.values_list("pk", flat=True))
    reviewers: set[int] = set()
    teams: set[int] = set()
    for user_id, agency_id in RoleAssignment.objects.filter(role=Role.REVIEWER).values_list("user_id", "agency_id"):
        reviewers.add(user_id)
        teams.add(agency_id)
    copied: list[ReviewAssignment] = []
    skipped: list[str] = []
    for row in ReviewAssignment.objects.filter(period=source).select_related("node").order_by("node__position", "pk"):
        set_id = target_sets.get(source_kinds.get(row.node.index_set_id, ""))
        node_id = target_nodes.get((set_id or 0, row.node.code))
        if (
            node_id is None
            or (row.for_agency_id is not None and row.for_agency_id not in participants)
            or (row.reviewer_id is not None and row.reviewer_id not in reviewers)
            or (row.team_id is not None and row.team_id not in teams)
        ):
            skipped.append(row.node.code)
            continue
        copied.append(
            ReviewAssignment(
                period=period,
                node_id=node_id,
                for_agency_id=row.for_agency_id,
                reviewer_id=row.reviewer_id,
                team_id=row.team_id,
                created_by=user,
            )
        )
    ReviewAssignment.objects.bulk_create(copied)
    return CopyResult(source, len(copied), skipped)
