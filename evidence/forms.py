from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Evidence


class UploadForm(forms.Form):
    # An empty file reaches evidence.validation, which names it («Tệp «x.pdf» rỗng»), instead of the
    # form's generic refusal.
    file = forms.FileField(
        label=_("Tệp"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.jpg,.jpeg,.png"}),
    )


class DocumentForm(forms.Form):
    doc_number = forms.CharField(label=_("Số/ký hiệu"), max_length=100, required=False)
    doc_date = forms.DateField(
        label=_("Ngày ban hành"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    doc_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)
    doc_summary = forms.CharField(
        label=_("Trích yếu"),
        required=False,
        max_length=Evidence._meta.get_field("doc_summary").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    url = forms.URLField(label=_("Đường dẫn (không bắt buộc)"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("doc_number", "").strip() and not data.get("doc_summary", "").strip():
            raise forms.ValidationError(_("Nhập ít nhất số/ký hiệu hoặc trích yếu của văn bản."))
        return data
