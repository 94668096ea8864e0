"""The rollup engine: a region's figures for a day, recomputed from source rows.

Semantics (thin slice; issue-by-issue this grows, always here):
- TPS total: active TPS in the registry under the region.
- TPS ready / bermasalah are stock figures: each kecamatan desk under the region contributes
  its *latest* submitted report on or before the day (each report counts its TPS table when it
  is submitted); how many of those are older than the day, and the oldest one's day, are kept
  next to them (stale figures).
- Coverage: the desks *expected* that day are the active kecamatan and kab/kota under a contest
  (held by their province or their kab/kota) whose reporting period includes the day; how many
  of them reported that day, and how many of those after the deadline, are kept per level
  (kecamatan_*, kabkota_*). Missing = expected - reported; the pages name them.
- Own report: whether the region's own desk filed for that day, and whether after the deadline.
- Sections of the report owned by other apps (logistics, personnel, incidents, indicators) keep
  rollups of their own, recomputed in the same run through the section registry
  (readiness.sections.section_rollup); their semantics are declared in their apps' rollups.py.
- Only submitted or verified reports count (COUNTED_STATUSES): a draft has not been said yet
  and a returned report is disputed until it is submitted again.

readiness's own figures are computed by one set-based INSERT … SELECT … ON CONFLICT
(_readiness_upsert), for a rebuild (a subtree or the country) as for one submission's chain (its
kecamatan, kab/kota and province: the chain's subtree read, only the chain written); never a
Python loop over source rows. The sections' rollups take the chain in one call each, grouping
their source rows once and folding them into the three regions (Targets). Every write is an
upsert on its unique key: running it twice, or twice at once, leaves the same rows.

Every figure is additive over disjoint subtrees, so once a day has been rolled up everywhere
(the nightly job builds each new day), a chain's kab/kota and province are their own desk's
share plus the sum of their children's stored rows (_children_standing_in,
Targets.stored_children): a submission reads its kecamatan's subtree, not the province's 70,000
TPS, so its cost no longer grows with the size of its province (bench/submission.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import codes, sections
from .models import (
    COUNTED_STATUSES,
    TPS,
    Contest,
    DailyReport,
    Region,
    RegionLevel,
    RollupPending,
    in_subtree,
)

logger = logging.getLogger(__name__)

ROLLED_UP_LEVELS = (RegionLevel.KECAMATAN, RegionLevel.KABKOTA, RegionLevel.PROVINSI)

# DailyRollup's figures, in the order the set-based rebuild writes them.
ROLLUP_FIGURES = (
    "tps_total",
    "tps_ready",
    "tps_problem",
    "kecamatan_expected",
    "kecamatan_reported",
    "kecamatan_late",
    "kecamatan_stale",
    "oldest_figure_day",
    "kabkota_expected",
    "kabkota_reported",
    "kabkota_late",
    "has_own_report",
    "own_report_late",
)
# The figures of a region's own desk alone, never a sum of its children's.
_OWN_FIGURES = ("has_own_report", "own_report_late")


def rollup_region_and_ancestors(*, region_code: str, day: dt.date) -> None:
    """Recompute `day` for the region (if it is rolled up) and every active ancestor. Idempotent."""
    # Inactive regions have no rollups (the rebuild skips them too), though what lies under
    # them still counts in the active ancestors above.
    # The whole chain at once, its levels together, in one transaction: a page never reads a
    # province already updated next to a kab/kota (or a section) that is not yet.
    with transaction.atomic():
        # Locked (FOR NO KEY UPDATE, in code order, so two chains cannot deadlock): chains
        # sharing a region run one after the other, each reading what the one before it
        # committed (_children_standing_in needs this).
        chain = list(
            Region.objects.filter(
                code__in=[*codes.ancestor_codes(region_code), region_code],
                level__in=ROLLED_UP_LEVELS,
                is_active=True,
            )
            .order_by("code")
            .select_for_update(no_key=True)
            .values_list("code", flat=True)
        )
        if not chain:
            return
        borrowed = _children_standing_in(chain=chain, day=day)
        # From source: the chain below its summed regions (all of it when none is): readiness's
        # figures by the rebuild's statement, reading the subtree of the highest of them and
        # writing only them.
        from_source = [code for code in chain if code not in borrowed]
        if from_source:
            _readiness_upsert(day=day, within=min(from_source, key=len), only=from_source)
        # Bottom-up: a province adds up its kab/kota rows once the chain's own is written.
        for code in sorted(borrowed, key=len, reverse=True):
            _readiness_from_children(code=code, day=day)
        # Each section in one call (Targets), summing the same stored children.
        sections.section_rollup(region_codes=chain, day=day, borrowed=borrowed)


def _children_standing_in(*, chain: list[str], day: dt.date) -> dict[str, tuple[str, ...]]:
    """{upper region of the chain: its children outside the chain} for the chain's regions
    whose figures can be added up from their children's stored rows of `day`, rather than read
    from the whole subtree (70,000 TPS and 700 desks for Jawa Timur's province row).

    The children's rows are the same figures of smaller subtrees, so a region is its own desk's
    share plus the sum of its children's rows (every figure of every rollup table is additive;
    readiness.sections.ReportSection.rollup). That holds when every child is active (an
    inactive one has no rows, yet what lies under it counts) and every child outside the chain
    has been rolled up for the day: the nightly job (02.30 WIB) builds the new local day's rows
    of every region (rollup_rebuild_recent), and every change rolls its own chain up. Otherwise the region,
    and those below it in the chain, are read from source as before. Top-down: a region is
    added up only when every region above it in the chain is too, so that a whole-subtree read
    never meets a stored row it already counts.

    The caller holds the chain's region rows locked: two sibling chains at once would otherwise
    each add up the other's row as it was before, and the later commit would lose the earlier
    change. Locked, the second waits and then reads the first's committed rows.
    """
    uppers = sorted(
        (code for code in chain if codes.level_of(code) < RegionLevel.KECAMATAN), key=len
    )
    if not uppers:
        return {}
    children: dict[str, list[tuple[str, bool]]] = {code: [] for code in uppers}
    # Each child with whether it has a row that day: one probe of the (region, day) index.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.parent_id, r.code, r.is_active, d.region_id IS NOT NULL"
            " FROM readiness_region r"
            " LEFT JOIN readiness_dailyrollup d ON d.region_id = r.code AND d.day = %s"
            f" WHERE r.parent_id IN ({', '.join(['%s'] * len(uppers))})",
            [connection.ops.adapt_datefield_value(day), *uppers],
        )
        rows = cursor.fetchall()
    for parent, code, is_active, rolled_up in rows:
        children[parent].append((code, is_active and (rolled_up or code in chain)))
    borrowed = {}
    for code in uppers:
        if not all(standing for _child, standing in children[code]):
            break
        borrowed[code] = tuple(sorted(child for child, _ in children[code] if child not in chain))
    return borrowed


def _readiness_from_children(*, code: str, day: dt.date) -> None:
    """readiness's figures of `day` for `code` (a kab/kota or a province) as the sum of its
    children's stored rows plus its own desk's share: one INSERT … SELECT … ON CONFLICT.

    The own share is what _readiness_upsert gives the region's own desk: whether it reported
    (and late), and for a kab/kota whether its desk was expected (a contest of its province or
    its own covering the day) and so counts in kabkota_*; a province desk counts in no
    coverage figure.
    """
    summed = [field for field in ROLLUP_FIGURES if field not in _OWN_FIGURES]
    own_report, own_late = _own_flags_sql()
    params = {
        "code": code,
        "province": codes.province_code(code),
        "day": connection.ops.adapt_datefield_value(day),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "is_kabkota": int(codes.level_of(code) == RegionLevel.KABKOTA),
    }
    counted_statuses = _counted_statuses_sql(params)
    children_sum = ", ".join(
        f"min(c.{field}) AS {field}"
        if field == "oldest_figure_day"
        else f"sum(c.{field}) AS {field}"
        for field in summed
    )
    values = []
    for field in ROLLUP_FIGURES:
        if field == "oldest_figure_day":
            values.append("children.oldest_figure_day")
        elif field == "kabkota_expected":
            values.append("coalesce(children.kabkota_expected, 0) + expected.n")
        elif field == "kabkota_reported":
            values.append(
                "coalesce(children.kabkota_reported, 0)"
                " + expected.n * CASE WHEN own.region_id IS NULL THEN 0 ELSE 1 END"
            )
        elif field == "kabkota_late":
            values.append(
                "coalesce(children.kabkota_late, 0)"
                " + expected.n * CASE WHEN own.is_late THEN 1 ELSE 0 END"
            )
        elif field == "has_own_report":
            values.append(own_report)
        elif field == "own_report_late":
            values.append(own_late)
        else:
            values.append(f"coalesce(children.{field}, 0)")
    sql = f"""
        INSERT INTO readiness_dailyrollup (region_id, day, computed_at, {", ".join(ROLLUP_FIGURES)})
        WITH children AS (
            SELECT {children_sum}
            FROM readiness_dailyrollup c
            JOIN readiness_region child ON child.code = c.region_id
            WHERE child.parent_id = %(code)s AND c.day = %(day)s
        ),
        expected AS (
            SELECT CASE WHEN %(is_kabkota)s = 1 AND EXISTS (
                SELECT 1 FROM readiness_contest
                WHERE region_id IN (%(province)s, %(code)s)
                  AND reporting_start <= %(day)s AND reporting_end >= %(day)s
            ) THEN 1 ELSE 0 END AS n
        ),
        own AS (
            SELECT region_id, is_late FROM readiness_dailyreport
            WHERE region_id = %(code)s AND day = %(day)s AND status IN ({counted_statuses})
        )
        SELECT %(code)s, %(day)s, %(now)s, {", ".join(values)}
        FROM children CROSS JOIN expected LEFT JOIN own ON 1 = 1
        {_UPDATE_WHEN_CHANGED}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rollup_rebuild_day(*, day: dt.date, within: str | None = None) -> int:
    """Recompute `day` for every active region (or those in and under `within`) from source, in
    one set-based statement; returns how many rollup rows changed.

    readiness's figures are one INSERT … SELECT … ON CONFLICT (the statement a submission's
    chain runs too), so that the whole country rebuilds in about the time of one read of the
    source tables (bench/rollup.py); then each section, level by level. Rows whose figures are already right are
    left alone, computed_at included: it says when the figures last changed.
    """
    # A province's totals are only right when all its kecamatan are read: `within` limits
    # both what is read and what is written to the same subtree, so every written row is whole.
    with transaction.atomic():
        changed = _readiness_upsert(day=day, within=within)
        for level in ROLLED_UP_LEVELS:
            in_level = Region.objects.filter(level=level, is_active=True)
            if within:
                in_level = in_level.within(within)
            sections.section_rollup(
                region_codes=list(in_level.values_list("code", flat=True)), day=day
            )
    return changed


