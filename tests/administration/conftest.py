"""Personas and helpers for the import pages: a national admin (tests/conftest.py), the admin of
province 64 (Kalimantan Timur), and a second province 13 with one desa for "outside" cases."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from administration.models import ImportJob
from readiness.models import Role
from tests.factories import RegionFactory, UserFactory

TPS_HEADER = (
    "kode_desa,nomor_tps,dpt_laki_laki,dpt_perempuan,jenis,kerawanan,rawan_banjir,"
    "sulit_dijangkau,lintang,bujur\n"
)


@pytest.fixture
def province_admin(tree):
    return UserFactory(username="admin.kaltim", role=Role.ADMIN, region=tree["64"])


@pytest.fixture
def other_province(db):
    for code in ["13", "13.73", "13.73.01", "13.73.01.1001"]:
        RegionFactory(code=code)
    return "13.73.01.1001"


def upload(client, kind: str, content: bytes | str, name: str = "berkas.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(
        "/kelola/impor/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def apply(client, job: ImportJob):
    return client.post(f"/kelola/impor/{job.pk}/terapkan/")
