from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Tự đánh giá và thẩm định")

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's blank choice «- Select an option -» has no Vietnamese in Django's catalog, so
        # every optional select would greet a Vietnamese user in English; Django expects apps to set it.
        fields.BLANK_CHOICE_LABEL = _("— Chọn —")
