import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from criteria.models import IndexSet, Node, ScoringMethod
from organisations.models import Agency, AgencyKind
from parindex.numbers import parse_decimal

from .models import Period, PeriodState, domain_codes
from .scoring import LeafInput, ScoreInputError
from .selectors import default_participants
from .services import ScoreEdit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _decimal(raw: str, field: str) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return parse_decimal(raw)
    except ValueError:
        raise ScoreInputError(gettext("«%(raw)s» không phải là số; nhập ví dụ 0,75.") % {"raw": raw}, field) from None


def score_edit_from_post(node: Node, data: Mapping[str, str]) -> tuple[ScoreEdit, int]:
    """Read the posted row for the leaf's method; raises ScoreInputError on unreadable input."""
    try:
        version = int(data.get("version", ""))
    except ValueError:
        raise ScoreInputError(gettext("Thiếu phiên bản của dòng; tải lại trang."), "version") from None
    value = LeafInput()
    if node.method == ScoringMethod.MANUAL:
        value = LeafInput(self_points=_decimal(data.get("self_points", ""), "self_points"))
    elif node.method == ScoringMethod.YES_NO:
        answer = data.get("answer_yes", "")
        value = LeafInput(answer_yes={"yes": True, "no": False}.get(answer))
    elif node.method == ScoringMethod.RATIO:
        value = LeafInput(
            numerator=_decimal(data.get("numerator", ""), "numerator"),
            denominator=_decimal(data.get("denominator", ""), "denominator"),
        )
    elif node.method == ScoringMethod.DEDUCTION:
        raw = (data.get("event_count") or "").strip()
        if raw and not raw.isdigit():
            raise ScoreInputError(gettext("«%(raw)s» không phải là số nguyên không âm.") % {"raw": raw}, "event_count")
        value = LeafInput(event_count=int(raw) if raw else None)
    edit = ScoreEdit(
        value=value,
        note=data.get("note", ""),
        not_applicable=data.get("not_applicable") == "on",
        not_applicable_reason=data.get("not_applicable_reason", ""),
    )
    return edit, version


class ExtendForm(forms.Form):
    until = forms.DateTimeField(
        label=_("Gia hạn đến"),
        help_text=_("dd/mm/yyyy hh:mm"),
        widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
    )
    note = forms.CharField(label=_("Lý do"), required=False, max_length=500)

    def clean_until(self) -> datetime.datetime:
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError(_("Hạn gia hạn phải ở tương lai."))
        return until


# ---- periods ---------------------------------------------------------------------------------------------


# Django's own Vietnamese messages for these fields are awkward («Nhập một số tổng thể.»); say what to type.
def _datetime_field(label: "StrOrPromise") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
        error_messages={"invalid": _("Nhập ngày giờ dạng dd/mm/yyyy hh:mm, ví dụ 15/01/2027 17:00.")},
    )


def _points_field(label: "StrOrPromise", initial: int, maximum: int | None = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=initial,
        min_value=0,
        max_value=maximum,
        max_digits=5,
        decimal_places=2,
        localize=True,
        error_messages={
            "invalid": _("Nhập một số, ví dụ 82,5."),
            "min_value": _("Không được nhỏ hơn %(limit_value)s."),
            "max_value": _("Không được lớn hơn %(limit_value)s."),
        },
    )


