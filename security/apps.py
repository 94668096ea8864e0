from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Personnel and incidents (issue 3)."""

    name = "security"
    verbose_name = _("Keamanan dan personel")