def _readiness_upsert(
    *, day: dt.date, within: str | None, only: Collection[str] | None = None
) -> int:
    """readiness's own figures of `day` for every active region in and under `within` (all when
    None), or only for those of them in `only`, read from the whole subtree of `within`: one
    INSERT … SELECT … ON CONFLICT. Returns how many rows changed."""
    figures = list(ROLLUP_FIGURES)
    own_report, own_late = _own_flags_sql()
    params = {
        "day": connection.ops.adapt_datefield_value(day),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "within": within or "",
        "under": f"{within}.%" if within else "%",
    }
    counted_statuses = _counted_statuses_sql(params)
    in_scope = "({column} = %(within)s OR {column} LIKE %(under)s)"
    only_these = ""
    if only is not None:
        for index, code in enumerate(only):
            params[f"only_{index}"] = code
        only_these = f" AND r.code IN ({', '.join(f'%(only_{i})s' for i in range(len(only)))})"
    # A desk is expected when it is active and its province or kab/kota holds a contest whose
    # reporting period includes the day (cp, ck: those contests' regions, joined by prefix).
    expected = (
        "CASE WHEN {}.is_active AND (cp.code IS NOT NULL OR ck.code IS NOT NULL) THEN 1 ELSE 0 END"
    )
    expected_kecamatan, expected_kabkota = expected.format("k"), expected.format("kb")
    sql = f"""
        INSERT INTO readiness_dailyrollup
            (region_id, day, computed_at, {", ".join(figures)})
        WITH tps AS (
            SELECT substr(desa_id, 1, 8) AS kecamatan, count(*) AS n
            FROM readiness_tps
            WHERE is_active AND {in_scope.format(column="desa_id")}
            GROUP BY substr(desa_id, 1, 8)
        ),
        counted AS (
            SELECT region_id, tps_ready, tps_problem, is_late
            FROM readiness_dailyreport
            WHERE day = %(day)s AND status IN ({counted_statuses})
              AND {in_scope.format(column="region_id")}
        ),
        covered AS (
            SELECT DISTINCT region_id AS code
            FROM readiness_contest
            WHERE reporting_start <= %(day)s AND reporting_end >= %(day)s
        ),
        stock AS (
            -- Each kecamatan's latest counted report on or before the day: one probe of the
            -- (region, day) index per kecamatan, however many days of reports it has filed.
            SELECT d.region_id, d.day, d.tps_ready, d.tps_problem
            FROM readiness_region sk
            JOIN readiness_dailyreport d ON d.id = (
                SELECT x.id FROM readiness_dailyreport x
                WHERE x.region_id = sk.code AND x.day <= %(day)s
                  AND x.status IN ({counted_statuses})
                ORDER BY x.day DESC LIMIT 1
            )
            WHERE sk.level = {RegionLevel.KECAMATAN} AND {in_scope.format(column="sk.code")}
        ),
        per_kecamatan AS (
            SELECT k.code,
                   substr(k.code, 1, 5) AS kabkota,
                   substr(k.code, 1, 2) AS provinsi,
                   coalesce(tps.n, 0) AS tps_total,
                   coalesce(s.tps_ready, 0) AS tps_ready,
                   coalesce(s.tps_problem, 0) AS tps_problem,
                   CASE WHEN s.day < %(day)s THEN 1 ELSE 0 END AS stale,
                   s.day AS figure_day,
                   {expected_kecamatan} AS expected,
                   {expected_kecamatan} * CASE WHEN c.region_id IS NULL THEN 0 ELSE 1 END AS reported,
                   {expected_kecamatan} * CASE WHEN c.is_late THEN 1 ELSE 0 END AS late
            FROM readiness_region k
            LEFT JOIN covered cp ON cp.code = substr(k.code, 1, 2)
            LEFT JOIN covered ck ON ck.code = substr(k.code, 1, 5)
            LEFT JOIN tps ON tps.kecamatan = k.code
            LEFT JOIN counted c ON c.region_id = k.code
            LEFT JOIN stock s ON s.region_id = k.code
            WHERE k.level = {RegionLevel.KECAMATAN} AND {in_scope.format(column="k.code")}
        ),
        per_kabkota AS (
            SELECT kb.code,
                   substr(kb.code, 1, 2) AS provinsi,
                   {expected_kabkota} AS expected,
                   {expected_kabkota} * CASE WHEN c.region_id IS NULL THEN 0 ELSE 1 END AS reported,
                   {expected_kabkota} * CASE WHEN c.is_late THEN 1 ELSE 0 END AS late
            FROM readiness_region kb
            LEFT JOIN covered cp ON cp.code = substr(kb.code, 1, 2)
            LEFT JOIN covered ck ON ck.code = kb.code
            LEFT JOIN counted c ON c.region_id = kb.code
            WHERE kb.level = {RegionLevel.KABKOTA} AND {in_scope.format(column="kb.code")}
        ),
        totals AS (
            SELECT code, sum(tps_total) AS tps_total, sum(tps_ready) AS tps_ready,
                   sum(tps_problem) AS tps_problem, sum(expected) AS kecamatan_expected,
                   sum(reported) AS kecamatan_reported, sum(late) AS kecamatan_late,
                   sum(stale) AS kecamatan_stale, min(figure_day) AS oldest_figure_day,
                   0 AS kabkota_expected, 0 AS kabkota_reported, 0 AS kabkota_late
            FROM per_kecamatan GROUP BY code
            UNION ALL
            SELECT kabkota, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(expected),
                   sum(reported), sum(late), sum(stale), min(figure_day), 0, 0, 0
            FROM per_kecamatan GROUP BY kabkota
            UNION ALL
            SELECT provinsi, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(expected),
                   sum(reported), sum(late), sum(stale), min(figure_day), 0, 0, 0
            FROM per_kecamatan GROUP BY provinsi
            UNION ALL
            SELECT code, 0, 0, 0, 0, 0, 0, 0, NULL, expected, reported, late
            FROM per_kabkota
            UNION ALL
            SELECT provinsi, 0, 0, 0, 0, 0, 0, 0, NULL, sum(expected), sum(reported), sum(late)
            FROM per_kabkota GROUP BY provinsi
        ),
        summed AS (
            SELECT code, sum(tps_total) AS tps_total, sum(tps_ready) AS tps_ready,
                   sum(tps_problem) AS tps_problem,
                   sum(kecamatan_expected) AS kecamatan_expected,
                   sum(kecamatan_reported) AS kecamatan_reported,
                   sum(kecamatan_late) AS kecamatan_late, sum(kecamatan_stale) AS kecamatan_stale,
                   min(oldest_figure_day) AS oldest_figure_day,
                   sum(kabkota_expected) AS kabkota_expected,
                   sum(kabkota_reported) AS kabkota_reported, sum(kabkota_late) AS kabkota_late
            FROM totals GROUP BY code
        )
        SELECT r.code, %(day)s, %(now)s,
               coalesce(t.tps_total, 0), coalesce(t.tps_ready, 0), coalesce(t.tps_problem, 0),
               coalesce(t.kecamatan_expected, 0), coalesce(t.kecamatan_reported, 0),
               coalesce(t.kecamatan_late, 0), coalesce(t.kecamatan_stale, 0),
               t.oldest_figure_day,
               coalesce(t.kabkota_expected, 0), coalesce(t.kabkota_reported, 0),
               coalesce(t.kabkota_late, 0),
               {own_report}, {own_late}
        FROM readiness_region r
        LEFT JOIN summed t ON t.code = r.code
        LEFT JOIN counted own ON own.region_id = r.code
        WHERE r.level IN ({", ".join(str(level.value) for level in ROLLED_UP_LEVELS)})
          AND r.is_active AND {in_scope.format(column="r.code")}{only_these}
        {_UPDATE_WHEN_CHANGED}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _null_safe(column: str) -> str:
    # Only oldest_figure_day can be NULL; a row comparison with a NULL in it is never "<>".
    return f"coalesce({column}, '0001-01-01')" if column.endswith("oldest_figure_day") else column


# The upsert of DailyRollup rows shared by both statements: a row whose figures are already
# right is left alone, computed_at included (it says when the figures last changed).
_UPDATE_WHEN_CHANGED = f"""ON CONFLICT (region_id, day) DO UPDATE SET
            computed_at = excluded.computed_at,
            {", ".join(f"{field} = excluded.{field}" for field in ROLLUP_FIGURES)}
        WHERE ({", ".join(_null_safe(f"readiness_dailyrollup.{field}") for field in ROLLUP_FIGURES)})
           <> ({", ".join(_null_safe(f"excluded.{field}") for field in ROLLUP_FIGURES)})"""


def _own_flags_sql() -> tuple[str, str]:
    """SQL for has_own_report and own_report_late from a LEFT JOINed `own` counted report:
    PostgreSQL wants booleans for the two flags; SQLite stores 0/1."""
    if connection.vendor == "postgresql":
        return "own.region_id IS NOT NULL", "coalesce(own.is_late, false)"
    return "CASE WHEN own.region_id IS NULL THEN 0 ELSE 1 END", "coalesce(own.is_late, 0)"


def _counted_statuses_sql(params: dict) -> str:
    """Named placeholders for COUNTED_STATUSES (added to `params`), comma-separated."""
    for index, status in enumerate(COUNTED_STATUSES):
        params[f"status_{index}"] = status.value
    return ", ".join(f"%(status_{index})s" for index in range(len(COUNTED_STATUSES)))


def rollup_enqueue(*, region_code: str, day: dt.date) -> None:
    """Owe `region_code` a rollup for `day` and ask a worker to pay it after commit.

    The debt is written in the caller's transaction, so it exists exactly when the change does.
    If the broker cannot be reached, the change is saved all the same, the failure is logged,
    and the beat job (rollup_pending_run) pays the debt once the broker is back.
    """
    from .tasks import rollup_region_task

    RollupPending.objects.update_or_create(
        region_id=region_code, day=day, defaults={"marked_at": timezone.now()}
    )

    def publish() -> None:
        try:
            rollup_region_task.delay(region_code, day.isoformat())
        except BrokerUnavailable:
            logger.exception(
                "Broker unavailable: rollup of %s for %s left to the catch-up job", region_code, day
            )

    transaction.on_commit(publish)


# A change to an old day is carried to at most this many later days at once; older days wait
# for a rebuild (manage.py rebuild_rollups), so a mistyped year cannot flood the queue.
REFRESHED_DAYS_MAX = 40


def rollup_enqueue_since(*, region_code: str, first_day: dt.date) -> None:
    """Owe the rollups that a change dated `first_day` alters: that day's and every later one up
    to today in the region's province (stock figures carry a report forward until the desk
    reports again; an incident is open at the end of each day until it is closed).

    Today and the most recent REFRESHED_DAYS_MAX days at most, besides `first_day` itself.
    """
    from .selectors import local_today  # selectors reads rollups: imported when called

    today = local_today(region_code)
    recent = min(REFRESHED_DAYS_MAX, (today - first_day).days + 1)
    days = {first_day, *(today - dt.timedelta(days=back) for back in range(max(recent, 0)))}
    for day in sorted(days):
        rollup_enqueue(region_code=region_code, day=day)


def rollup_region_and_settle(*, region_code: str, day: dt.date) -> None:
    """Recompute the region's chain for `day` and clear the debt, unless it was marked again
    after this run started (that newer change gets its own rollup)."""
    started = timezone.now()
    rollup_region_and_ancestors(region_code=region_code, day=day)
    RollupPending.objects.filter(region_id=region_code, day=day, marked_at__lte=started).delete()


def rollup_pending_run(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Pay every rollup debt older than `older_than` (younger ones are likely in a worker's
    hands already); returns how many region-days were rolled up. Idempotent."""
    owed = list(
        RollupPending.objects.filter(marked_at__lte=timezone.now() - older_than)
        .order_by("day", "region_id")
        .values_list("region_id", "day")
    )
    for region_code, day in owed:
        rollup_region_and_settle(region_code=region_code, day=day)
    return len(owed)


