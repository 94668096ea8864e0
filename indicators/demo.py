"""Demo indicator values: what the demo desks reported of the "other indicators" this week.

Connected to `readiness.signals.demo_seeded` (see apps.py), so `manage.py seed_demo` fills the
indicators section of the week's counted demo reports, as logistics and security do theirs:

- the province and kab/kota desks report the grants they have disbursed so far (LATEST: the
  figure grows over the week towards the grant, as the stages of disbursement are paid);
- the kecamatan and kab/kota desks report the day's sosialisasi, Sirekap sessions and APK points
  cleared (SUM: one day's count each), and the voters registered as moving so far (LATEST).

Figures are invented but of the seeds' order of magnitude (a kab/kota grant to the KPU in the
tens of billions of rupiah). Written directly with one upsert, not through services (which
would check the officer and write a report version per value). Idempotent: the randomness is
seeded by region, indicator and day, so a re-run writes the same figures.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from readiness.demo import REPORTED_DAYS
from readiness.models import COUNTED_STATUSES, DailyReport, RegionLevel, in_subtree

from .models import Indicator, IndicatorValue

BILLION = 1_000_000_000
# Grant to each institution, in billions of rupiah, for a province and for a kab/kota desk.
GRANTS = {
    "hibah-kpu": (600, 60),
    "hibah-bawaslu": (250, 25),
    "hibah-polri": (120, 12),
    "hibah-tni": (60, 6),
}
# A day's events at a kecamatan desk: (lowest, highest); a kab/kota holds a few of its own.
DAILY_EVENTS = {"sosialisasi": (0, 3), "bimtek-sirekap": (0, 2), "apk-dibersihkan": (0, 40)}


def demo_seed_indicators(sender, *, today: dt.date, province_code: str, **kwargs) -> int:
    """Receiver of `demo_seeded`: indicator values for the week's counted demo reports."""
    indicators = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            is_active=True, code__in=[*GRANTS, *DAILY_EVENTS, "pemilih-pindahan"]
        )
    }
    first_day = today - dt.timedelta(days=REPORTED_DAYS)
    reports = (
        DailyReport.objects.filter(
            in_subtree("region__code", province_code),
            day__gte=first_day,
            day__lte=today,
            status__in=COUNTED_STATUSES,
        )
        .select_related("region")
        .only("id", "day", "created_by_id", "region__code", "region__level")
    )
    values = []
    for report in reports:
        level = report.region.level
        progress = Decimal((report.day - first_day).days + 1) / (REPORTED_DAYS + 1)
        for code, indicator in indicators.items():
            rng = random.Random(f"{report.region_id}:{code}:{report.day.isoformat()}")
            if code in GRANTS and level in (RegionLevel.PROVINSI, RegionLevel.KABKOTA):
                grant = GRANTS[code][0 if level == RegionLevel.PROVINSI else 1] * BILLION
                # Disbursed in stages: 40% first, the rest over the week (whole millions).
                value = (
                    (grant * (Decimal("0.4") + Decimal("0.6") * progress)) // 1_000_000 * 1_000_000
                )
            elif code in DAILY_EVENTS and level in (RegionLevel.KABKOTA, RegionLevel.KECAMATAN):
                low, high = DAILY_EVENTS[code]
                value = Decimal(rng.randint(low, high))
            elif code == "pemilih-pindahan" and level in (
                RegionLevel.KABKOTA,
                RegionLevel.KECAMATAN,
            ):
                base = random.Random(f"{report.region_id}:{code}").randint(20, 200)
                value = Decimal(int(base * (1 + progress)))
            else:
                continue
            values.append(
                IndicatorValue(
                    report_id=report.id,
                    indicator=indicator,
                    value=value,
                    updated_by_id=report.created_by_id,
                )
            )
    IndicatorValue.objects.bulk_create(
        values,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["report", "indicator"],
        update_fields=["value", "updated_by"],
    )
    return len(values)
