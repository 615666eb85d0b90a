"""The analysis pages (issue 9, item 3): one agency's scorecard, the criterion analysis and the accountability
warning list. Thin: who may see what is reports/access.py's, the figures are the modules' beside this one."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from assessments.models import Period

from .access import Source, ranking_access, scorecard_access
from .accountability import accountability_warnings
from .forms import CriteriaFilterForm
from .losses import criterion_losses, group_choices, loss_domains, losses_chart
from .scorecard import build_scorecard, scorecard_chart


def scorecard_view(request: HttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    access = scorecard_access(request.user, period, agency_pk)
    card = build_scorecard(period, agency_pk, access)
    if card is None:
        raise Http404
    return render(
        request,
        "reports/scorecard.html",
        {
            "period": period,
            "card": card,
            "live": access.source == Source.LIVE,
            # The same chart drawn twice: at a phone's width its text stays readable instead of shrinking.
            "chart": scorecard_chart(card, width=760),
            "chart_narrow": scorecard_chart(card, width=360),
        },
    )


def criteria_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    access = ranking_access(request.user, period)
    choices, grouped = group_choices(period)
    wanted = request.GET.get("khoi", "")
    chosen = next((c for c in choices if c.spec.key == wanted), choices[0] if choices else None)
    every = criterion_losses(period, chosen.spec, grouped=grouped) if chosen is not None else []
    # Filtered here, not in SQL: a group has a few hundred leaves at most, and its domains for the form come
    # from the same one query.
    form = CriteriaFilterForm(request.GET, domains=loss_domains(every))
    keep = form.loss_filter()
    losses = [c for c in every if keep.keeps(c)]
    lost = any(c.lost_by for c in losses)
    return render(
        request,
        "reports/criteria.html",
        {
            "period": period,
            "choices": choices,
            "chosen": chosen,
            "form": form,
            "filtered": keep.domain is not None or keep.min_lost_share is not None,
            "leaves": len(every),
            "losses": losses,
            "chart": losses_chart(losses, width=900) if lost else "",
            "chart_narrow": losses_chart(losses, width=360) if lost else "",
            "live": access.source == Source.LIVE,
        },
    )


def warnings_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    access = ranking_access(request.user, period)
    groups = access.results(period)
    # The warning domains as the sets name them: each kind's set may word a domain its own way.
    titles: dict[str, list[str]] = {code: [] for code in period.warning_domain_codes}
    for group in groups:
        for domain in group.domain_heads:
            if domain.code in titles and domain.title not in titles[domain.code]:
                titles[domain.code].append(domain.title)
    return render(
        request,
        "reports/warnings.html",
        {
            "period": period,
            "warnings": accountability_warnings(period, groups),
            "domains": [(code, " / ".join(names)) for code, names in titles.items()],
            "agencies": sum(len(group.rows) for group in groups),
            "live": access.source == Source.LIVE,
        },
    )
