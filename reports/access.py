"""Who may see which results: the one rule every report, chart, workbook and count goes through (issue 9).

- Before publication, the administrator (Sở Nội vụ) and provincial leadership see the live figures: from
  self points during self-assessment, from the appraisal once it starts.
- Once the period is published, everyone with a role reads the frozen snapshot, never the live figures.
- An agency always sees its own scorecard; before publication only from its own self points (round 1 is
  not shown to an agency before its sheet is returned), and without anything computed from other agencies
  (no group average, no rank).
- Anyone else is refused: 403 with the reason for a person with a role, 404 for no role at all.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from appraisal.models import Publication
from appraisal.results import ResultGroup, period_results, publication_in_force, published_results
from assessments.models import Period, PeriodState
from organisations.roles import UserRoles, roles_of


class Source(StrEnum):
    LIVE = "live"  # the council's current figures (appraised, else self points)
    PUBLISHED = "published"  # the frozen snapshot
    SELF = "self"  # the agency's own self points only


@dataclass(frozen=True)
class Access:
    source: Source
    publication: Publication | None = None
    # Whether figures computed across agencies (ranks, averages, other agencies' rows) may be shown.
    sees_others: bool = True

    def results(self, period: Period) -> list[ResultGroup]:
        """The results this access allows, in one shape: the snapshot, the live figures or self points."""
        if self.publication is not None:
            return published_results(self.publication)
        return period_results(period, self_only=self.source == Source.SELF)


def sees_live(roles: UserRoles) -> bool:
    """The Sở Nội vụ runs the appraisal; provincial leadership approves the decision before it is published."""
    return roles.is_admin or roles.is_leadership


def _published(period: Period) -> Publication | None:
    return publication_in_force(period) if period.state == PeriodState.PUBLISHED else None


def _ranking_access(roles: UserRoles, period: Period, publication: Publication | None) -> Access | None:
    """The rule itself, given the publication in force (None when the period is not published)."""
    if publication is not None:
        return Access(Source.PUBLISHED, publication)
    if sees_live(roles) and period.state != PeriodState.SETUP:
        return Access(Source.LIVE)
    return None


def ranking_access(user: AbstractBaseUser | AnonymousUser, period: Period) -> Access:
    """Access to the rankings and every aggregate of the period (charts, heat map, analysis, exports)."""
    roles = roles_of(user)
    if not roles.roles:
        raise Http404
    access = _ranking_access(roles, period, _published(period))
    if access is None:
        raise PermissionDenied(_("Kết quả xếp hạng chỉ xem được sau khi Sở Nội vụ công bố."))
    return access


def readable_periods(user: AbstractBaseUser | AnonymousUser) -> list[tuple[Period, Access]]:
    """Every period whose rankings ``user`` may read now, newest first, with that access: ranking_access's
    rule for each, in two queries whatever the number of periods (the periods, the publications in force)."""
    roles = roles_of(user)
    if not roles.roles:
        return []
    periods = list(Period.objects.exclude(state=PeriodState.SETUP).order_by("-year", "name", "pk"))
    in_force = {
        publication.period_id: publication
        for publication in Publication.objects.filter(
            unpublished_at__isnull=True, period__state=PeriodState.PUBLISHED, period__in=periods
        )
    }
    readable = []
    for period in periods:
        access = _ranking_access(roles, period, in_force.get(period.pk))
        if access is not None:
            readable.append((period, access))
    return readable


def scorecard_access(user: AbstractBaseUser | AnonymousUser, period: Period, agency_id: int) -> Access:
    """Access to one agency's scorecard: as the rankings, and always for the agency's own staff."""
    roles = roles_of(user)
    if agency_id in roles.agency_ids and period.state != PeriodState.SETUP:
        publication = _published(period)
        if publication is not None:
            return Access(Source.PUBLISHED, publication)
        if not sees_live(roles):
            return Access(Source.SELF, sees_others=False)
    return ranking_access(user, period)
