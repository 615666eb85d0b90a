from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import AgencyKind
from parindex.forms import ExcelFileField


class ImportForm(forms.Form):
    file = ExcelFileField(
        help_text=_("Theo mẫu: các cột Mã, Nội dung, Điểm tối đa là bắt buộc. Tệp có lỗi sẽ không được lưu dòng nào."),
    )
    name = forms.CharField(
        label=_("Tên bộ chỉ số"),
        max_length=255,
        required=False,
        help_text=_("Để trống để lấy từ trang «Thông tin» của tệp."),
    )
    agency_kind = forms.ChoiceField(
        label=_("Loại cơ quan áp dụng"), choices=[("", "—"), *AgencyKind.choices], required=False
    )
    year_from = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("Đến năm"), min_value=2000, max_value=2100, required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=100, required=False)
    decision_date = forms.DateField(
        label=_("Ngày quyết định"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Tên phiên bản mới"), max_length=255, required=False)