def rollup_rebuild_recent(*, days: int, within: str | None = None) -> int:
    """Rebuild the last `days` days everywhere, or in and under `within` (every time zone's
    today included: the UTC date and the next)."""
    today = timezone.now().date()
    written = 0
    for offset in range(-1, days):
        written += rollup_rebuild_day(day=today - dt.timedelta(days=offset), within=within)
    return written


def rollup_rebuild_recent_enqueue(*, within: str | None) -> None:
    """After commit, ask a worker to rebuild today in and under `within` (all when None): for
    changes to the registry, which no desk's submission carries into the rows of the other
    desks. If the broker cannot be reached the change stands and the nightly rebuild catches up.
    """
    from .tasks import rollup_rebuild_recent_task

    def publish() -> None:
        try:
            rollup_rebuild_recent_task.delay(days=1, within=within)
        except BrokerUnavailable:
            logger.exception("Broker unavailable: rebuild of %s left to the nightly job", within)

    transaction.on_commit(publish)


@dataclass(frozen=True)
class RegistryTotals:
    tps: int = 0
    kecamatan_expected: int = 0
    kabkota_expected: int = 0


def under_a_contest(queryset: QuerySet, *, code_field: str, day: dt.date) -> QuerySet:
    """The rows of `queryset` whose region (`code_field`, a code) lies under a province or a
    kab/kota holding a contest whose reporting period includes `day`: the desks that owe a
    report that day, or their reports.

    The contests are a subquery (`IN (SELECT …)`), joined by the database in one pass, rather
    than a list of the country's 550 contest regions sent with every query of every rollup.
    """
    covered = Contest.objects.filter(reporting_start__lte=day, reporting_end__gte=day).values(
        "region_id"
    )
    return queryset.alias(
        contest_province=Substr(code_field, 1, codes.code_length_at_level(RegionLevel.PROVINSI)),
        contest_kabkota=Substr(code_field, 1, codes.code_length_at_level(RegionLevel.KABKOTA)),
    ).filter(Q(contest_province__in=covered) | Q(contest_kabkota__in=covered))


