from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.models import Period, PeriodState
from assessments.permissions import visible_assessments
from assessments.roles import roles_of


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it works on: its agency's sheets, or the periods to follow."""
    roles = roles_of(request.user)
    own = []
    if roles.agency_ids:
        own = list(
            visible_assessments(request.user)
            .filter(agency_id__in=roles.agency_ids, period__state=PeriodState.OPEN)
            .select_related("agency", "period")
            .order_by("agency__name")
        )
    periods = []
    if roles.is_admin or roles.is_leadership:
        periods = list(Period.objects.exclude(state=PeriodState.SETUP).order_by("-year")[:3])
    return render(request, "home.html", {"own_assessments": own, "periods": periods})
