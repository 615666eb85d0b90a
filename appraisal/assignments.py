"""Who appraises a leaf of an agency's sheet: the one place the assignment rules are resolved.

Rules (see ReviewAssignment): the deepest assigned node above the leaf decides; on the same node a row
for that agency wins over the general row. The result is refused (the leaf counts as without reviewer)
when the assignee belongs to the agency whose sheet it is: a reviewer never appraises their own agency.

Two queries load a period's whole map (its rows with the assignees' agencies, and the parent links of
its sets); every page then resolves leaves in memory, so a page over 200 agencies costs the same as one.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q

from assessments.models import Period, PeriodIndexSet
from criteria.models import Node
from organisations.models import AGENCY_ROLES, Role, RoleAssignment
from organisations.roles import UserRoles

from .models import ReviewAssignment


@dataclass(frozen=True)
class Resolved:
    row: ReviewAssignment
    # Set when the assignee belongs to the sheet's agency: the leaf then has no usable reviewer.
    own_agency: bool = False
    # Set when nobody can act on the row: its person no longer holds the reviewer role, or its team has
    # no reviewer left. The leaf then has no usable reviewer either.
    vacant: bool = False


class AssignmentMap:
    def __init__(
        self,
        rows: Iterable[ReviewAssignment],
        parents: Mapping[int, int | None],
        reviewer_agencies: dict[int, frozenset[int]],
        staffed: frozenset[tuple[str, int]] | None = None,
    ):
        self.general: dict[int, ReviewAssignment] = {}
        self.specific: dict[tuple[int, int], ReviewAssignment] = {}
        for row in rows:
            if row.for_agency_id is None:
                self.general[row.node_id] = row
            else:
                self.specific[(row.node_id, row.for_agency_id)] = row
        self.parents = parents
        self.reviewer_agencies = reviewer_agencies
        # ("r", user id) of assignees still holding the reviewer role, ("t", agency id) of teams with a
        # reviewer; None: not known, every assignee counts as staffed.
        self.staffed = staffed

    @classmethod
    def for_period(cls, period: Period | int) -> "AssignmentMap":
        period_id = period if isinstance(period, int) else period.pk
        rows = list(ReviewAssignment.objects.filter(period_id=period_id).select_related("reviewer", "team", "node"))
        set_ids = {row.node.index_set_id for row in rows}
        set_ids |= set(PeriodIndexSet.objects.filter(period_id=period_id).values_list("index_set_id", flat=True))
        parents = dict(Node.objects.filter(index_set_id__in=set_ids).values_list("pk", "parent_id"))
        reviewer_ids = {row.reviewer_id for row in rows if row.reviewer_id}
        team_ids = {row.team_id for row in rows if row.team_id}
        agencies: dict[int, set[int]] = {}
        staffed: set[tuple[str, int]] = set()
        # One query: the assignees' roles (their agencies, and whether they are still active reviewers) and
        # the reviewers of the assigned teams.
        for user_id, role, agency_id, active in RoleAssignment.objects.filter(
            Q(user_id__in=reviewer_ids, role__in=(*AGENCY_ROLES, Role.REVIEWER))
            | Q(role=Role.REVIEWER, agency_id__in=team_ids)
        ).values_list("user_id", "role", "agency_id", "user__is_active"):
            if user_id in reviewer_ids and agency_id is not None:
                agencies.setdefault(user_id, set()).add(agency_id)
            if role != Role.REVIEWER or not active:
                continue
            if user_id in reviewer_ids:
                staffed.add(("r", user_id))
            if agency_id in team_ids:
                staffed.add(("t", agency_id))
        return cls(rows, parents, {user: frozenset(ids) for user, ids in agencies.items()}, frozenset(staffed))

    def resolve(self, leaf_id: int, agency_id: int) -> Resolved | None:
        """The assignment that covers ``leaf_id`` on ``agency_id``'s sheet, or None when nobody is assigned."""
        node_id: int | None = leaf_id
        while node_id is not None:
            row = self.specific.get((node_id, agency_id)) or self.general.get(node_id)
            if row is not None:
                return Resolved(row, own_agency=agency_id in self.assignee_agencies(row), vacant=self.is_vacant(row))
            node_id = self.parents.get(node_id)
        return None

    def assignee_agencies(self, row: ReviewAssignment) -> frozenset[int]:
        if row.team_id is not None:
            return frozenset({row.team_id})
        assert row.reviewer_id is not None  # the database holds one assignee per row
        return self.reviewer_agencies.get(row.reviewer_id, frozenset())

    def is_vacant(self, row: ReviewAssignment) -> bool:
        if self.staffed is None:
            return False
        key = ("t", row.team_id) if row.team_id is not None else ("r", row.reviewer_id)
        return key not in self.staffed

    def is_covered(self, leaf_id: int, agency_id: int) -> bool:
        resolved = self.resolve(leaf_id, agency_id)
        return resolved is not None and not resolved.own_agency and not resolved.vacant

    def may_appraise(self, user_id: int, roles: UserRoles, leaf_id: int, agency_id: int) -> bool:
        """The user is the leaf's reviewer on this agency's sheet (in person or through their team)."""
        if not roles.is_reviewer or agency_id in roles.own_agency_ids:
            return False
        resolved = self.resolve(leaf_id, agency_id)
        if resolved is None or resolved.own_agency or resolved.vacant:
            return False
        row = resolved.row
        return row.reviewer_id == user_id or (row.team_id is not None and row.team_id == roles.reviewer_of)