def registry_totals(*, region_codes: Collection[str], day: dt.date) -> dict[str, RegistryTotals]:
    """Active TPS, and expected kecamatan and kab/kota desks on `day`, under each of
    `region_codes` (of one level or several, see Targets): three queries at most."""
    targets = Targets(region_codes)
    if not targets:
        return {}
    under_targets = prefix_filter(region_codes)
    tps = targets.grouped(
        TPS.objects.filter(is_active=True).filter(under_targets("desa__code")),
        "desa__code",
        total=Count("id"),
    )
    desks = {
        desk_level: targets.grouped(
            under_a_contest(
                Region.objects.filter(level=desk_level, is_active=True),
                code_field="code",
                day=day,
            ).filter(under_targets("code")),
            "code",
            total=Count("code"),
        )
        for desk_level in (RegionLevel.KECAMATAN, RegionLevel.KABKOTA)
        if desk_level >= targets.top_level  # no kab/kota lies under a kecamatan
    }
    return {
        code: RegistryTotals(
            tps=tps.get(code, {}).get("total", 0),
            kecamatan_expected=desks.get(RegionLevel.KECAMATAN, {}).get(code, {}).get("total", 0),
            kabkota_expected=desks.get(RegionLevel.KABKOTA, {}).get(code, {}).get("total", 0),
        )
        for code in region_codes
    }


