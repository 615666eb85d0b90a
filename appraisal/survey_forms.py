"""Forms of the survey and bonus/penalty pages: they read what was typed; the services hold the rules."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import REASON_MAX_LENGTH
from criteria.models import Node
from parindex.forms import ExcelFileField
from parindex.numbers import number_text

from .adjustments import DOCUMENT_MAX_LENGTH
from .models import AdjustmentKind, SurveyScore

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _points_field(label: "StrOrPromise", required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=7,
        decimal_places=2,
        localize=True,
        error_messages={
            "invalid": _("Nhập một số, ví dụ 18,5."),
            "max_decimal_places": _("Tối đa 2 chữ số thập phân."),
        },
    )


class SurveyAgencyForm(forms.Form):
    """One points field (and the version it was read at) per survey part of the agency's set, and a reason."""

    reason = forms.CharField(
        label=_("Lý do điều chỉnh"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi sửa điểm đã có; lưu trong lịch sử."),
    )

    def __init__(self, *args: Any, parts: list[Node], stored: dict[int, SurveyScore], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = parts
        for node in parts:
            row = stored.get(node.pk)
            label = _("%(code)s %(title)s (tối đa %(max)s)") % {
                "code": node.code,
                "title": node.title,
                "max": number_text(node.max_points),
            }
            field = _points_field(label, required=False)
            field.initial = row.points if row is not None else None
            self.fields[f"points_{node.pk}"] = field
            self.fields[f"version_{node.pk}"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=row.version if row is not None else None
            )
        self.order_fields([*(f"points_{n.pk}" for n in parts), "reason"])

    def typed(self) -> list[tuple[Node, Any, int | None]]:
        """(part, points or None, version read) per part, from cleaned data."""
        return [
            (node, self.cleaned_data.get(f"points_{node.pk}"), self.cleaned_data.get(f"version_{node.pk}"))
            for node in self.parts
        ]


class SurveyImportForm(forms.Form):
    file = ExcelFileField(
        help_text=_("Theo mẫu tải về ở trang này. Tệp có lỗi sẽ không được lưu dòng nào."),
    )


class AdjustmentForm(forms.Form):
    assessment = forms.TypedChoiceField(label=_("Đơn vị"), coerce=int)
    kind = forms.ChoiceField(label=_("Loại"), choices=AdjustmentKind.choices)
    points = _points_field(_("Số điểm"), required=True)
    reason = forms.CharField(label=_("Lý do"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.CharField(
        label=_("Văn bản căn cứ"),
        required=False,
        max_length=DOCUMENT_MAX_LENGTH,
        help_text=_("Số, ký hiệu, ngày của văn bản (nếu có)."),
    )

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", "—"), *agencies]  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=REASON_MAX_LENGTH)
