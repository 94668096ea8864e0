"""The security app's share of the rollup engine: personnel and incidents per region and day.

readiness.rollups calls `personnel_rollup` and `incident_rollup` (registered in apps.py as the
`rollup` hooks of the "personnel" and "incidents" report sections) with regions of one level (a
rebuild: every kecamatan, then every kab/kota, then every provinsi, one call each) or of several
(one submission's chain: its kecamatan, kab/kota and provinsi in one call). Each recomputes from
source rows: grouped (by the code prefix of the finest region asked for; for a chain, by the
finest region asked for that holds them, see readiness.rollups.Targets.grouped), then each
group added into every region asked for that holds it (readiness.rollups.Targets.fold). A
region's rows are therefore the same whichever call computes them, and one pass serves the
whole chain. A handful of grouped queries however many regions and levels it is given; it
upserts on its unique key, so a retried or duplicated run leaves the same rows behind. Every
figure below is a sum (the norms are linear in the registry counts), so a chain's upper regions
may add up their children's stored rows instead of reading their subtrees
(readiness.rollups.Targets.stored_children).

Personnel (stock figures, like the TPS figures of readiness.rollups):
- `required`: the category's norm applied to the active TPS (per vulnerability class), desa and
  kecamatan of the region's whole subtree, exactly as selectors.personnel_required computes it
  for one region.
- `ready`, `unavailable_sick`, `unavailable_absent`: each *kecamatan* desk under the region
  contributes the lines of its latest counted report (COUNTED_STATUSES) on or before the day.
  A line missing from that report contributes nothing for its category (the desk's latest word
  does not mention it). `units_reporting` counts the desks that contributed a line, and
  `stale_units` those of them whose report is older than the day.
- Kab/kota and province desks' own lines are NOT added. Every norm falls on a TPS, a desa or a
  kecamatan, and the personnel page of an upper desk asks for the requirement of its whole
  subtree (selectors.personnel_section), so what an upper desk types is its own count of the
  same people the kecamatan desks report: adding it would count them twice. If upper desks one
  day report personnel of their own (a Polres reserve not assigned to any kecamatan), their page
  must first ask only for those, and this rollup then adds the own desk's stock lines.

Incidents (flow figures, counted by the day they happened, never as stock):
- `occurred`: incidents under the region whose occurred_at falls on the day in the province's
  local time (WIB/WITA/WIT).
- `open_at_end`: incidents under the region that occurred before the end of that local day and
  had not been closed by then by their timeline (an IncidentUpdate to "selesai" before the end
  of the day; closed is final). An incident filed late counts as open on the days between its
  occurrence and its filing: the rollup says what is known now about a day, a snapshot what was
  known at the briefing.
- Only non-zero (category, severity) combinations have a row; rows of the recomputed
  region-days that are no longer produced are deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from readiness import codes
from readiness.models import TPS, Region, RegionLevel, Vulnerability
from readiness.rollups import Targets, latest_counted_reports, prefix_filter
from readiness.selectors import province_zone

from .models import (
    Incident,
    IncidentCategory,
    IncidentRollup,
    IncidentStatus,
    IncidentUpdate,
    PersonnelLine,
    PersonnelRollup,
    Severity,
)
from .selectors import RegistryCounts, active_categories, required_for

BATCH_SIZE = 2000

PERSONNEL_FIGURES = (
    "required",
    "ready",
    "unavailable_sick",
    "unavailable_absent",
    "units_reporting",
    "stale_units",
)


# Personnel ---------------------------------------------------------------------------------


def personnel_rollup(
    *,
    region_codes: Collection[str],
    day: dt.date,
    borrowed: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Recompute the personnel rollup of `region_codes` (of one level or several, see Targets)
    for `day` and upsert it: one row per region and active category. Four queries, the upsert
    (one statement on PostgreSQL) and one delete (rows of categories no longer active), whatever
    the number of regions and levels; one more for `borrowed` (a chain's upper regions added up
    from their children's stored rows, Targets.stored_children). Idempotent."""
    targets = Targets(region_codes, borrowed=borrowed)
    if not targets:
        return
    categories = active_categories()
    from_children = targets.stored_children(
        PersonnelRollup,
        day=day,
        keys=("category_id",),
        figures=PERSONNEL_FIGURES,
        complete_for=[category.pk for category in categories],
    )
    under_targets = targets.source
    registry = _registry_counts(targets, under_targets)
    stock = _personnel_stock(targets, under_targets, day)

    no_registry = RegistryCounts(dict.fromkeys(Vulnerability.values, 0), 0, 0)
    rows = []
    for code in targets:
        counts = registry.get(code, no_registry)
        for category in categories:
            figures = stock.get((code, category.pk), {})
            children = from_children.get((code, category.pk), {})
            rows.append(
                (
                    code,
                    category.pk,
                    required_for(category, counts) + children.get("required", 0),
                    *(
                        (figures.get(name) or 0) + children.get(name, 0)
                        for name in PERSONNEL_FIGURES[1:]
                    ),
                )
            )
    # No savepoint: inside the engine's transaction nothing catches a failure half-way, it
    # rolls the whole run back (and a savepoint costs two statements per section and chain).
    with transaction.atomic(savepoint=False):
        _personnel_upsert(rows, day=day, now=timezone.now())
        # A category made inactive since the last run keeps no row.
        PersonnelRollup.objects.filter(region_id__in=sorted(targets.codes), day=day).exclude(
            category__in=categories
        ).delete()


