"""The ranking page's table rows, rendered with Jinja2 (parindex/jinja.py): at 800 agencies Django's template
engine spent nine tenths of the page's time on them (~1 ms a row, each with its domains)."""

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from appraisal.results import ResultGroup
from assessments.models import Period
from parindex.jinja import ENV, url_maker

from .access import Access, Source


class RankingRows:
    """Renders the rows of a period's groups; build one per request (words in the active language)."""

    def __init__(self, period: Period, access: Access) -> None:
        self.template = ENV.get_template("reports/ranking_rows.jinja")
        self.base = {
            "live": access.source == Source.LIVE,
            "scorecard_url": url_maker("reports:scorecard", period.pk),
            "pdf_url": url_maker("reports:scorecard_pdf", period.pk),
            "unappraised": lambda n: (
                ngettext(
                    "%(n)s tiêu chí chưa thẩm định: tính điểm tự chấm",
                    "%(n)s tiêu chí chưa thẩm định: tính điểm tự chấm",
                    n,
                )
                % {"n": n}
            ),
            "t": {
                "pdf": gettext("Phiếu kết quả (PDF)"),
                "pdf_of": gettext("Phiếu kết quả của %(agency)s (PDF)"),
                "domain_rank": gettext("%(title)s: hạng %(rank)s/%(of)s trong khối"),
                "rank": gettext("hạng"),
            },
        }

    def render(self, group: ResultGroup) -> SafeString:
        # Jinja2 escaped every value (autoescape); the words above are ours.
        return mark_safe(self.template.render({**self.base, "rows": group.rows}))  # noqa: S308
