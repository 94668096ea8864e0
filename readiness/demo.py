"""The demo desk: Kalimantan Timur a few days before voting day.

Names of the province, its 10 kab/kota and Kota Balikpapan's kecamatan and kelurahan are real
(DOMAIN.md); kecamatan elsewhere are real names with illustrative codes, and their desa are made
up. TPS per kab/kota follow KPU's planned counts; DPT figures are random but repeatable.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import codes, rollups, signals
from .models import (
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    Region,
    RegionLevel,
    ReportStatus,
    Role,
    Situation,
    TPSKind,
    TPSProblem,
    TPSReadiness,
    TPSStatus,
    User,
    Vulnerability,
)
from .regions import regions_import

DEMO_PASSWORD = "pilkada2024"
DAYS_TO_VOTING = 4
REPORTED_DAYS = 7

PROVINCE = ("64", "KALIMANTAN TIMUR")
DEMO_ZONE = zoneinfo.ZoneInfo(codes.WITA)
DEMO_DEADLINE = dt.time(16, 0)

# code, name, planned TPS (KPU), kecamatan names (Balikpapan: code suffixes are the real ones).
KABKOTA = [
    (
        "64.01",
        "KAB. PASER",
        484,
        ["Batu Sopang", "Tanjung Harapan", "Tanah Grogot", "Kuaro", "Long Ikis"],
    ),
    (
        "64.02",
        "KAB. KUTAI KARTANEGARA",
        1443,
        [
            "Samboja",
            "Muara Jawa",
            "Sanga-Sanga",
            "Loa Janan",
            "Loa Kulu",
            "Tenggarong",
            "Tenggarong Seberang",
        ],
    ),
    (
        "64.03",
        "KAB. BERAU",
        469,
        ["Tanjung Redeb", "Gunung Tabur", "Sambaliung", "Teluk Bayur", "Talisayan"],
    ),
    ("64.07", "KAB. KUTAI BARAT", 321, ["Melak", "Barong Tongkok", "Long Iram", "Bentian Besar"]),
    (
        "64.08",
        "KAB. KUTAI TIMUR",
        701,
        [
            "Muara Ancalong",
            "Sangatta Utara",
            "Sangatta Selatan",
            "Bengalon",
            "Sandaran",
            "Long Mesangat",
        ],
    ),
    ("64.09", "KAB. PENAJAM PASER UTARA", 293, ["Babulu", "Waru", "Penajam", "Sepaku"]),
    (
        "64.11",
        "KAB. MAHAKAM ULU",
        77,
        ["Long Bagun", "Long Hubung", "Laham", "Long Apari", "Long Pahangai"],
    ),
    ("64.71", "KOTA BALIKPAPAN", 998, []),
    (
        "64.72",
        "KOTA SAMARINDA",
        1201,
        [
            "Palaran",
            "Samarinda Seberang",
            "Samarinda Ulu",
            "Samarinda Ilir",
            "Sungai Kunjang",
            "Sambutan",
        ],
    ),
    ("64.74", "KOTA BONTANG", 277, ["Bontang Selatan", "Bontang Utara", "Bontang Barat"]),
]

BALIKPAPAN_KECAMATAN = {
    "64.71.01": ("Balikpapan Timur", ["Manggar", "Manggar Baru", "Lamaru", "Teritip"]),
    "64.71.02": (
        "Balikpapan Barat",
        ["Baru Tengah", "Margasari", "Margo Mulyo", "Baru Ulu", "Baru Ilir", "Kariangau"],
    ),
    "64.71.03": (
        "Balikpapan Utara",
        [
            "Gunung Samarinda",
            "Muara Rapak",
            "Batu Ampar",
            "Karang Joang",
            "Gunung Samarinda Baru",
            "Graha Indah",
        ],
    ),
    "64.71.04": (
        "Balikpapan Tengah",
        [
            "Gunung Sari Ilir",
            "Gunung Sari Ulu",
            "Mekar Sari",
            "Karang Rejo",
            "Sumber Rejo",
            "Karang Jati",
        ],
    ),
    "64.71.05": (
        "Balikpapan Selatan",
        [
            "Sepinggan",
            "Sepinggan Raya",
            "Sepinggan Baru",
            "Damai Baru",
            "Damai Bahagia",
            "Sungai Nangka",
            "Gunung Bahagia",
        ],
    ),
    "64.71.06": (
        "Balikpapan Kota",
        ["Klandasan Ulu", "Klandasan Ilir", "Telaga Sari", "Damai", "Prapatan"],
    ),
}

_DESA_NAMES = [
    "Sumber Rejo",
    "Suka Maju",
    "Mekar Jaya",
    "Tanjung Baru",
    "Sido Mulyo",
    "Karang Anyar",
    "Bukit Raya",
    "Sungai Seluang",
    "Teluk Dalam",
    "Purwa Jaya",
    "Long Lunuk",
    "Muara Baru",
]
HARD_TO_REACH_KECAMATAN = {"Sandaran", "Long Apari", "Long Pahangai"}

# Demo accounts named in the README: username, role, region code (None: national admin).
ACCOUNTS = [
    ("admin", Role.ADMIN, None, "Admin Desk"),
    ("sekda.kaltim", Role.VIEWER, "64", "Sekda Kalimantan Timur"),
    ("desk.kaltim", Role.OFFICER, "64", "Desk Pilkada Provinsi Kaltim"),
    ("desk.balikpapan", Role.OFFICER, "64.71", "Desk Pilkada Kota Balikpapan"),
    ("desk.balikpapan-kota", Role.OFFICER, "64.71.06", "Desk Kecamatan Balikpapan Kota"),
]
# Left unreported today so that the demo officer has something to file.
UNREPORTED_TODAY = {"64.71.06", "64.71"}


@dataclass(frozen=True)
class DemoSummary:
    regions: int
    tps: int
    reports: int
    voting_day: dt.date


@transaction.atomic
def demo_seed(*, today: dt.date) -> DemoSummary:
    """Build (or refresh) the demo desk around `today`. Idempotent: a re-run changes nothing
    on the same day, and moves voting day along on a later one."""
    rng = random.Random(64)
    region_rows = _region_rows()
    regions_import(rows=[["kode", "nama"], *region_rows])
    tps_count = _seed_tps(rng)
    users = _seed_accounts()
    voting_day = today + dt.timedelta(days=DAYS_TO_VOTING)
    _seed_contests(voting_day)
    report_count = _seed_reports(rng, today=today, users=users)
    signals.demo_seeded.send(sender=demo_seed, today=today, province_code=PROVINCE[0])
    for offset in range(REPORTED_DAYS + 1):
        rollups.rollup_rebuild_day(day=today - dt.timedelta(days=offset), within=PROVINCE[0])
    return DemoSummary(
        regions=len(region_rows), tps=tps_count, reports=report_count, voting_day=voting_day
    )


def _region_rows() -> list[list[str]]:
    rows = [list(PROVINCE)]
    for kab_code, kab_name, _planned, kecamatan_names in KABKOTA:
        rows.append([kab_code, kab_name])
        if kab_code == "64.71":
            kecamatan = {code: value for code, value in BALIKPAPAN_KECAMATAN.items()}
        else:
            kecamatan = {
                f"{kab_code}.{index:02d}": (name, _desa_names_for(name))
                for index, name in enumerate(kecamatan_names, start=1)
            }
        for kec_code, (kec_name, desa_names) in kecamatan.items():
            rows.append([kec_code, kec_name])
            # Kota have kelurahan (1xxx), kabupaten mostly desa (2xxx).
            first_digit = 1 if codes.is_kota(kab_code) else 2
            rows.extend(
                [f"{kec_code}.{first_digit}{index:03d}", desa_name]
                for index, desa_name in enumerate(desa_names, start=1)
            )
    return rows


def _desa_names_for(kecamatan_name: str) -> list[str]:
    start = sum(map(ord, kecamatan_name)) % len(_DESA_NAMES)
    names = [_DESA_NAMES[(start + step) % len(_DESA_NAMES)] for step in range(3)]
    return [kecamatan_name, *names]


def _seed_tps(rng: random.Random) -> int:
    desa_by_kab: dict[str, list[Region]] = {}
    for desa in Region.objects.within(PROVINCE[0]).filter(level=RegionLevel.DESA).order_by("code"):
        desa_by_kab.setdefault(desa.code[:5], []).append(desa)
    kecamatan_names = dict(
        Region.objects.within(PROVINCE[0])
        .filter(level=RegionLevel.KECAMATAN)
        .values_list("code", "name")
    )

    stations = []
    for kab_code, _name, planned, _kecamatan in KABKOTA:
        villages = desa_by_kab[kab_code]
        per_desa, extra = divmod(planned, len(villages))
        for index, desa in enumerate(villages):
            remote = kecamatan_names[desa.code[:8]] in HARD_TO_REACH_KECAMATAN
            for number in range(1, per_desa + (1 if index < extra else 0) + 1):
                dpt = rng.randint(280, 590)
                male = dpt // 2 + rng.randint(-20, 20)
                roll = rng.random()
                stations.append(
                    TPS(
                        desa=desa,
                        number=number,
                        dpt_male=male,
                        dpt_female=dpt - male,
                        kind=TPSKind.REGULAR,
                        vulnerability=(
                            Vulnerability.HIGHLY_VULNERABLE
                            if roll < 0.04 or remote
                            else Vulnerability.VULNERABLE
                            if roll < 0.18
                            else Vulnerability.LOW
                        ),
                        flood_prone=rng.random() < 0.06,
                        hard_to_reach=remote,
                    )
                )
    TPS.objects.bulk_create(
        stations,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["desa", "number"],
        update_fields=[
            "dpt_male",
            "dpt_female",
            "kind",
            "vulnerability",
            "flood_prone",
            "hard_to_reach",
        ],
    )
    return len(stations)


def _seed_accounts() -> dict[str, User]:
    """The README's accounts, plus a password-less officer per other desk who filed its history."""
    users: dict[str, User] = {}
    for username, role, region_code, full_name in ACCOUNTS:
        first, _, last = full_name.partition(" ")
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "region_id": region_code,
                "first_name": first,
                "last_name": last,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if role == Role.OFFICER:
            users[region_code] = user

    desks = Region.objects.within(PROVINCE[0]).filter(
        level__in=[RegionLevel.KABKOTA, RegionLevel.KECAMATAN]
    )
    for region in desks:
        if region.code in users:
            continue
        user, created = User.objects.get_or_create(
            username=f"desk.{region.code}",
            defaults={"role": Role.OFFICER, "region": region, "first_name": f"Desk {region.name}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[region.code] = user
    return users


def _seed_contests(voting_day: dt.date) -> None:
    for kab_code, _name, _planned, _kecamatan in [(PROVINCE[0], None, None, None), *KABKOTA]:
        if kab_code == PROVINCE[0]:
            kind = ContestKind.GOVERNOR
        elif codes.is_kota(kab_code):
            kind = ContestKind.MAYOR
        else:
            kind = ContestKind.REGENT
        Contest.objects.update_or_create(
            region_id=kab_code,
            kind=kind,
            defaults={
                "voting_day": voting_day,
                "reporting_start": voting_day - dt.timedelta(days=30),
                "reporting_end": voting_day + dt.timedelta(days=7),
            },
        )


def _seed_reports(rng: random.Random, *, today: dt.date, users: dict[str, User]) -> int:
    tps_per_kecamatan: dict[str, int] = {}
    for desa_code in TPS.objects.within(PROVINCE[0]).values_list("desa_id", flat=True):
        tps_per_kecamatan[desa_code[:8]] = tps_per_kecamatan.get(desa_code[:8], 0) + 1

    reports = []
    latest: dict[str, tuple[int, int]] = {}  # kecamatan → (ready, problem) as last reported
    for offset in range(REPORTED_DAYS, -1, -1):
        day = today - dt.timedelta(days=offset)
        progress = 0.45 + 0.5 * (REPORTED_DAYS - offset) / REPORTED_DAYS
        for region_code, officer in users.items():
            if offset == 0 and (region_code in UNREPORTED_TODAY or rng.random() < 0.3):
                continue
            if offset > 0 and rng.random() < 0.08:
                continue  # a missed day now and then, as in real desks
            is_kecamatan = region_code.count(".") == 2
            total = tps_per_kecamatan.get(region_code, 0)
            ready = min(total, round(total * (progress + rng.uniform(-0.1, 0.05))))
            problem = min(total - ready, rng.choice((0, 0, 1, 2)))
            latest[region_code] = (ready, problem)
            submitted_at = dt.datetime.combine(
                day, dt.time(8 + rng.randint(0, 9), rng.randint(0, 59)), tzinfo=DEMO_ZONE
            )
            reports.append(
                DailyReport(
                    region_id=region_code,
                    day=day,
                    status=ReportStatus.SUBMITTED,
                    tps_ready=ready if is_kecamatan else None,
                    tps_problem=problem if is_kecamatan else None,
                    situation=Situation.CALM,
                    note="Situasi kondusif; distribusi logistik berjalan."
                    if not is_kecamatan
                    else "",
                    no_incidents=True,
                    created_by=officer,
                    updated_by=officer,
                    updated_at=submitted_at,
                    submitted_by=officer,
                    submitted_at=submitted_at,
                    is_late=submitted_at.time() > DEMO_DEADLINE,
                )
            )
    DailyReport.objects.bulk_create(
        reports,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["region", "day"],
        update_fields=[
            "status",
            "tps_ready",
            "tps_problem",
            "situation",
            "note",
            "no_incidents",
            "updated_by",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "is_late",
        ],
    )
    _seed_tps_status(rng, latest=latest, users=users)
    return len(reports)


def _seed_tps_status(
    rng: random.Random, *, latest: dict[str, tuple[int, int]], users: dict[str, User]
) -> None:
    """Make each kecamatan's TPS table agree with its last report: the first TPS siap, the next
    few bermasalah, the rest belum siap."""
    by_kecamatan: dict[str, list[TPS]] = {}
    for tps in TPS.objects.within(PROVINCE[0]).order_by("desa_id", "number"):
        by_kecamatan.setdefault(tps.desa_id[:8], []).append(tps)
    now = timezone.now()
    statuses = []
    for kecamatan, stations in by_kecamatan.items():
        ready, problem = latest.get(kecamatan, (0, 0))
        for index, tps in enumerate(stations):
            if index < ready:
                readiness, problems = TPSReadiness.READY, []
            elif index < ready + problem:
                readiness = TPSReadiness.PROBLEM
                problems = [
                    rng.choice([TPSProblem.DISASTER, TPSProblem.ACCESS, TPSProblem.LOGISTICS])
                ]
            else:
                readiness, problems = TPSReadiness.NOT_READY, []
            statuses.append(
                TPSStatus(
                    tps=tps,
                    readiness=readiness,
                    problems=problems,
                    note="Genangan air di sekitar lokasi."
                    if TPSProblem.DISASTER in problems
                    else "",
                    updated_by=users[kecamatan],
                    updated_at=now,
                )
            )
    TPSStatus.objects.bulk_create(
        statuses,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["tps"],
        update_fields=["readiness", "problems", "note", "updated_by"],
    )
