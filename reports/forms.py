"""The filter of the criterion analysis page (reports:criteria), read from the query string."""

from collections.abc import Mapping

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .losses import LossFilter

# With 40 agencies nearly every leaf has someone who lost points: the shares single out the leaves where many did.
LOST_SHARES: list[tuple[str, str | Promise]] = [
    ("", _("Mọi tiêu chí thành phần")),
    ("0", _("Có đơn vị bị mất điểm")),
    ("25", _("Từ 25 % đơn vị trở lên bị mất điểm")),
    ("50", _("Từ 50 % đơn vị trở lên bị mất điểm")),
    ("75", _("Từ 75 % đơn vị trở lên bị mất điểm")),
]


class CriteriaFilterForm(forms.Form):
    """«?linh_vuc=2&mat_diem=50»: the domains offered are those of the group shown. A value that is not offered
    is left out of the filter (``ignored`` names it for the page) rather than refused: a stale bookmark or an
    edited address still shows the analysis."""

    linh_vuc = forms.ChoiceField(
        label=_("Lĩnh vực"), required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    mat_diem = forms.TypedChoiceField(
        label=_("Tiêu chí thành phần"),
        choices=LOST_SHARES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data: Mapping[str, str], *, domains: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["linh_vuc"].choices = [("", _("Mọi lĩnh vực")), *domains]  # type: ignore[attr-defined]

    def loss_filter(self) -> LossFilter:
        self.is_valid()  # fills cleaned_data with the valid fields only
        data = self.cleaned_data
        return LossFilter(domain=data.get("linh_vuc") or None, min_lost_share=data.get("mat_diem"))

    @property
    def ignored(self) -> list[str]:
        """The labels of the fields whose value was left out."""
        return [str(self.fields[name].label) for name in self.errors]