class PeriodForm(forms.Form):
    """A period's settings. Once it is open, its sets and participants are shown but cannot change."""

    # The fields that go to period_save as they are.
    SETTINGS = (
        "year",
        "name",
        *Period.DEADLINES,
        "band_good_min",
        "band_fair_min",
        "band_average_min",
        "bonus_cap",
        "penalty_cap",
        "warning_threshold",
        "warning_domains",
    )

    year = forms.IntegerField(
        label=_("Năm đánh giá"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Nhập năm bằng số, ví dụ 2027."),
            "min_value": _("Không được nhỏ hơn %(limit_value)s."),
            "max_value": _("Không được lớn hơn %(limit_value)s."),
        },
    )
    name = forms.CharField(label=_("Tên kỳ đánh giá"), max_length=255)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Đơn vị tham gia"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Để trống: mọi đơn vị đang hoạt động thuộc các loại đã chọn bộ chỉ số."),
    )
    self_assessment_deadline = _datetime_field(_("Hạn tự đánh giá"))
    appraisal1_deadline = _datetime_field(_("Hạn thẩm định vòng 1"))
    explanation_deadline = _datetime_field(_("Hạn giải trình"))
    appraisal2_deadline = _datetime_field(_("Hạn thẩm định vòng 2"))
    band_good_min = _points_field(_("Tốt từ (%)"), 80, 100)
    band_fair_min = _points_field(_("Khá từ (%)"), 70, 100)
    band_average_min = _points_field(_("Trung bình từ (%)"), 60, 100)
    bonus_cap = _points_field(_("Điểm thưởng tối đa"), 0)
    penalty_cap = _points_field(_("Điểm trừ tối đa"), 0)
    # Seed 001: below this share of its max in one of these domains, an agency sends a báo cáo kiểm điểm.
    warning_threshold = _points_field(_("Ngưỡng phải kiểm điểm (%)"), 75, 100)
    warning_domains = forms.CharField(
        label=_("Lĩnh vực xét kiểm điểm"),
        max_length=100,
        required=False,
        initial="3, 7",
        help_text=_("Mã lĩnh vực, cách nhau bởi dấu phẩy, ví dụ 3, 7 (thủ tục hành chính, chính quyền số)."),
    )

    def __init__(self, *args: Any, period: Period | None = None, **kwargs: Any) -> None:
        if period is not None:
            kwargs["initial"] = {
                **{name: getattr(period, name) for name in self.SETTINGS},
                "agencies": list(period.agencies.values_list("pk", flat=True)),
                **{self.set_field(p.agency_kind): p.index_set_id for p in period.index_sets.all()},
            }
        super().__init__(*args, **kwargs)
        used = set(IndexSet.objects.order_by().values_list("agency_kind", flat=True).distinct())
        if period is not None:
            used |= {p.agency_kind for p in period.index_sets.all()}
        self.kinds = [kind for kind in AgencyKind if kind in used]
        for kind in self.kinds:
            self.fields[self.set_field(kind)] = forms.ModelChoiceField(
                label=_("Bộ chỉ số cho %(kind)s") % {"kind": kind.label},
                queryset=IndexSet.objects.filter(agency_kind=kind).order_by("-year_from", "name", "-version"),
                required=False,
            )
        # Merged agencies take part in no new period, but an open period keeps the ones it started with.
        agencies = Q(is_active=True, kind__in=self.kinds)
        if period is not None:
            agencies |= Q(periods=period)
        # Form.fields is typed as plain Fields; this one is the ModelMultipleChoiceField declared above.
        agencies_field = cast(forms.ModelMultipleChoiceField, self.fields["agencies"])
        agencies_field.queryset = Agency.objects.filter(agencies).distinct().order_by("kind", "name")
        self.order_fields(["year", "name", *(self.set_field(k) for k in self.kinds), "agencies"])
        self.opened = period is not None and period.state != PeriodState.SETUP
        if self.opened:
            for name in [self.set_field(k) for k in self.kinds] + ["agencies"]:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Kỳ đã mở: không đổi được.")

    @staticmethod
    def set_field(kind: str) -> str:
        return f"set_{kind}"

    def index_set_fields(self) -> list[forms.BoundField]:
        return [self[self.set_field(kind)] for kind in self.kinds]

    def agency_groups(self) -> "list[tuple[StrOrPromise, list[BoundWidget]]]":
        """The agency checkboxes grouped by kind, for the template."""
        labels = dict(AgencyKind.choices)
        groups: dict[str, list[BoundWidget]] = {}
        for box in self["agencies"]:
            groups.setdefault(box.data["value"].instance.kind, []).append(box)
        return [(labels[kind], groups[kind]) for kind in AgencyKind if kind in groups]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen = {kind: data.get(self.set_field(kind)) for kind in self.kinds}
        data["index_sets"] = [index_set for index_set in chosen.values() if index_set is not None]
        if not data["index_sets"]:
            raise forms.ValidationError(_("Chọn bộ chỉ số cho ít nhất một loại cơ quan."))
        agencies = list(data.get("agencies") or [])
        if not agencies and not self.opened:
            # The rule is the selectors' (period_save applies the same one); the form needs the list to check it.
            agencies = default_participants(index_set.agency_kind for index_set in data["index_sets"])
        without = [a.name for a in agencies if chosen.get(a.kind) is None]
        if without:
            self.add_error(
                "agencies",
                _("Chưa chọn bộ chỉ số cho loại cơ quan của: %(agencies)s.") % {"agencies": ", ".join(without)},
            )
        data["agencies"] = agencies
        self._check_warning_domains(data)
        return data

    def _check_warning_domains(self, data: dict[str, Any]) -> None:
        """Each warning domain must be a domain of a chosen set, or the warning list would silently stay empty."""
        codes = domain_codes(data.get("warning_domains") or "")
        if not codes:
            return
        known = set(
            Node.objects.filter(index_set__in=data["index_sets"], depth=1, is_survey=False).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            self.add_error(
                "warning_domains",
                _("Bộ chỉ số đã chọn không có lĩnh vực mã: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
