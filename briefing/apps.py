from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingConfig(AppConfig):
    """Dashboards and briefings: composes readiness with logistics, security and indicators.

    The dependency points one way: briefing reads the other apps' selectors, none of them
    imports briefing.
    """

    name = "briefing"
    verbose_name = _("Ringkasan pimpinan")