# A call of several levels names the groups of its finer targets one by one (Targets.grouped);
# above this many finer targets it groups by the finest targets' prefix instead, as a rebuild
# does.
NAMED_GROUPS_MAX = 50


class Targets:
    """The regions one rollup call recomputes: all of one level (a rebuild), or of several (one
    submission's chain: a kecamatan, its kab/kota and its province, in one call per section).

    Source rows are grouped by the code prefix of the finest target (`group_length`), then each
    group is added into every target it lies in or under (`fold`): one grouped query serves the
    three levels of a chain, instead of the same query three times. Codes are fixed-width per
    level (codes.code_length_at_level), so a code's first n characters name its ancestor at the
    level of length n.
    """

    def __init__(
        self,
        region_codes: Collection[str],
        *,
        borrowed: Mapping[str, Collection[str]] | None = None,
    ):
        self.codes = frozenset(region_codes)
        self._lengths = sorted({len(code) for code in self.codes})
        self.group_length = self._lengths[-1] if self._lengths else 0
        # The coarsest level among the targets decides which desks are read at all.
        self.top_level = min((codes.level_of(code) for code in self.codes), default=None)
        # {target: its children whose stored rows stand for their subtrees}: the upper regions
        # of a chain that are added up rather than read (_children_standing_in). Read from
        # source for them: only what lies at the target itself (its own desk).
        self.borrowed = {
            code: tuple(children)
            for code, children in (borrowed or {}).items()
            if code in self.codes
        }

    def restricted_to(self, region_codes: Collection[str]) -> Targets:
        """These targets less those not in `region_codes` (the inactive ones, say)."""
        return Targets(self.codes & set(region_codes), borrowed=self.borrowed)

    def source(self, field: str) -> Q:
        """A filter for the source rows (region code in `field`) that this call reads: those in
        or under a target, except that under a borrowed target only its own rows are read, the
        rest being in its children's stored rows (stored_children)."""
        if not self.borrowed:
            return prefix_filter(self.codes)(field)
        read_whole = [code for code in self.codes if code not in self.borrowed]
        return reduce(
            or_,
            [
                *(Q(**{field: code}) for code in sorted(self.borrowed)),
                *(in_subtree(field, code) for code in sorted(read_whole)),
            ],
        )

    def stored_children(
        self,
        model,
        *,
        day: dt.date,
        figures: tuple[str, ...],
        keys: tuple[str, ...] = (),
        complete_for: Collection | None = None,
    ) -> dict:
        """The borrowed children's stored `figures` of `day` (rows of the rollup `model`, per
        region and `keys`), folded into every target holding them, keyed as grouped() keys its
        result. One query; {} when nothing is borrowed.

        `complete_for`: the key values (one key) every child must have a row for, as a table
        with a row per active catalogue entry has. When a child lacks one (an item added to
        the catalogue since the child was rolled up), nothing is borrowed: the targets fall back
        to reading their whole subtrees (self.borrowed is emptied, and source() follows), so a
        section must call this before it reads the source.
        """
        children = sorted(child for kids in self.borrowed.values() for child in kids)
        if not children:
            return {}
        # Summed per borrowing target in the database: a child's code is longer than its
        # parent's by one level, and the borrowing targets are of different levels.
        borrower_by_length = {
            codes.code_length_at_level(codes.level_of(code) + 1): code for code in self.borrowed
        }
        # Raw SQL: this runs four times per submission, and the ORM took longer to build it
        # (a Sum per figure) than the database to run it.
        columns = ", ".join([*keys, *(f"sum({name})" for name in figures)])
        grouping = ", ".join(["length(region_id)", *keys])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT length(region_id), count(*), {columns}"
                f" FROM {model._meta.db_table}"
                f" WHERE day = %s AND region_id IN ({', '.join(['%s'] * len(children))})"
                f" GROUP BY {grouping}",
                [connection.ops.adapt_datefield_value(day), *children],
            )
            rows = cursor.fetchall()
        groups: dict = {}
        rows_per_key: dict = {}
        for child_length, row_count, *values in rows:
            borrower = borrower_by_length[child_length]
            key = (borrower, *values[: len(keys)]) if keys else borrower
            rows_per_key[key] = row_count
            groups[key] = dict(zip(figures, values[len(keys) :], strict=True))
        if complete_for is not None and any(
            kids and rows_per_key.get((borrower, value)) != len(kids)
            for borrower, kids in self.borrowed.items()
            for value in complete_for
        ):
            self.borrowed = {}
            return {}
        return self.fold(groups)

    def __bool__(self) -> bool:
        return bool(self.codes)

    def __iter__(self):
        # Sorted: writers lock rows in one order, so two runs at once cannot deadlock.
        return iter(sorted(self.codes))

    def containing(self, code: str) -> list[str]:
        """The targets that `code` is, or lies under."""
        return [
            code[:length]
            for length in self._lengths
            if len(code) >= length and code[:length] in self.codes
        ]

    def grouped(
        self,
        queryset: QuerySet,
        code_field: str,
        keys: tuple[str, ...] = (),
        *,
        smallest: Collection[str] = (),
        **aggregates,
    ) -> dict:
        """`aggregates` of `queryset` per group of rows (by `code_field`, a region code) and
        `keys`, folded into the targets: {target or (target, *keys): {name: value}}. One query.

        A group is the code prefix at `group_length` (every kecamatan of a rebuild of
        kecamatan). A call of several levels with few finer targets (one submission's chain)
        names its groups instead: each row goes to the finest target it lies in or under, else
        to its prefix at the coarsest target's length. The fold gives the same sums either way,
        but a chain whose province is a target then reads back three groups rather than one per
        kecamatan of the province (666 in Jawa Timur), and folds three.
        """
        coarsest = codes.code_length_at_level(self.top_level)
        finer = [code for code in self if len(code) > coarsest]
        if not finer or len(finer) > NAMED_GROUPS_MAX:
            group_code = Substr(code_field, 1, self.group_length)
        else:
            group_code = Case(
                # Finest first: a row under the kecamatan is the kecamatan's, not its kab/kota's.
                *(
                    When(in_subtree(code_field, code), then=Value(code))
                    for code in sorted(finer, key=len, reverse=True)
                ),
                default=Substr(code_field, 1, coarsest),
                output_field=CharField(),
            )
        rows = (
            queryset.annotate(group_code=group_code)
            .values("group_code", *keys)
            .annotate(**aggregates)
            .order_by()
        )
        if keys:
            groups = {(row.pop("group_code"), *(row.pop(key) for key in keys)): row for row in rows}
        else:
            groups = {row.pop("group_code"): row for row in rows}
        return self.fold(groups, smallest=smallest)

    def fold(self, grouped: dict, *, smallest: Collection[str] = ()) -> dict:
        """Per-group figures ({group code or (group code, *keys): {name: value}}) summed into
        every target holding the group, keyed the same way; the names in `smallest` keep their
        smallest value instead. None (an empty SUM or MIN) adds nothing."""
        folded: dict = {}
        for key, figures in grouped.items():
            code, rest = (key, None) if isinstance(key, str) else (key[0], key[1:])
            for target in self.containing(code):
                target_key = target if rest is None else (target, *rest)
                into = folded.get(target_key)
                if into is None:
                    folded[target_key] = dict(figures)
                    continue
                for name, value in figures.items():
                    if value is None:
                        continue
                    known = into.get(name)
                    if known is None:
                        into[name] = value
                    elif name in smallest:
                        into[name] = min(known, value)
                    else:
                        into[name] = known + value
        return folded


