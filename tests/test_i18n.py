def test_login_page_is_indonesian_by_default(client):
    body = client.get("/masuk/").content.decode()
    assert '<html lang="id">' in body
    assert "Masuk ke Desk Pilkada" in body


def test_english_is_available_through_the_language_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    body = client.get("/masuk/").content.decode()
    assert '<html lang="en">' in body
    assert "Log in to Desk Pilkada" in body


def test_numbers_and_dates_are_indonesian(officer, client, tree):
    client.force_login(officer)
    body = client.get("/wilayah/64.71.06/").content.decode()
    # Indonesian day and month names, e.g. "Senin, 23 November 2026".
    assert any(
        day in body for day in ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    )


def test_daily_report_page_is_english_after_switching(officer, client, tree):
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/wilayah/64.71.06/laporan/"})
    body = client.get("/wilayah/64.71.06/laporan/").content.decode()
    assert '<html lang="en">' in body
    for english in [
        "Daily report",
        "Submit report",
        "Save draft",
        "Situation in the region",
        "Help needed from the level above",
        "Polling station status",
        "Report history",
    ]:
        assert english in body, english
    for indonesian in ["Kirim laporan", "Simpan draf", "Riwayat laporan", "Ringkasan situasi"]:
        assert indonesian not in body, indonesian


def test_the_audit_log_is_named_in_indonesian_in_the_admin(client, national_admin):
    client.force_login(national_admin)
    body = client.get("/admin/").content.decode()
    assert "Log audit" in body and "Audit log" not in body
