"""Demo personnel and incidents for the demo province's last week.

Connected to `readiness.signals.demo_seeded` (see apps.py), so `manage.py seed_demo` fills the
personnel section of every demo report and files a dozen incidents inspired by the seeds
(DOMAIN.md): hoaxes on social media, money politics in Kutai Timur, ASN and village-head
neutrality, leftover campaign props, a flood warning in Samarinda, a late boat to Sandaran, an
exhausted KPPS. Some are still open, some handled or closed, each with its timeline.

Rows are written directly, not through services (those check the officer, enqueue rollups and
record a report version per call). Idempotent: personnel lines are upserted on report ×
category, an incident is found again by its place, its day and its fixed description, and its
timeline is rewritten. The randomness is seeded by region, category and day.

A report whose region (or any place below it) has an incident on its day must not say "nihil":
readiness.demo files every report with `no_incidents=True`, and this receiver clears the flag
where incidents exist, so that `selectors.incidents_submit_problems` holds for every report.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from readiness import codes
from readiness.demo import REPORTED_DAYS
from readiness.models import (
    COUNTED_STATUSES,
    TPS,
    DailyReport,
    Region,
    RegionLevel,
    Role,
    User,
    in_subtree,
)

from .models import (
    Incident,
    IncidentCategory,
    IncidentStatus,
    IncidentUpdate,
    NormKind,
    PersonnelCategory,
    PersonnelLine,
    Severity,
)
from .selectors import active_categories, incidents_within, registry_counts, required_for

S = IncidentStatus

# Share of the requirement in place on the window's first day; the latest day is 97–100%.
# PPK and PPS were appointed months ago; KPPS and Linmas are sworn in during the last weeks;
# police and TNI reach full strength with the BKO from Polda and Kodam.
COVERAGE_START = {
    "kpps": 0.9,
    "linmas": 0.8,
    "pengawas-tps": 0.95,
    "pps": 1.0,
    "ppk": 1.0,
    "polri": 0.7,
    "tni": 0.6,
}
DEFAULT_COVERAGE_START = 0.8
# Categories without a norm (Satpol PP, BPBD): deployed per desa and per kecamatan.
UNNORMED_PER_DESA = {"satpol-pp": 2}
UNNORMED_PER_KECAMATAN = {"satpol-pp": 3, "bpbd": 3}
FLOOD_PRONE_KABKOTA = {"64.72": 4}  # Samarinda: extra BPBD per kecamatan


def demo_seed_security(sender, *, today: dt.date, province_code: str, **kwargs) -> None:
    """Receiver of `demo_seeded`: personnel lines, incidents, and the reports' nihil flags."""
    zone = zoneinfo.ZoneInfo(Region.objects.get(code=province_code).timezone)
    first_day = today - dt.timedelta(days=REPORTED_DAYS)
    reports = list(
        DailyReport.objects.filter(
            in_subtree("region__code", province_code),
            day__gte=first_day,
            day__lte=today,
            status__in=COUNTED_STATUSES,
        )
        .only("id", "region_id", "day")
        .order_by("region_id", "day")
    )
    _seed_personnel(reports, first_day=first_day)
    _seed_incidents(today=today, province_code=province_code, zone=zone)
    _clear_nihil(province_code=province_code, first_day=first_day, today=today, zone=zone)


# Personnel -----------------------------------------------------------------------------------


def _seed_personnel(reports: list[DailyReport], *, first_day: dt.date) -> int:
    categories = active_categories()
    if not reports or not categories:
        return 0
    latest_day: dict[str, dt.date] = {}
    for report in reports:
        latest_day[report.region_id] = max(report.day, latest_day.get(report.region_id, report.day))
    counts = {code: registry_counts(region_code=code) for code in latest_day}

    lines = []
    for report in reports:
        code = report.region_id
        span = (latest_day[code] - first_day).days or 1
        progress = min(1.0, (report.day - first_day).days / span)
        for category in categories:
            ready, sick, absent = _personnel_figures(
                code=code,
                category=category,
                required=required_for(category, counts[code]),
                counts=counts[code],
                day=report.day,
                progress=progress,
            )
            lines.append(
                PersonnelLine(
                    report_id=report.pk,
                    category=category,
                    ready=ready,
                    unavailable_sick=sick,
                    unavailable_absent=absent,
                )
            )
    PersonnelLine.objects.bulk_create(
        lines,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["report", "category"],
        update_fields=["ready", "unavailable_sick", "unavailable_absent"],
    )
    return len(lines)


