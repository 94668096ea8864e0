from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    """Election logistics: item catalogue, quantity rules, per-stage report lines (issue 3)."""

    name = "logistics"
    verbose_name = _("Logistik")

    def ready(self) -> None:
        from readiness import sections
        from readiness.signals import demo_seeded

        from .demo import demo_seed_logistics
        from .rollups import logistics_rollup, logistics_rollup_figures
        from .selectors import logistics_submit_problems

        demo_seeded.connect(demo_seed_logistics, dispatch_uid="logistics.demo_seed_logistics")

        sections.register(
            sections.ReportSection(
                key="logistics",
                submit_problems=logistics_submit_problems,
                title=_("Logistik"),
                url_name="logistics_report",
                order=10,
                levels=(2, 3),  # kab/kota warehouse stage; kecamatan the PPK → TPS chain
                rollup=logistics_rollup,
                rollup_figures=logistics_rollup_figures,
            )
        )
