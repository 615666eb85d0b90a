"""Administrators' forms for agencies and users."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parindex.forms import ExcelFileField, add_service_errors

from .models import Agency, RoleAssignment
from .people import PROVINCE_ROLES, UserRolesInput, check_has_role

# ---- administrators' pages for agencies and users -------------------------------------------------------


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "is_active", "merged_into", "merged_on", "note"]
        widgets = {"merged_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})}
        help_texts = {
            "merged_into": _("Theo sắp xếp bộ máy (ví dụ năm 2025): đơn vị đã hợp nhất không tham gia kỳ mới."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = Agency.objects.filter(merged_into__isnull=True)
        if self.instance.pk:
            targets = targets.exclude(pk=self.instance.pk)
        # Form.fields is typed as plain Fields; this one is the ModelChoiceField the Meta declares.
        cast(forms.ModelChoiceField, self.fields["merged_into"]).queryset = targets

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Merged means no longer active (a database rule): say it by doing it, not by an error.
        if data.get("merged_into") is not None:
            data["is_active"] = False
        return data


class AgencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name if obj.is_active else f"{obj.name} ({_('không còn hoạt động')})"


class UserForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Chữ, số và . @ + - _"),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=300)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    province_roles = forms.MultipleChoiceField(
        label=_("Vai trò toàn tỉnh"),
        required=False,
        choices=[(role.value, role.label) for role in PROVINCE_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    officer_of = AgencyChoices(
        label=_("Chuyên viên của đơn vị"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    head_of = AgencyChoices(
        label=_("Lãnh đạo của đơn vị"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    reviewer_of = forms.ModelChoiceField(
        label=_("Thẩm định cho cơ quan"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_(
            "Với thành viên tổ thẩm định: cơ quan chủ trì mà người này thuộc về (tổ thẩm định của cơ quan). "
            "Người này không thẩm định bản đánh giá của cơ quan đó."
        ),
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Active agencies, plus any inactive one the user still holds a role in (so it is not dropped silently).
        held = RoleAssignment.objects.filter(user=user, agency__isnull=False).values("agency") if user else []
        agencies = Agency.objects.filter(Q(is_active=True) | Q(pk__in=held)).order_by("kind", "name")
        for name in ("officer_of", "head_of"):
            cast(AgencyChoices, self.fields[name]).queryset = agencies
        cast(forms.ModelChoiceField, self.fields["reviewer_of"]).queryset = agencies
        if user is not None:
            self.fields["password"].label = _("Mật khẩu mới")
            self.fields["password"].help_text = _("Để trống để giữ mật khẩu hiện tại.")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        taken = get_user_model().objects.filter(username__iexact=username)
        if self.user is not None:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise forms.ValidationError(_("Tên đăng nhập «%(name)s» đã có người dùng.") % {"name": username})
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        account = self.user or get_user_model()(username=data.get("username", ""))
        password = data.get("password")
        if self.user is None and not password:
            self.add_error("password", _("Tài khoản mới cần mật khẩu ban đầu."))
        elif password:
            try:
                validate_password(password, account)
            except ValidationError as exc:
                self.add_error("password", exc)
        # user_save holds the rule; asking it here lists the problem with the form's other errors.
        try:
            check_has_role(self.roles().names(), user=account)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data

    def roles(self) -> UserRolesInput:
        """The roles ticked (a list left out by an invalid choice counts as empty)."""
        data = self.cleaned_data
        return UserRolesInput(
            province=set(data.get("province_roles", [])),
            officer_of={a.pk for a in data.get("officer_of", [])},
            head_of={a.pk for a in data.get("head_of", [])},
            reviewer_of=data["reviewer_of"].pk if data.get("reviewer_of") else None,
        )


class PeopleImportForm(forms.Form):
    file = ExcelFileField(
        help_text=_("Theo mẫu: trang «Cơ quan» và/hoặc trang «Người dùng». Tệp có lỗi sẽ không được lưu dòng nào."),
    )


# ---- a user's own password ----------------------------------------------------------------------------------


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password checked, the rules in AUTH_PASSWORD_VALIDATORS) with our own wording: the
    messages live in the project's catalog, so they are Vietnamese in Vietnamese and English in English."""

    error_messages = {
        "password_incorrect": _("Mật khẩu hiện tại không đúng; hãy nhập lại."),
        "password_mismatch": _("Hai lần nhập mật khẩu mới không khớp nhau."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = password_validation.password_validators_help_text_html()
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = _("Nhập lại đúng mật khẩu mới để kiểm tra.")
        required = _("Hãy nhập %(field)s.")
        for field in self.fields.values():
            field.error_messages["required"] = required % {"field": str(field.label).lower()}

    def clean(self) -> dict[str, Any]:
        # Django checks the rules on the confirmation field; the user reads them under the new password.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data
