"""Downloads of the decision (PDF, Word) and of one agency's scorecard (PDF). Thin: reports/access.py decides
who may read what, the writers lay it out."""

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Protocol
from urllib.parse import quote

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Period

from .access import Access, ranking_access, scorecard_access
from .decision import DecisionOptions
from .docx import DOCX_CONTENT_TYPE, write_decision_docx
from .pdf import write_decision_pdf, write_scorecard_pdf


class DecisionOptionsForm(forms.Form):
    """What the office fills on the download («?so=25&ngay=30/01/2026&nguoi_ky=…&pho=1»), else settings and
    the publication decide."""

    so = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=50, required=False)
    ngay = forms.DateField(label=gettext_lazy("Ngày ký"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    nguoi_ky = forms.CharField(label=gettext_lazy("Người ký"), max_length=100, required=False)
    pho = forms.NullBooleanField(label=gettext_lazy("Phó Chủ tịch ký thay"), required=False)

    def options(self) -> DecisionOptions:
        data = self.cleaned_data
        return DecisionOptions(number=data["so"], date=data["ngay"], signer=data["nguoi_ky"], deputy=data["pho"])


def ascii_name(name: str) -> str:
    """«Quyết định số 25» → «Quyet-dinh-so-25»: the fallback name for clients that ignore filename*."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9.]+", "-", plain).strip("-")


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Content-Disposition with the Vietnamese name (RFC 6266 filename*) and an ASCII fallback."""
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name(filename)}\"; filename*=utf-8''{quote(filename)}"
    )
    return response


def _options(request: HttpRequest) -> DecisionOptions | HttpResponseBadRequest:
    form = DecisionOptionsForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    return form.options()


class DecisionWriter(Protocol):
    def __call__(self, period: Period, access: Access, out: BinaryIO, *, options: DecisionOptions) -> None: ...


@dataclass(frozen=True)
class DecisionFormat:
    write: DecisionWriter
    content_type: str
    filename: str | Promise  # with «%(year)s»


DECISION_PDF = DecisionFormat(
    write_decision_pdf, "application/pdf", gettext_lazy("Quyết định công bố Chỉ số CCHC năm %(year)s.pdf")
)
DECISION_DOCX = DecisionFormat(
    write_decision_docx, DOCX_CONTENT_TYPE, gettext_lazy("Quyết định công bố Chỉ số CCHC năm %(year)s.docx")
)


def _decision(request: HttpRequest, pk: int, document: DecisionFormat) -> HttpResponse:
    """The decision in one format: the reader's access, then the office's options (400 if malformed)."""
    period = get_object_or_404(Period, pk=pk)
    access = ranking_access(request.user, period)
    options = _options(request)
    if isinstance(options, HttpResponse):
        return options
    out = io.BytesIO()
    document.write(period, access, out, options=options)
    response = HttpResponse(out.getvalue(), content_type=document.content_type)
    return attachment(response, str(document.filename) % {"year": period.year})


def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, DECISION_PDF)


def decision_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, DECISION_DOCX)


def scorecard_pdf(request: HttpRequest, pk: int, agency_pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    access = scorecard_access(request.user, period, agency_pk)
    agency_name = get_object_or_404(period.assessments.select_related("agency"), agency_id=agency_pk).agency.name
    out = io.BytesIO()
    write_scorecard_pdf(period, access, agency_pk, out)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    return attachment(
        response,
        _("Kết quả Chỉ số CCHC năm %(year)s - %(agency)s.pdf") % {"year": period.year, "agency": agency_name},
    )