def _personnel_upsert(rows: list[tuple], *, day: dt.date, now: dt.datetime) -> None:
    """Upsert (region, category, *PERSONNEL_FIGURES) rows of `day`.

    A national rebuild writes ~70,000 rows, and building as many model instances costs more
    than the database's work: on PostgreSQL the rows go as one array per column in a single
    statement, and a row whose figures are unchanged is not rewritten (its computed_at says
    when its figures last changed, as in readiness.rollups.rollup_rebuild_day).
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        PersonnelRollup.objects.bulk_create(
            [
                PersonnelRollup(
                    region_id=code,
                    day=day,
                    category_id=category_id,
                    computed_at=now,
                    **dict(zip(PERSONNEL_FIGURES, figures, strict=True)),
                )
                for code, category_id, *figures in rows
            ],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["region", "day", "category"],
            update_fields=[*PERSONNEL_FIGURES, "computed_at"],
        )
        return
    columns = list(zip(*rows, strict=True))
    figures = ", ".join(PERSONNEL_FIGURES)
    arrays = ", ".join(f"%s::{kind}[]" for kind in ("text", "bigint", *["integer"] * 6))
    sql = f"""
        INSERT INTO security_personnelrollup (region_id, day, category_id, {figures}, computed_at)
        SELECT region_id, %s, category_id, {figures}, %s
        FROM unnest({arrays}) AS t(region_id, category_id, {figures})
        ON CONFLICT (region_id, day, category_id) DO UPDATE SET
            {", ".join(f"{name} = excluded.{name}" for name in PERSONNEL_FIGURES)},
            computed_at = excluded.computed_at
        WHERE ({", ".join(f"security_personnelrollup.{name}" for name in PERSONNEL_FIGURES)})
            IS DISTINCT FROM ({", ".join(f"excluded.{name}" for name in PERSONNEL_FIGURES)})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, now, *(list(column) for column in columns)])


