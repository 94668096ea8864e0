"""The admin opens for the national admin on every readiness model, and reports are read-only."""

import pytest
from django.urls import reverse

from readiness.models import TPS, DailyReport, Region, TPSStatus


@pytest.mark.parametrize(
    "model", [Region, TPS, TPSStatus, DailyReport], ids=lambda model: model.__name__
)
def test_changelists_open(client, national_admin, tree, model):
    client.force_login(national_admin)
    url = reverse(f"admin:readiness_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_reports_cannot_be_edited_in_the_admin(client, national_admin, officer, tree):
    from readiness import services
    from readiness.selectors import local_today

    report = services.daily_report_submit(
        officer=officer, region=tree["64.71.06"], day=local_today("64"), data={"no_incidents": True}
    )
    client.force_login(national_admin)
    page = client.get(reverse("admin:readiness_dailyreport_change", args=[report.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only: changes go through the desks
    assert b"submitted" in page.content  # the history inline
