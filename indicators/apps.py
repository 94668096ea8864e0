from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Other indicators: an admin-defined catalogue of extra figures a desk tracks each day
    (hibah disbursed, sosialisasi, Sirekap training, APK cleared, pemilih pindahan)."""

    name = "indicators"
    verbose_name = _("Indikator lain")

    def ready(self) -> None:
        # readiness never imports this app: the section joins the report through the registry.
        from readiness.models import RegionLevel
        from readiness.sections import ReportSection, register
        from readiness.signals import demo_seeded

        from .demo import demo_seed_indicators
        from .rollups import indicator_rollup, indicator_rollup_figures

        demo_seeded.connect(demo_seed_indicators, dispatch_uid="indicators.demo_seed_indicators")

        register(
            ReportSection(
                key="indicators",
                # Extra indicators are reported when known; a missing one never blocks a report.
                submit_problems=lambda report: [],
                title=_("Indikator lain"),
                url_name="indicators_report",
                order=40,
                levels=(RegionLevel.PROVINSI, RegionLevel.KABKOTA, RegionLevel.KECAMATAN),
                rollup=indicator_rollup,
                rollup_figures=indicator_rollup_figures,
            )
        )