def _registry_counts(targets: Targets, under_targets) -> dict[str, RegistryCounts]:
    """selectors.registry_counts for every target region at once: two grouped queries. Every
    count is a sum over the groups under the target, so the norms (selectors.required_for) are
    applied to the folded counts, per target."""
    by_class = {
        f"tps_{vulnerability}": Count("id", filter=Q(vulnerability=vulnerability))
        for vulnerability in Vulnerability.values
    }
    tps = targets.grouped(
        TPS.objects.filter(is_active=True).filter(under_targets("desa__code")),
        "desa__code",
        **by_class,
    )
    regions = targets.grouped(
        Region.objects.filter(
            is_active=True, level__in=[RegionLevel.KECAMATAN, RegionLevel.DESA]
        ).filter(under_targets("code")),
        "code",
        kecamatan=Count("code", filter=Q(level=RegionLevel.KECAMATAN)),
        desa=Count("code", filter=Q(level=RegionLevel.DESA)),
    )
    return {
        code: RegistryCounts(
            tps_by_class={
                vulnerability: tps.get(code, {}).get(f"tps_{vulnerability}", 0)
                for vulnerability in Vulnerability.values
            },
            desa=regions.get(code, {}).get("desa", 0),
            kecamatan=regions.get(code, {}).get("kecamatan", 0),
        )
        for code in tps.keys() | regions.keys()
    }


def _personnel_stock(targets: Targets, under_targets, day: dt.date) -> dict[tuple, dict]:
    """{(target code, category id): summed stock figures} of the kecamatan desks: one query."""
    # Every kecamatan desk under the targets, active or not: what lies under an inactive region
    # still counts in its active ancestors.
    stock_reports = latest_counted_reports(
        desks=Region.objects.filter(level=RegionLevel.KECAMATAN).filter(under_targets("code")),
        day=day,
    ).values("id")
    return targets.grouped(
        PersonnelLine.objects.filter(report__in=stock_reports),
        "report__region__code",
        ("category_id",),
        ready=Sum("ready"),
        unavailable_sick=Sum("unavailable_sick"),
        unavailable_absent=Sum("unavailable_absent"),
        units_reporting=Count("id"),
        stale_units=Count("id", filter=Q(report__day__lt=day)),
    )


def personnel_rollup_figures(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, dict[str, int]]:
    """{code: {"<category>.<figure>": value}} from the stored rollup rows: one query."""
    figures: dict[str, dict[str, int]] = {code: {} for code in region_codes}
    rows = PersonnelRollup.objects.filter(region_id__in=list(region_codes), day=day).values_list(
        "region_id", "category__code", *PERSONNEL_FIGURES
    )
    for code, category, *values in rows:
        figures[code].update(
            {
                f"{category}.{name}": value
                for name, value in zip(PERSONNEL_FIGURES, values, strict=True)
            }
        )
    return figures


# Incidents ---------------------------------------------------------------------------------


