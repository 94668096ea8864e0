"""The catalogues and incidents are managed in the admin, in Indonesian."""

import pytest
from django.urls import reverse

from security.models import PersonnelCategory

from .conftest import file_incident


@pytest.mark.parametrize(
    "model", ["personnelcategory", "personnelline", "incidentcategory", "incident"]
)
def test_admin_lists_open(client, national_admin, model, officer, tree):
    file_incident(officer, tree["64.71.06"])
    client.force_login(national_admin)
    response = client.get(reverse(f"admin:security_{model}_changelist"))
    assert response.status_code == 200


def test_admin_edits_a_norm_and_opens_an_incident_with_its_timeline(
    client, national_admin, officer, tree
):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(national_admin)
    polri = PersonnelCategory.objects.get(code="polri")
    page = client.get(reverse("admin:security_personnelcategory_change", args=[polri.pk]))
    assert "per tps sangat rawan" in page.content.decode().lower()
    page = client.get(reverse("admin:security_incident_change", args=[incident.pk]))
    assert page.status_code == 200 and "riwayat insiden" in page.content.decode().lower()
    assert client.get(reverse("admin:security_incident_add")).status_code == 403
