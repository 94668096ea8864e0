"""Property: for random region trees, random contests and random reports over several days
(stock figures: each desk's latest counted report on or before the day; coverage: desks
expected under a contest in its reporting period), the set-based rebuild and the incremental
rollup both equal a deliberately naive reference computed here, row by row in plain Python,
straight from the source rows."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from readiness import codes
from readiness.models import (
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    DailyRollup,
    ReportStatus,
    Role,
    User,
)
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors

from ..factories import regions_bulk_create

DAYS = [dt.date(2024, 11, 21), dt.date(2024, 11, 22), dt.date(2024, 11, 23)]
STATUSES = [None, *ReportStatus.values]  # None: no report that day

report_strategy = st.tuples(
    st.sampled_from(STATUSES), st.integers(0, 6), st.integers(0, 3), st.booleans()
)  # (status, tps_ready, tps_problem, is_late)


@st.composite
def trees(draw):
    """A forest of 1-2 provinces → kab/kota → kecamatan → desa with TPS, some inactive."""
    regions, stations = [], []
    for province_index in range(draw(st.integers(1, 2))):
        province = f"{61 + province_index}"
        regions.append((province, True))
        for kab_index in range(draw(st.integers(1, 3))):
            kab = f"{province}.{kab_index + 1:02d}"
            regions.append((kab, draw(st.booleans()) or kab_index == 0))
            for kec_index in range(draw(st.integers(1, 3))):
                kec = f"{kab}.{kec_index + 1:02d}"
                regions.append((kec, draw(st.integers(0, 4)) > 0))
                for desa_index in range(draw(st.integers(1, 2))):
                    desa = f"{kec}.{2001 + desa_index}"
                    regions.append((desa, True))
                    for number in range(1, draw(st.integers(0, 4)) + 1):
                        stations.append((desa, number, draw(st.integers(0, 5)) > 0))
    desks = [code for code, _active in regions if codes.level_of(code) <= 3]
    # Contests held by some provinces and kab/kota, each with a reporting period of 1-3 of DAYS.
    contests = {}
    for code in desks:
        if codes.level_of(code) <= 2 and draw(st.integers(0, 2)) > 0:
            first = draw(st.integers(0, len(DAYS) - 1))
            last = draw(st.integers(first, len(DAYS) - 1))
            contests[code] = (DAYS[first], DAYS[last])
    reports = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(desks), st.sampled_from(DAYS)), report_strategy, max_size=40
        )
    )
    return regions, stations, reports, contests


def naive_rollups(regions, stations, reports, contests, day):
    """Every active provinsi, kab/kota and kecamatan, computed the slow and obvious way."""
    is_counted = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)
    # Stock: each desk's latest counted report on or before the day.
    stock = {}
    for (code, report_day), (status, ready, problem, _late) in sorted(
        reports.items(), key=lambda item: item[0][1]
    ):
        if report_day <= day and status in is_counted:
            stock[code] = (ready, problem, report_day)
    counted = {
        code: (ready, problem, late)
        for (code, report_day), (status, ready, problem, late) in reports.items()
        if report_day == day and status in (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)
    }
    active = dict(regions)

    def owes(desk):
        """An active desk whose province or kab/kota holds a contest reporting that day."""
        holders = [desk[:2], desk[:5]]
        return active[desk] and any(
            start <= day <= end for holder, (start, end) in contests.items() if holder in holders
        )

    expected = {}
    for code, is_active in regions:
        if not is_active or codes.level_of(code) > 3:
            continue

        def under(other, code=code):
            return other == code or other.startswith(f"{code}.")

        kecamatan = [k for k, _ in regions if codes.level_of(k) == 3 and under(k)]
        kabkota = [k for k, _ in regions if codes.level_of(k) == 2 and under(k)]
        due_k = [k for k in kecamatan if owes(k)]
        due_kb = [k for k in kabkota if owes(k)]
        with_figures = [k for k in kecamatan if k in stock]
        expected[code] = (
            sum(1 for desa, _n, on in stations if on and under(desa)),
            sum(stock[k][0] for k in with_figures),
            sum(stock[k][1] for k in with_figures),
            len(due_k),
            sum(1 for k in due_k if k in counted),
            sum(1 for k in due_k if k in counted and counted[k][2]),
            sum(1 for k in with_figures if stock[k][2] < day),
            min((stock[k][2] for k in with_figures), default=None),
            len(due_kb),
            sum(1 for k in due_kb if k in counted),
            sum(1 for k in due_kb if k in counted and counted[k][2]),
            code in counted,
            code in counted and counted[code][2],
        )
    return expected


def stored(day):
    return {
        row.region_id: (
            row.tps_total,
            row.tps_ready,
            row.tps_problem,
            row.kecamatan_expected,
            row.kecamatan_reported,
            row.kecamatan_late,
            row.kecamatan_stale,
            row.oldest_figure_day,
            row.kabkota_expected,
            row.kabkota_reported,
            row.kabkota_late,
            row.has_own_report,
            row.own_report_late,
        )
        for row in DailyRollup.objects.filter(day=day)
    }


class RollupEqualsNaiveReference(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(trees())
    def test_rebuild_and_incremental_equal_the_reference(self, tree):
        regions, stations, reports, contests = tree
        officer = User.objects.create(username="desk", role=Role.ADMIN, region=None)
        regions_bulk_create(regions)
        TPS.objects.bulk_create(
            TPS(desa_id=desa, number=number, is_active=on) for desa, number, on in stations
        )
        Contest.objects.bulk_create(
            Contest(
                region_id=code,
                kind=ContestKind.GOVERNOR if "." not in code else ContestKind.REGENT,
                voting_day=end,
                reporting_start=start,
                reporting_end=end,
            )
            for code, (start, end) in contests.items()
        )
        now = dt.datetime(2024, 11, 23, 8, tzinfo=dt.UTC)
        DailyReport.objects.bulk_create(
            DailyReport(
                region_id=code,
                day=day,
                status=status,
                tps_ready=ready if codes.level_of(code) == 3 else None,
                tps_problem=problem if codes.level_of(code) == 3 else None,
                created_by=officer,
                updated_by=officer,
                updated_at=now,
                submitted_by=None if status == ReportStatus.DRAFT else officer,
                submitted_at=None if status == ReportStatus.DRAFT else now,
                is_late=late,
            )
            for (code, day), (status, ready, problem, late) in reports.items()
            if status is not None
        )
        # Only kecamatan carry TPS figures: make the reference see the same thing.
        reports = {
            key: (status, *((ready, problem) if codes.level_of(key[0]) == 3 else (0, 0)), late)
            for key, (status, ready, problem, late) in reports.items()
        }

        for day in DAYS:
            expected = naive_rollups(regions, stations, reports, contests, day)

            rollup_rebuild_day(day=day)
            self.assertEqual(stored(day), expected, f"rebuild of {day}")

            DailyRollup.objects.filter(day=day).delete()
            for code, is_active in regions:
                if is_active and codes.level_of(code) == 3:
                    rollup_region_and_ancestors(region_code=code, day=day)
            for code, is_active in regions:
                if is_active and codes.level_of(code) <= 2:
                    rollup_region_and_ancestors(region_code=code, day=day)
            self.assertEqual(stored(day), expected, f"incremental rollups of {day}")

            # Idempotent: a second rebuild over correct rows changes none of them.
            self.assertEqual(rollup_rebuild_day(day=day), 0)
