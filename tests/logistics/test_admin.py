from decimal import Decimal

from django.urls import reverse

from logistics.models import LogisticsItem, QuantityRule


def test_catalogue_is_seeded_from_the_domain_norms(db):
    catalogue = {
        item.code: (item.rule, item.parameter)
        for item in LogisticsItem.objects.order_by("sort_order")
    }
    assert catalogue == {
        "surat-suara": (QuantityRule.DPT_PLUS_PERCENT_PER_CONTEST, Decimal("2.5")),
        "kotak-suara": (QuantityRule.PER_TPS_PER_CONTEST, 1),
        "bilik-suara": (QuantityRule.PER_TPS, 4),
        "tinta": (QuantityRule.PER_TPS, 2),
        "segel": (QuantityRule.PER_TPS_PER_CONTEST, 10),
        "formulir": (QuantityRule.PER_TPS_PER_CONTEST, 1),
        "perlengkapan-pendukung": (QuantityRule.PER_TPS, 1),
    }
    assert "BELUM TERVERIFIKASI" in LogisticsItem.objects.get(code="segel").note


def test_admin_edits_the_catalogue_in_indonesian(client, national_admin):
    client.force_login(national_admin)
    listing = client.get(reverse("admin:logistics_logisticsitem_changelist")).content.decode()
    assert "Surat suara" in listing and "Aturan jumlah" in listing

    item = LogisticsItem.objects.get(code="bilik-suara")
    url = reverse("admin:logistics_logisticsitem_change", args=[item.pk])
    data = {
        "name": item.name,
        "unit": item.unit,
        "rule": item.rule,
        "parameter": "2.5",
        "note": "",
        "sort_order": item.sort_order,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert "parameter harus bilangan bulat" in response.content.decode()

    assert client.post(url, {**data, "parameter": "2"}).status_code == 302
    item.refresh_from_db()
    assert item.parameter == 2
