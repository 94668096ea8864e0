from decimal import Decimal

from django.urls import reverse

from indicators.models import Aggregation, Indicator


def test_catalogue_is_seeded_from_the_seed_reports(db):
    catalogue = {
        i.code: (i.unit, i.aggregation, i.for_kecamatan, i.for_kabkota, i.for_provinsi)
        for i in Indicator.objects.order_by("sort_order")
    }
    grant = ("Rp", Aggregation.LATEST, False, True, True)
    assert catalogue == {
        "hibah-kpu": grant,
        "hibah-bawaslu": grant,
        "hibah-polri": grant,
        "hibah-tni": grant,
        "sosialisasi": ("kegiatan", Aggregation.SUM, True, True, False),
        "bimtek-sirekap": ("sesi", Aggregation.SUM, True, True, False),
        "apk-dibersihkan": ("titik", Aggregation.SUM, True, True, False),
        "pemilih-pindahan": ("orang", Aggregation.LATEST, True, True, False),
    }
    assert not Indicator.objects.exclude(decimal_places=0).exists()
    # Pangkalpinang's KPU grant fits well below the typo guard.
    assert Indicator.objects.get(code="hibah-kpu").plausible_max > Decimal("23950284000")


def test_admin_edits_the_catalogue_in_indonesian(client, national_admin):
    client.force_login(national_admin)
    listing = client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    assert "Hibah tersalur ke KPU" in listing and "Cara rekap" in listing
    assert "Provinsi, Kabupaten/Kota" in listing

    indicator = Indicator.objects.get(code="sosialisasi")
    url = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    data = {
        "name": "Sosialisasi tatap muka",
        "unit": indicator.unit,
        "aggregation": indicator.aggregation,
        "help_text": "",
        "decimal_places": 0,
        "plausible_max": "",
        "sort_order": indicator.sort_order,
        "is_active": "on",
    }
    response = client.post(url, data)  # no level ticked
    assert "Pilih paling sedikit satu tingkat desk" in response.content.decode()

    assert client.post(url, {**data, "for_kecamatan": "on"}).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.code, indicator.for_kabkota, indicator.plausible_max) == (
        "Sosialisasi tatap muka",
        "sosialisasi",  # the code stays: forms and history use it
        False,
        None,
    )


def test_admin_refuses_a_code_that_is_not_lowercase_words(client, national_admin):
    client.force_login(national_admin)
    response = client.post(
        reverse("admin:indicators_indicator_add"),
        {
            "name": "Relawan demokrasi",
            "code": "Relawan__Demokrasi",
            "unit": "orang",
            "aggregation": Aggregation.LATEST,
            "for_kabkota": "on",
            "decimal_places": 0,
            "sort_order": 100,
            "is_active": "on",
        },
    )
    assert "Gunakan huruf kecil, angka dan tanda hubung" in response.content.decode()
    assert not Indicator.objects.filter(name="Relawan demokrasi").exists()