def incident_rollup(
    *,
    region_codes: Collection[str],
    day: dt.date,
    borrowed: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Recompute the incident rollup of `region_codes` (of one level or several, see Targets)
    for the local `day` and upsert it: one row per region, category and severity with a
    non-zero figure; rows of these region-days that are no longer produced are deleted. Two
    grouped queries plus the upsert and one delete, whatever the number of regions and levels;
    one more for `borrowed` (a chain's upper regions added up from their children's stored
    rows, Targets.stored_children). Idempotent."""
    targets = Targets(region_codes, borrowed=borrowed)
    if not targets:
        return
    keys = ("category_id", "severity")
    from_children = targets.stored_children(
        IncidentRollup, day=day, keys=keys, figures=("occurred", "open_at_end")
    )
    under_targets = targets.source
    bounds = _local_day_bounds(targets.codes, day)

    occurred_on_day = reduce(
        or_,
        (
            in_zone & Q(occurred_at__gte=start, occurred_at__lt=end)
            for in_zone, start, end in bounds
        ),
    )
    occurred = targets.grouped(
        Incident.objects.filter(under_targets("region__code")).filter(occurred_on_day),
        "region__code",
        keys,
        n=Count("id"),
    )

    def closed_before(end: dt.datetime) -> Exists:
        # Closed is final, so "closed by the end of the day" is "some step to closed before it".
        return Exists(
            IncidentUpdate.objects.filter(
                incident=OuterRef("pk"), status_to=IncidentStatus.CLOSED, at__lt=end
            )
        )

    open_by_end = reduce(
        or_,
        (
            in_zone & Q(occurred_at__lt=end) & ~Q(closed_before(end))
            for in_zone, _start, end in bounds
        ),
    )
    still_open = targets.grouped(
        Incident.objects.filter(under_targets("region__code")).filter(open_by_end),
        "region__code",
        keys,
        n=Count("id"),
    )

    now = timezone.now()
    # Folded: every key is a target's (above 50 targets the prefix filter reads whole
    # provinces, and groups outside the targets are dropped by the fold).
    rows = [
        IncidentRollup(
            region_id=key[0],
            day=day,
            category_id=key[1],
            severity=key[2],
            occurred=occurred.get(key, {}).get("n", 0)
            + from_children.get(key, {}).get("occurred", 0),
            open_at_end=still_open.get(key, {}).get("n", 0)
            + from_children.get(key, {}).get("open_at_end", 0),
            computed_at=now,
        )
        for key in sorted(occurred.keys() | still_open.keys() | from_children.keys())
    ]
    # No savepoint: inside the engine's transaction nothing catches a failure half-way, it
    # rolls the whole run back (and a savepoint costs two statements per section and chain).
    with transaction.atomic(savepoint=False):
        IncidentRollup.objects.bulk_create(
            rows,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["region", "day", "category", "severity"],
            update_fields=["occurred", "open_at_end", "computed_at"],
        )
        # Every row this run produced carries `now`; an older row of these region-days is a
        # combination that fell to zero. A concurrent later run's rows are newer and survive.
        IncidentRollup.objects.filter(
            region_id__in=sorted(targets.codes), day=day, computed_at__lt=now
        ).delete()


def _local_day_bounds(
    region_codes: Collection[str], day: dt.date
) -> list[tuple[Q, dt.datetime, dt.datetime]]:
    """[(incidents in the zone's provinces, start, end)] of `day`, one entry per time zone among
    the regions' provinces (province_zone is cached: one query at most)."""
    provinces_by_zone: dict[Any, list[str]] = defaultdict(list)
    for province in sorted({codes.province_code(code) for code in region_codes}):
        provinces_by_zone[province_zone(province)].append(province)
    bounds = []
    for zone, provinces in provinces_by_zone.items():
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        # With one zone, the target filter already keeps incidents to its provinces.
        in_zone = Q() if len(provinces_by_zone) == 1 else prefix_filter(provinces)("region__code")
        bounds.append((in_zone, start, end))
    return bounds


def incident_rollup_figures(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, dict[str, int]]:
    """{code: {"occurred", "open", "occurred.<category>", "open.<severity>": n}} from the stored
    rows: two queries. Every active category and every severity is present (0 when none), so
    that two snapshots compare key by key."""
    categories = list(
        IncidentCategory.objects.filter(is_active=True).values_list("code", flat=True)
    )
    figures: dict[str, dict[str, int]] = {
        code: {
            "occurred": 0,
            "open": 0,
            **{f"occurred.{category}": 0 for category in categories},
            **{f"open.{severity}": 0 for severity in Severity.values},
        }
        for code in region_codes
    }
    rows = IncidentRollup.objects.filter(region_id__in=list(region_codes), day=day).values_list(
        "region_id", "category__code", "severity", "occurred", "open_at_end"
    )
    for code, category, severity, occurred, open_at_end in rows:
        region = figures[code]
        region["occurred"] += occurred
        region["open"] += open_at_end
        region[f"occurred.{category}"] = region.get(f"occurred.{category}", 0) + occurred
        region[f"open.{severity}"] += open_at_end
    return figures


# Shared ------------------------------------------------------------------------------------