def latest_counted_reports(*, desks: QuerySet[Region], day: dt.date) -> QuerySet[DailyReport]:
    """Each of `desks`' latest counted report on or before `day`: the report whose figures stand
    for the desk's stock on that day (a draft or a returned report does not count).

    Driven by the desks, one probe of the (region, day) index each, rather than by the reports:
    by polling day a desk has thirty of them, and the stock needs one.
    """
    latest = (
        DailyReport.objects.filter(region=OuterRef("pk"), day__lte=day, status__in=COUNTED_STATUSES)
        .order_by("-day")
        .values("pk")[:1]
    )
    return DailyReport.objects.filter(
        pk__in=desks.annotate(latest=Subquery(latest)).values("latest")
    )


# Above this many regions a rollup's read covers their whole provinces (prefix_filter).
MANY_REGIONS = 50


def prefix_filter(region_codes: Collection[str]):
    """A filter factory: rows whose code field lies in or under any of `region_codes`."""
    if len(region_codes) > MANY_REGIONS:
        # A rebuild of many regions covers their whole level: a prefix list would only slow
        # the query down, and the fold (Targets) already drops rows under no target.
        region_codes = {codes.province_code(code) for code in region_codes}
    return lambda field: reduce(or_, (in_subtree(field, code) for code in region_codes))
