"""The incidents section of the daily report: 'nihil' must be said, and must be true."""

import datetime as dt

from readiness import sections
from security.selectors import NIHIL_MISSING, incidents_on_day, incidents_submit_problems

from .conftest import local, make_incident


def test_the_incidents_section_is_registered():
    assert "incidents" in [section.key for section in sections.registered()]


def test_no_incidents_and_no_nihil_is_a_problem(draft):
    assert incidents_submit_problems(draft) == [NIHIL_MISSING]
    assert NIHIL_MISSING in sections.submit_problems(draft)


def test_nihil_without_incidents_is_fine(draft):
    draft.no_incidents = True
    assert incidents_submit_problems(draft) == []


def test_an_incident_of_the_day_in_the_subtree_satisfies_the_section(draft, officer, day):
    make_incident(officer, "64.71.06.1002", local(day, 0, 5))
    assert incidents_submit_problems(draft) == []


def test_nihil_with_incidents_is_a_problem(draft, officer, day):
    make_incident(officer, "64.71.06", local(day, 9))
    make_incident(officer, "64.71.06.1001", local(day, 23, 59))
    draft.no_incidents = True
    [problem] = incidents_submit_problems(draft)
    assert "nihil" in problem and "2 insiden" in problem


def test_other_days_and_other_regions_do_not_count(draft, officer, neighbour_officer, day):
    # 23:59 WITA the day before, and 00:00 WITA the day after: not this day.
    make_incident(officer, "64.71.06", local(day - dt.timedelta(days=1), 23, 59))
    make_incident(officer, "64.71.06", local(day + dt.timedelta(days=1), 0, 0))
    make_incident(neighbour_officer, "64.71.01", local(day, 10))
    assert incidents_submit_problems(draft) == [NIHIL_MISSING]


def test_the_day_is_the_provinces_local_day(officer, tree, day):
    # 16:30 UTC is 00:30 WITA the next day; 15:30 UTC is 23:30 WITA the same day.
    utc = dt.UTC
    late = make_incident(officer, "64.71.06", dt.datetime.combine(day, dt.time(15, 30), utc))
    make_incident(officer, "64.71.06", dt.datetime.combine(day, dt.time(16, 30), utc))
    assert list(incidents_on_day(region_code="64.71.06", day=day)) == [late]


def test_a_kabkota_report_counts_incidents_below_it(city_officer, officer, tree, day):
    from readiness.models import ReportStatus

    from ..factories import DailyReportFactory

    report = DailyReportFactory(
        region=tree["64.71"],
        day=day,
        status=ReportStatus.DRAFT,
        submitted_by=None,
        submitted_at=None,
        created_by=city_officer,
        updated_by=city_officer,
        updated_at=local(day, 1),
    )
    make_incident(officer, "64.71.06.1001", local(day, 8))
    assert incidents_submit_problems(report) == []
