"""Form pieces shared by the apps."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class ExcelFileField(forms.FileField):
    """An .xlsx upload for an import, refused above ``IMPORT_MAX_UPLOAD_MB`` before anything reads it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Tệp Excel (.xlsx)"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
        super().__init__(**kwargs)

    def clean(self, data: object, initial: object = None) -> object:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("Tệp lớn hơn %(limit)s MB.") % {"limit": limit})
        return upload


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form fields it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def report_service[T](request: HttpRequest, action: Callable[[], T], success: str | Callable[[T], str]) -> None:
    """Run a service for a button that redirects: its refusal as error messages (nothing was written), else the
    success message (``success`` may be built from the service's result)."""
    try:
        result = action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success(result) if callable(success) else success)
