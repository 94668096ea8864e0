from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Personnel and incidents (issue 3)."""

    name = "security"
    verbose_name = _("Keamanan dan personel")

    def ready(self) -> None:
        # readiness never imports this app: both sections join the report's submit checks
        # and the rollup engine through the section registry.
        from readiness.sections import ReportSection, register
        from readiness.signals import demo_seeded

        from .demo import demo_seed_security
        from .rollups import (
            incident_rollup,
            incident_rollup_figures,
            personnel_rollup,
            personnel_rollup_figures,
        )
        from .selectors import incidents_submit_problems

        demo_seeded.connect(demo_seed_security, dispatch_uid="security.demo_seed_security")

        register(
            ReportSection(
                key="personnel",
                title=_("Personel"),
                url_name="personnel_report",
                order=20,
                rollup=personnel_rollup,
                rollup_figures=personnel_rollup_figures,
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
                rollup=incident_rollup,
                rollup_figures=incident_rollup_figures,
            )
        )
