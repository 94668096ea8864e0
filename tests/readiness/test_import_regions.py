from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from readiness.models import Region, RegionLevel
from readiness.regions import RegionImportError, regions_import

NATIONAL_LIST = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "wilayah_kemendagri_2022.csv"
)


def write_csv(tmp_path, text: str) -> str:
    path = tmp_path / "wilayah.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_command_imports_and_derives_parents(tmp_path):
    path = write_csv(
        tmp_path,
        "kode,nama\n64,KALIMANTAN TIMUR\n64.71,KOTA BALIKPAPAN\n64.71.06,Balikpapan Kota\n"
        "64.71.06.1001,Klandasan Ulu\n",
    )
    call_command("import_regions", path)

    kelurahan = Region.objects.get(code="64.71.06.1001")
    assert kelurahan.parent_id == "64.71.06"
    assert kelurahan.level == RegionLevel.DESA
    assert Region.objects.get(code="64").timezone == "Asia/Makassar"
    assert list(Region.objects.within("64.71").values_list("code", flat=True)) == [
        "64.71",
        "64.71.06",
        "64.71.06.1001",
    ]


@pytest.mark.django_db
def test_reimport_is_idempotent_and_updates_names(tmp_path):
    rows = [["kode", "nama"], ["64", "KALIMANTAN TIMUR"], ["64.71", "KOTA BALIKPAPAN"]]
    first = regions_import(rows=rows)
    again = regions_import(rows=rows)
    renamed = regions_import(rows=[rows[0], rows[1], ["64.71", "Kota Balikpapan"]])

    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (renamed.created, renamed.updated, renamed.unchanged) == (0, 1, 1)
    assert Region.objects.get(code="64.71").name == "Kota Balikpapan"


@pytest.mark.django_db
def test_reimport_keeps_what_an_admin_set(tmp_path):
    rows = [["kode", "nama"], ["64", "KALIMANTAN TIMUR"], ["64.71", "KOTA BALIKPAPAN"]]
    regions_import(rows=rows)
    Region.objects.filter(code="64.71").update(is_active=False)
    Region.objects.filter(code="64").update(timezone="Asia/Jakarta")

    regions_import(rows=[rows[0], ["64", "Kalimantan Timur"], rows[2]])

    assert Region.objects.get(code="64").timezone == "Asia/Jakarta"
    assert Region.objects.get(code="64.71").is_active is False


@pytest.mark.django_db
def test_a_bad_row_imports_nothing_and_names_its_line(tmp_path):
    path = write_csv(
        tmp_path,
        "kode,nama\n64,KALIMANTAN TIMUR\n64.71,KOTA BALIKPAPAN\n64.7X,SALAH\n64.71.06,Balikpapan Kota\n",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_regions", path)

    assert "baris 4" in str(refused.value)
    assert "64.7X" in str(refused.value)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_missing_parent_duplicate_and_empty_name_are_each_reported(tmp_path):
    with pytest.raises(RegionImportError) as refused:
        regions_import(
            rows=[
                ["kode", "nama"],
                ["64", "KALIMANTAN TIMUR"],
                ["64.99.01", "Tanpa Induk"],
                ["64", "KALTIM LAGI"],
                ["64.72", ""],
            ]
        )
    errors = refused.value.errors
    assert any(e.startswith("baris 3:") and "induk '64.99'" in e for e in errors)
    assert any(e.startswith("baris 4:") and "sudah ada di baris 2" in e for e in errors)
    assert any(e.startswith("baris 5:") and "kosong" in e for e in errors)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_parent_may_already_be_in_the_database(tmp_path):
    regions_import(rows=[["kode", "nama"], ["64", "KALIMANTAN TIMUR"]])
    result = regions_import(rows=[["kode", "nama"], ["64.74", "KOTA BONTANG"]])
    assert result.created == 1
    assert Region.objects.get(code="64.74").parent_id == "64"


@pytest.mark.django_db
def test_wrong_header_and_wrong_encoding_are_refused(tmp_path):
    with pytest.raises(RegionImportError, match="kode,nama"):
        regions_import(rows=[["code", "name"], ["64", "KALIMANTAN TIMUR"]])

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("kode,nama\n64,KALIMANTAN TIMUR\n64.71,Kota Balikpápan\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_regions", str(latin1))
    assert Region.objects.count() == 0


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("import_regions", "/tidak/ada.csv")


@pytest.mark.django_db
@pytest.mark.skipif(not NATIONAL_LIST.exists(), reason="shared/data is not beside this checkout")
def test_national_list_gives_the_official_counts():
    call_command("import_regions", str(NATIONAL_LIST))

    per_level = Counter(Region.objects.values_list("level", flat=True))
    assert per_level == {
        RegionLevel.PROVINSI: 37,
        RegionLevel.KABKOTA: 514,
        RegionLevel.KECAMATAN: 7277,
        RegionLevel.DESA: 83763,
    }
    assert Region.objects.get(code="64.71.06").name == "Balikpapan Kota"
    assert Region.objects.get(code="91").timezone == "Asia/Jayapura"
