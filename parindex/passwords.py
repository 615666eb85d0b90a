"""Django's password rules, saying so in the interface's language.

Django 6 changed the msgid of MinimumLengthValidator's message and its Vietnamese catalog still carries the
old one, so "This password is too short…" showed in English inside Vietnamese pages. The rules stay
Django's; only the messages and help texts are ours, in the project's catalog (Vietnamese msgids, English in
locale/en), so the people import, the user form and the password change page all speak one language.
"""

from typing import Any

from django.contrib.auth import password_validation as django_rules
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Mật khẩu có ít nhất %(min_length)d ký tự.",
            "Mật khẩu có ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as exc:
            # Django's message names the field by its verbose name, passed as a parameter.
            field = str((exc.params or {}).get("verbose_name", "")).lower()
            raise ValidationError(
                _("Mật khẩu quá giống %(field)s của tài khoản.") % {"field": field},
                code="password_too_similar",
            ) from None

    def get_help_text(self) -> str:
        return _("Mật khẩu không được giống tên đăng nhập, họ tên hoặc email.")


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu này quá phổ biến, dễ bị đoán ra.")

    def get_help_text(self) -> str:
        return _("Không dùng mật khẩu phổ biến (như 12345678, password).")


class NumericPasswordValidator(django_rules.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")