def _personnel_figures(
    *,
    code: str,
    category: PersonnelCategory,
    required: int,
    counts,
    day: dt.date,
    progress: float,
) -> tuple[int, int, int]:
    """(ready, sick, absent) of one category: close to the requirement, a few unavailable."""
    if category.norm_kind == NormKind.NONE:
        per_kecamatan = UNNORMED_PER_KECAMATAN.get(category.code, 0)
        if category.code == "bpbd":
            per_kecamatan += FLOOD_PRONE_KABKOTA.get(code[:5], 0)
        required = UNNORMED_PER_DESA.get(category.code, 0) * counts.desa
        required += per_kecamatan * counts.kecamatan
    if not required:
        return 0, 0, 0
    final = random.Random(f"personel:{code}:{category.code}").uniform(0.97, 1.0)
    start = COVERAGE_START.get(category.code, DEFAULT_COVERAGE_START) * final
    assigned = round(required * (start + (final - start) * progress))
    rng = random.Random(f"personel:{code}:{category.code}:{day.isoformat()}")
    sick = rng.randint(1, max(1, assigned // 250)) if rng.random() < 0.4 else 0
    absent = rng.randint(1, max(1, assigned // 400)) if rng.random() < 0.3 else 0
    sick, absent = min(sick, assigned), min(absent, assigned - min(sick, assigned))
    return assigned - sick - absent, sick, absent


# Incidents -----------------------------------------------------------------------------------

KEC, KAB = "kecamatan", "kabkota"


@dataclass(frozen=True)
class Step:
    """One step of a timeline: minutes after the incident, the new status, a note, who."""

    minutes: int
    status: str
    note: str = ""
    by: str = KEC


@dataclass(frozen=True)
class DemoIncident:
    place: str  # a kecamatan or desa code
    category: str
    severity: str
    days_ago: int
    time: str  # local HH:MM
    description: str
    actions: str
    steps: tuple[Step, ...]
    tps: int | None = None  # the TPS number in the desa `place`

    @property
    def status(self) -> str:
        return self.steps[-1].status


INCIDENTS = (
    DemoIncident(
        place="64.72.03",
        category="hoaks",
        severity=Severity.LOW,
        days_ago=6,
        time="09:20",
        description=(
            "Beredar pesan berantai di WhatsApp dan Facebook yang menyebut pemungutan suara di "
            "Kota Samarinda diundur karena banjir. Informasi tersebut tidak benar."
        ),
        actions=(
            "Desk kecamatan berkoordinasi dengan KPU Kota Samarinda dan Diskominfo; klarifikasi "
            "resmi disebarkan melalui grup RT dan akun media sosial kecamatan; tautan unggahan "
            "dilaporkan ke platform."
        ),
        steps=(
            Step(25, S.REPORTED),
            Step(120, S.VERIFIED, "Dicek ke KPU Kota Samarinda: tidak ada penundaan jadwal.", KAB),
            Step(300, S.HANDLED, "Klarifikasi KPU dan Diskominfo telah disebarkan."),
            Step(1500, S.CLOSED, "Peredaran pesan mereda; tidak ada laporan lanjutan.", KAB),
        ),
    ),
    DemoIncident(
        place="64.08.02.2002",
        category="politik-uang",
        severity=Severity.HIGH,
        days_ago=1,
        time="21:30",
        description=(
            "Warga melaporkan pembagian amplop berisi uang Rp100.000 disertai stiker salah satu "
            "pasangan calon oleh orang tak dikenal di lingkungan RT 12 pada malam hari."
        ),
        actions=(
            "Babinsa dan Bhabinkamtibmas mendatangi lokasi; Panwascam Sangatta Utara "
            "mengumpulkan keterangan saksi dan barang bukti untuk kajian awal Sentra Gakkumdu."
        ),
        steps=(
            Step(40, S.REPORTED),
            Step(
                180,
                S.VERIFIED,
                "Dua saksi dan tiga amplop diamankan Panwascam; menunggu kajian Sentra Gakkumdu "
                "Kutai Timur.",
                KAB,
            ),
        ),
    ),
    DemoIncident(
        place="64.08.05.2002",
        tps=2,
        category="kekerasan",
        severity=Severity.CRITICAL,
        days_ago=0,
        time="07:10",
        description=(
            "Sekelompok warga mendatangi sekretariat PPS dan mengancam anggota KPPS TPS 002 "
            "karena lokasi TPS dipindahkan ke balai desa. Situasi sempat memanas."
        ),
        actions=(
            "Kapolsek dan Danramil Sandaran turun ke lokasi dan memediasi bersama tokoh "
            "masyarakat; penambahan personel diminta ke Polres Kutai Timur (BKO Polda Kaltim "
            "dan Brimob)."
        ),
        steps=(
            Step(20, S.REPORTED),
            Step(
                60,
                S.REPORTED,
                "Dilaporkan segera ke Forkopimda Kutai Timur; tim Polres dalam perjalanan lewat "
                "laut.",
            ),
        ),
    ),
    DemoIncident(
        place="64.08.03",
        category="hoaks",
        severity=Severity.HIGH,
        days_ago=0,
        time="06:30",
        description=(
            "Video lama kerusuhan dibagikan ulang di TikTok dan grup Facebook dengan narasi "
            "'kerusuhan Pilkada Kutim', memicu keresahan warga menjelang masa tenang."
        ),
        actions=(
            "Tangkapan layar dan tautan dikumpulkan; dilaporkan ke Polres Kutai Timur dan "
            "Diskominfo untuk penelusuran dan klarifikasi."
        ),
        steps=(Step(45, S.REPORTED),),
    ),
    DemoIncident(
        place="64.08.05",
        category="logistik",
        severity=Severity.HIGH,
        days_ago=2,
        time="14:00",
        description=(
            "Pengiriman kotak suara dan bilik suara ke Kecamatan Sandaran melalui jalur laut "
            "tertunda karena gelombang tinggi; 4 kotak suara dan 8 bilik suara belum diterima "
            "PPK."
        ),
        actions=(
            "KPU Kutai Timur berkoordinasi dengan Lanal Sangatta untuk pengawalan kapal "
            "susulan; logistik disimpan sementara di gudang KPU dengan penjagaan Polres."
        ),
        steps=(
            Step(30, S.REPORTED),
            Step(
                240,
                S.VERIFIED,
                "Dikonfirmasi PPK Sandaran dan KPU Kutai Timur; kapal susulan menunggu cuaca.",
                KAB,
            ),
        ),
    ),
    DemoIncident(
        place="64.72.04.1001",
        tps=3,
        category="bencana",
        severity=Severity.HIGH,
        days_ago=1,
        time="16:45",
        description=(
            "Peringatan dini BMKG: hujan lebat hingga hari pemungutan suara. Sungai Karang "
            "Mumus meluap, genangan 30–50 cm di sekitar lokasi TPS 003 yang rawan banjir."
        ),
        actions=(
            "BPBD, DPUPR dan Satpol PP-Damkar siaga; KPU Kota Samarinda menyiapkan lokasi TPS "
            "cadangan di gedung sekolah; logistik disimpan di lantai atas kantor kelurahan."
        ),
        steps=(
            Step(20, S.REPORTED),
            Step(90, S.VERIFIED, "Tim BPBD meninjau lokasi; genangan belum surut.", KAB),
            Step(
                900,
                S.VERIFIED,
                "Pompa air dikerahkan; lokasi TPS cadangan disurvei bersama PPS dan lurah.",
            ),
        ),
    ),
    DemoIncident(
        place="64.72.02",
        category="kamtibmas",
        severity=Severity.HIGH,
        days_ago=2,
        time="23:10",
        description=(
            "Baliho pasangan calon di Jalan Bung Tomo dirusak orang tak dikenal pada malam "
            "hari; pendukung pasangan calon berkumpul dan dikhawatirkan memicu gesekan."
        ),
        actions=(
            "Polsek Samarinda Seberang meningkatkan patroli malam; Forkopimcam mempertemukan "
            "perwakilan tim pemenangan kedua pasangan calon."
        ),
        steps=(
            Step(35, S.REPORTED),
            Step(200, S.VERIFIED, "Rekaman CCTV diserahkan ke Polsek; pelaku masih dicari."),
        ),
    ),
    DemoIncident(
        place="64.72.06",
        category="kekerasan",
        severity=Severity.CRITICAL,
        days_ago=4,
        time="15:30",
        description=(
            "Keributan antara dua kelompok pendukung saat konvoi kampanye; dua orang luka "
            "ringan dan satu sepeda motor rusak."
        ),
        actions=(
            "Polresta Samarinda membubarkan massa dan mengamankan tiga orang; korban dibawa ke "
            "puskesmas; Forkopimcam menggelar pertemuan dengan kedua tim kampanye."
        ),
        steps=(
            Step(15, S.REPORTED),
            Step(60, S.VERIFIED, "Dikonfirmasi Polresta Samarinda; situasi terkendali.", KAB),
            Step(
                600,
                S.HANDLED,
                "Mediasi kedua tim kampanye; kesepakatan menjaga kondusivitas ditandatangani.",
                KAB,
            ),
        ),
    ),
    DemoIncident(
        place="64.02.06",
        category="netralitas-asn",
        severity=Severity.LOW,
        days_ago=5,
        time="10:15",
        description=(
            "Seorang ASN di lingkungan kecamatan kedapatan menyukai, mengomentari dan "
            "membagikan unggahan kampanye pasangan calon di Facebook dan Instagram."
        ),
        actions=(
            "Tangkapan layar didokumentasikan; ASN yang bersangkutan ditegur camat; temuan "
            "diteruskan ke Bawaslu Kutai Kartanegara dan BKPSDM."
        ),
        steps=(
            Step(30, S.REPORTED),
            Step(180, S.VERIFIED, "Akun dan unggahan dipastikan milik ASN tersebut.", KAB),
            Step(
                1440,
                S.REFERRED,
                "Dirujuk ke Bawaslu Kab. Kutai Kartanegara untuk diteruskan ke BKN.",
                KAB,
            ),
        ),
    ),
    DemoIncident(
        place="64.03.03.2002",
        category="netralitas-kepala-desa",
        severity=Severity.LOW,
        days_ago=6,
        time="13:00",
        description=(
            "Kepala desa hadir dan memberikan sambutan dukungan dalam kampanye tatap muka salah "
            "satu pasangan calon."
        ),
        actions=(
            "Panwascam Sambaliung memanggil kepala desa untuk klarifikasi; camat menerbitkan "
            "surat imbauan netralitas kepala desa se-kecamatan."
        ),
        steps=(
            Step(60, S.REPORTED),
            Step(240, S.VERIFIED, "Video kegiatan diterima dari Panwascam.", KAB),
            Step(1440, S.REFERRED, "Dirujuk ke Bawaslu Kab. Berau.", KAB),
            Step(
                4000,
                S.CLOSED,
                "Bawaslu menerbitkan rekomendasi sanksi; selesai di tingkat desk.",
                KAB,
            ),
        ),
    ),
    DemoIncident(
        place="64.71.05",
        category="kampanye-masa-tenang",
        severity=Severity.LOW,
        days_ago=1,
        time="10:00",
        description=(
            "Baliho dan spanduk pasangan calon masih terpasang di median jalan, tiang listrik "
            "dan pagar sekolah di sepanjang Jl. Marsma R. Iswahyudi menjelang masa tenang."
        ),
        actions=(
            "Satpol PP dan Panwascam menjadwalkan penertiban APK serentak pada hari pertama "
            "masa tenang; tim pasangan calon diminta membongkar sendiri."
        ),
        steps=(
            Step(30, S.REPORTED),
            Step(120, S.VERIFIED, "Dicek di lapangan: 46 titik APK.", KAB),
            Step(360, S.HANDLED, "Surat kepada tim paslon dikirim; jadwal penertiban disepakati."),
        ),
    ),
    DemoIncident(
        place="64.71.06.1005",
        tps=5,
        category="kesehatan-petugas",
        severity=Severity.LOW,
        days_ago=3,
        time="22:40",
        description=(
            "Dua anggota KPPS TPS 005 dirawat di puskesmas karena kelelahan setelah bimbingan "
            "teknis dan persiapan TPS hingga larut malam."
        ),
        actions=(
            "Puskesmas memeriksa kesehatan petugas; PPS menyiapkan anggota KPPS pengganti; "
            "petugas diimbau beristirahat cukup."
        ),
        steps=(
            Step(20, S.REPORTED),
            Step(90, S.VERIFIED, "Dikonfirmasi lurah Prapatan dan PPS."),
            Step(600, S.HANDLED, "Pemeriksaan kesehatan seluruh KPPS kelurahan dijadwalkan."),
            Step(2880, S.CLOSED, "Kedua petugas sudah pulih dan kembali bertugas.", KAB),
        ),
    ),
    DemoIncident(
        place="64.11.04.2001",
        category="listrik-internet",
        severity=Severity.HIGH,
        days_ago=3,
        time="11:00",
        description=(
            "Jaringan internet tidak tersedia saat uji coba Sirekap di Long Apari; listrik PLN "
            "hanya menyala pada malam hari."
        ),
        actions=(
            "KPU Mahakam Ulu menyiapkan genset dan pengiriman hasil secara luring dari Long "
            "Bagun; KPPS dilatih ulang memakai mode luring Sirekap."
        ),
        steps=(
            Step(45, S.REPORTED),
            Step(300, S.VERIFIED, "Dikonfirmasi KPU Mahakam Ulu.", KAB),
            Step(1440, S.HANDLED, "Genset dan jadwal pengiriman luring disiapkan.", KAB),
        ),
    ),
    DemoIncident(
        place="64.07.03",
        category="bencana",
        severity=Severity.HIGH,
        days_ago=4,
        time="06:00",
        description=(
            "Longsor menutup jalan poros menuju Long Iram setelah hujan deras; distribusi "
            "logistik ke PPK tertunda sehari."
        ),
        actions=(
            "DPUPR membersihkan material longsor; logistik dialihkan lewat Sungai Mahakam "
            "dengan pengawalan Polres dan Kodim."
        ),
        steps=(
            Step(30, S.REPORTED),
            Step(120, S.VERIFIED, "BPBD Kutai Barat meninjau lokasi.", KAB),
            Step(480, S.HANDLED, "Jalur sungai dipakai untuk logistik.", KAB),
            Step(1800, S.CLOSED, "Jalan kembali bisa dilalui.", KAB),
        ),
    ),
    DemoIncident(
        place="64.74.02",
        category="data-pemilih",
        severity=Severity.LOW,
        days_ago=2,
        time="09:00",
        description=(
            "Sejumlah warga pindahan mengeluhkan belum tercantum di DPT dan belum menerima "
            "surat pemberitahuan memilih."
        ),
        actions=(
            "PPS membuka posko pengecekan DPT; warga diarahkan mengurus pindah memilih ke KPU "
            "Kota Bontang sebelum batas waktu."
        ),
        steps=(
            Step(60, S.REPORTED),
            Step(180, S.VERIFIED, "Tercatat 31 warga; data diteruskan ke KPU Kota Bontang.", KAB),
            Step(1440, S.HANDLED, "Posko pengecekan DPT dibuka di kantor kelurahan."),
            Step(2880, S.CLOSED, "Warga yang memenuhi syarat sudah masuk DPTb.", KAB),
        ),
    ),
)


def _seed_incidents(*, today: dt.date, province_code: str, zone: dt.tzinfo) -> list[Incident]:
    places = [incident.place for incident in INCIDENTS]
    existing = set(Region.objects.filter(code__in=places).values_list("code", flat=True))
    categories = {category.code: category for category in IncidentCategory.objects.all()}
    tps = {
        (station.desa_id, station.number): station
        for station in TPS.objects.filter(desa_id__in=places)
    }
    officers: dict[str, int] = {}
    for region_id, user_id in (
        User.objects.filter(role=Role.OFFICER, region__code__startswith=f"{province_code}.")
        .order_by("-username")
        .values_list("region_id", "id")
    ):
        officers[region_id] = user_id  # the first username wins, whatever the order of rows

    now = timezone.now()
    seeded, updates = [], []
    for demo in INCIDENTS:
        kecamatan = demo.place[: codes.code_length_at_level(RegionLevel.KECAMATAN)]
        kabkota = demo.place[: codes.code_length_at_level(RegionLevel.KABKOTA)]
        category = categories.get(demo.category)
        actors = {KEC: officers.get(kecamatan), KAB: officers.get(kabkota)}
        if demo.place not in existing or category is None or None in actors.values():
            continue  # the demo changed under this list: leave the incident out
        day = today - dt.timedelta(days=demo.days_ago)
        hour, minute = map(int, demo.time.split(":"))
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        # Never in the future: a seed run early in the morning moves today's incidents earlier.
        occurred_at = max(start, min(now, start + dt.timedelta(hours=hour, minutes=minute)))
        incident, _created = Incident.objects.update_or_create(
            region_id=demo.place,
            description=demo.description,
            occurred_at__gte=start,
            occurred_at__lt=start + dt.timedelta(days=1),
            defaults={
                "occurred_at": occurred_at,
                "tps": tps.get((demo.place, demo.tps)) if demo.tps else None,
                "category": category,
                "severity": demo.severity,
                "actions_taken": demo.actions,
                "status": demo.status,
                "reported_by_id": actors[KEC],
            },
        )
        previous = ""
        stamps = []
        for step in demo.steps:
            at = min(now, occurred_at + dt.timedelta(minutes=step.minutes))
            stamps.append(at)
            updates.append(
                IncidentUpdate(
                    incident=incident,
                    status_from=previous,
                    status_to=step.status,
                    note=step.note,
                    by_id=actors[step.by],
                    at=at,
                )
            )
            previous = step.status
        # Filed when first reported, last changed at the last step: not at seeding time.
        Incident.objects.filter(pk=incident.pk).update(created_at=stamps[0], updated_at=stamps[-1])
        seeded.append(incident)
    IncidentUpdate.objects.filter(incident__in=seeded).delete()
    IncidentUpdate.objects.bulk_create(updates)
    return seeded


def _clear_nihil(
    *, province_code: str, first_day: dt.date, today: dt.date, zone: dt.tzinfo
) -> None:
    """Clear "nihil" on each report of the window whose region had an incident that day.

    Every incident of the province counts, not only the demo's, as the submit check does.
    """
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    with_incidents: dict[dt.date, set[str]] = {}
    for region_id, occurred_at in (
        incidents_within(province_code)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .values_list("region_id", "occurred_at")
    ):
        day = occurred_at.astimezone(zone).date()
        with_incidents.setdefault(day, set()).update([*codes.ancestor_codes(region_id), region_id])
    for day, region_codes in sorted(with_incidents.items()):
        DailyReport.objects.filter(day=day, region_id__in=region_codes, no_incidents=True).update(
            no_incidents=False
        )
