from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Sample data for a newcomer (`load_demo`): it uses every layer, so it sits on top of them."""

    name = "demo"
    verbose_name = _("Dữ liệu mẫu")
