from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Personnel and incidents (issue 3)."""

    name = "security"
    verbose_name = _("Keamanan dan personel")

    def ready(self) -> None:
        # readiness never imports this app: the incidents section joins the report's
        # submit checks through the section registry.
        from readiness.sections import ReportSection, register
        from readiness.signals import demo_seeded

        from .demo import demo_seed_security
        from .selectors import incidents_submit_problems

        demo_seeded.connect(demo_seed_security, dispatch_uid="security.demo_seed_security")

        register(
            ReportSection(
                key="personnel", title=_("Personel"), url_name="personnel_report", order=20
            )
        )
        register(
            ReportSection(
                key="incidents",
                submit_problems=incidents_submit_problems,
                title=_("Insiden"),
                url_name="incident_list",
                order=30,
                embed_on_report=True,
            )
        )
