"""Checking and writing each kind of import: regions, TPS with DPT, desk users.

Each `<kind>_run` reads the whole file, lists every bad row (line, column, reason), sorts the
good rows into created / updated / unchanged, and, when `write` is true, writes the created and
updated ones. It never opens a transaction itself: services.import_job_apply wraps the write run
in one and rolls it back if any problem turns up, so an import is all or nothing.

Why not django-import-export's own import: its Resource imports row by row (a lookup and a save
per row, then a diff for the preview). Measured with this project's TPS resource
(administration.resources.TPSResource) on PostgreSQL: 174 rows/s for the dry run alone, so
the national list (~435,000 rows) would take over forty minutes to preview and as long again
to apply. Here the file is parsed once (tablib/openpyxl through import-export's XLSX format,
the csv module for CSV), validated in Python, compared with the database one chunk of desa at
a time (two queries per 1,000 desa) and written with bulk_create(update_conflicts=True) in
batches: about 35 s to preview and 90 s to apply the whole country (bench/import_tps.py).
The Resources stay the one definition of the export columns.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from readiness import access, codes, regions
from readiness.models import TPS, Region, RegionLevel, Role, TPSKind, User, Vulnerability

from .tabular import Column, Table

SAMPLE_SIZE = 10
MAX_STORED_ERRORS = 10_000
DESA_CHUNK = 1000
WRITE_BATCH = 2000
PROGRESS_EVERY = 5000

Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass
class Check:
    """What a run found. `errors` holds at most MAX_STORED_ERRORS; `error_count` counts all."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[list] = field(default_factory=list)
    result: dict = field(default_factory=dict)
    _samples: dict[str, list] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": []}
    )

    def add_error(self, line: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append([line, column, message])

    def count(self, category: str, line: int, key: str, detail: str) -> None:
        setattr(self, category, getattr(self, category) + 1)
        # Keep the rows that come first in the file, whatever order they are compared in:
        # a max-heap (negated line) of at most SAMPLE_SIZE entries.
        heap = self._samples[category]
        entry = (-line, key, detail)
        if len(heap) < SAMPLE_SIZE:
            heapq.heappush(heap, entry)
        elif line < -heap[0][0]:
            heapq.heapreplace(heap, entry)

    @property
    def samples(self) -> dict[str, list[dict]]:
        return {
            category: [
                {"line": -neg_line, "key": key, "detail": detail}
                for neg_line, key, detail in sorted(heap, reverse=True)
            ]
            for category, heap in self._samples.items()
        }

    def sorted_errors(self) -> list[list]:
        return sorted(self.errors, key=lambda error: (error[0] or 0, error[1] or ""))


class ImportRefused(Exception):
    """Raised inside the write transaction when the run found problems: rolls everything back."""

    def __init__(self, check: Check):
        super().__init__(f"{check.error_count} baris bermasalah")
        self.check = check


def _in_scope(admin: User, code: str) -> bool:
    return access.can_see(admin, code)


def _scope_label(admin: User) -> str:
    return admin.region_id or "-"


def _cell(cells: list[str], table: Table, key: str) -> str:
    index = table.columns.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Regions -------------------------------------------------------------------------------

REGION_COLUMNS = [
    Column("kode", ("kode wilayah", "kode kemendagri", "kode_wilayah"), required=True),
    Column("nama", ("nama wilayah", "nama_wilayah"), required=True),
]


class _DryRun(Exception):
    """Leaves the savepoint of a preview, carrying what regions_import would have done."""

    def __init__(self, result: regions.RegionImportResult):
        super().__init__("dry run")
        self.result = result


def regions_run(
    *, table: Table, admin: User, write: bool, progress: Progress = _no_progress
) -> Check:
    """Regions through readiness.regions.regions_import, the same code as `import_regions`.

    The preview runs regions_import itself inside a savepoint that is then rolled back, so the
    counts and the refusals shown are exactly those the apply will meet.
    """
    check = Check()
    # regions_import numbers lines by position: blank lines stand in for skipped ones.
    rows: list[list[str]] = [["kode", "nama"]]
    for line, cells in table.rows:
        check.total += 1
        code, name = _cell(cells, table, "kode"), _cell(cells, table, "nama")
        while len(rows) < line - 1:
            rows.append([])
        rows.append([code, name])
        if codes.level_of(code) is not None and not _in_scope(admin, code):
            check.add_error(
                line,
                "kode",
                _("kode %(code)s di luar wilayah Anda (%(scope)s).")
                % {"code": code, "scope": _scope_label(admin)},
            )
    progress("memeriksa", check.total, check.total)

    named = {row[0]: row[1] for row in rows[1:] if row}
    existing: dict[str, str] = {}
    for chunk in _chunks(sorted(named), 5000):
        existing.update(Region.objects.filter(code__in=chunk).values_list("code", "name"))

    if write and check.error_count:
        raise ImportRefused(check)
    try:
        with transaction.atomic():
            result = regions.regions_import(rows=rows)
            if not write:
                raise _DryRun(result)
    except regions.RegionImportError as refused:
        for message in refused.errors:
            check.add_error(*_split_region_error(message))
        if write:
            raise ImportRefused(check) from None
        return check
    except _DryRun as dry_run:
        result = dry_run.result
    if check.error_count:
        return check

    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        code, name = row
        if code not in existing:
            check.count("created", line, code, name)
        elif existing[code] != name:
            check.count("updated", line, code, f"{existing[code]} → {name}")
        else:
            check.count("unchanged", line, code, name)
    # regions_import also compares the level, which the code fixes, so the counts agree; its
    # own figures are the ones recorded.
    check.created, check.updated, check.unchanged = result.created, result.updated, result.unchanged
    progress("menyimpan" if write else "mencocokkan", check.total, check.total)
    return check


def _split_region_error(message: str) -> tuple[int | None, str | None, str]:
    head, sep, rest = message.partition(": ")
    if sep and head.startswith("baris "):
        try:
            line = int(head.removeprefix("baris "))
        except ValueError:
            return None, None, message
        column = "nama" if ("nama" in rest and "kode" not in rest.split("nama")[0]) else "kode"
        return line, column, rest
    return None, None, message


# --- TPS -----------------------------------------------------------------------------------

TPS_COLUMNS = [
    Column(
        "kode_desa",
        ("kode desa", "kode desa/kelurahan", "kode kelurahan", "kode wilayah", "desa"),
        required=True,
    ),
    Column("nomor_tps", ("nomor tps", "no tps", "no. tps", "tps", "nomor"), required=True),
    Column("dpt_laki_laki", ("dpt laki-laki", "dpt l", "dpt lk", "laki-laki", "l"), required=True),
    Column("dpt_perempuan", ("dpt p", "dpt pr", "perempuan", "p"), required=True),
    Column("jenis", ("jenis tps",)),
    Column("kerawanan", ("kerawanan tps", "tingkat kerawanan", "kategori kerawanan")),
    Column("rawan_banjir", ("banjir",)),
    Column("sulit_dijangkau", ("sulit dijangkau", "lokasi sulit")),
    Column("lintang", ("latitude", "lat")),
    Column("bujur", ("longitude", "lon", "lng", "long")),
]
TPS_FIELDS = {
    "dpt_laki_laki": "dpt_male",
    "dpt_perempuan": "dpt_female",
    "jenis": "kind",
    "kerawanan": "vulnerability",
    "rawan_banjir": "flood_prone",
    "sulit_dijangkau": "hard_to_reach",
    "lintang": "latitude",
    "bujur": "longitude",
}
_KINDS = {"reguler": TPSKind.REGULAR, "lokasi_khusus": TPSKind.SPECIAL, "loksus": TPSKind.SPECIAL}
_VULNERABILITIES = {
    "kurang_rawan": Vulnerability.LOW,
    "rawan": Vulnerability.VULNERABLE,
    "sangat_rawan": Vulnerability.HIGHLY_VULNERABLE,
}
_YES = {"ya", "y", "1", "true", "benar", "x"}
_NO = {"tidak", "t", "0", "false", "salah", "", "n", "no"}
_SIX_PLACES = Decimal("0.000001")
MAX_DPT = 2_147_483_647


def _choice_key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


class _Bad(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _integer(text: str, column: str, *, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _Bad(
            column, _("%(what)s %(value)r bukan bilangan bulat.") % {"what": what, "value": text}
        ) from None
    if value < 0 and low >= 0:
        raise _Bad(
            column, _("%(what)s tidak boleh negatif (%(value)d).") % {"what": what, "value": value}
        )
    if not low <= value <= high:
        raise _Bad(
            column,
            _("%(what)s harus antara %(low)d dan %(high)d (tertulis %(value)d).")
            % {"what": what, "low": low, "high": high, "value": value},
        )
    return value


def _flag(text: str, column: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise _Bad(column, _("isi %(value)r tidak dikenal: tulis ya atau tidak.") % {"value": text})


def _coordinate(text: str, column: str, *, limit: int) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise _Bad(column, _("%(value)r bukan angka desimal.") % {"value": text}) from None
    if not value.is_finite() or not -limit <= value <= limit:
        raise _Bad(
            column,
            _("%(value)s di luar rentang −%(limit)d…%(limit)d.") % {"value": text, "limit": limit},
        )
    return value.quantize(_SIX_PLACES)


def _tps_values(cells: list[str], table: Table) -> tuple[str, int, dict]:
    desa = _cell(cells, table, "kode_desa")
    if codes.level_of(desa) != RegionLevel.DESA:
        raise _Bad(
            "kode_desa",
            _("kode desa %(code)r tidak sah (contoh yang benar: 64.71.06.1001).") % {"code": desa},
        )
    number = _integer(
        _cell(cells, table, "nomor_tps"), "nomor_tps", low=1, high=999, what=_("Nomor TPS")
    )
    values: dict = {}
    for key, what in (("dpt_laki_laki", _("DPT laki-laki")), ("dpt_perempuan", _("DPT perempuan"))):
        values[TPS_FIELDS[key]] = _integer(
            _cell(cells, table, key) or "0", key, low=0, high=MAX_DPT, what=what
        )
    if table.has("jenis"):
        text = _cell(cells, table, "jenis")
        kind = _KINDS.get(_choice_key(text)) if text else TPSKind.REGULAR
        if kind is None:
            raise _Bad(
                "jenis",
                _("jenis %(value)r tidak dikenal: reguler atau lokasi_khusus.") % {"value": text},
            )
        values["kind"] = str(kind)
    if table.has("kerawanan"):
        text = _cell(cells, table, "kerawanan")
        level = _VULNERABILITIES.get(_choice_key(text)) if text else Vulnerability.LOW
        if level is None:
            raise _Bad(
                "kerawanan",
                _("kerawanan %(value)r tidak dikenal: kurang_rawan, rawan atau sangat_rawan.")
                % {"value": text},
            )
        values["vulnerability"] = str(level)
    for key in ("rawan_banjir", "sulit_dijangkau"):
        if table.has(key):
            values[TPS_FIELDS[key]] = _flag(_cell(cells, table, key), key)
    if table.has("lintang"):
        values["latitude"] = _coordinate(_cell(cells, table, "lintang"), "lintang", limit=90)
    if table.has("bujur"):
        values["longitude"] = _coordinate(_cell(cells, table, "bujur"), "bujur", limit=180)
    return desa, number, values


def _tps_detail(values: dict) -> str:
    parts = [f"DPT {values['dpt_male']} L + {values['dpt_female']} P"]
    if "vulnerability" in values:
        parts.append(values["vulnerability"])
    return ", ".join(parts)


_FIELD_HEADERS = {field_name: key for key, field_name in TPS_FIELDS.items()}


def tps_run(*, table: Table, admin: User, write: bool, progress: Progress = _no_progress) -> Check:
    """TPS keyed by (desa, number). Set-based: two queries per DESA_CHUNK desa, batched upserts.

    Columns after the four required ones are optional; when one is absent from the file, the
    field keeps its value on existing TPS and takes the model default on new ones.
    """
    check = Check()
    present = [TPS_FIELDS[key] for key in TPS_FIELDS if table.has(key)]
    # desa → number → (line, values); desa codes interned so 435,000 rows share ~84,000 strings.
    by_desa: dict[str, dict[int, tuple[int, dict]]] = defaultdict(dict)
    for line, cells in table.rows:
        check.total += 1
        if check.total % PROGRESS_EVERY == 0:
            progress("memeriksa", check.total, 0)
        try:
            desa, number, values = _tps_values(cells, table)
        except _Bad as bad:
            check.add_error(line, bad.column, bad.message)
            continue
        if not _in_scope(admin, desa):
            check.add_error(
                line,
                "kode_desa",
                _("desa %(code)s di luar wilayah Anda (%(scope)s).")
                % {"code": desa, "scope": _scope_label(admin)},
            )
            continue
        numbers = by_desa[desa]
        if number in numbers:
            check.add_error(
                line,
                "nomor_tps",
                _(
                    "TPS %(number)03d desa %(desa)s sudah ada di baris %(first)d (baris %(line)d dan %(first)d sama)."
                )
                % {"number": number, "desa": desa, "first": numbers[number][0], "line": line},
            )
            continue
        numbers[number] = (line, values)

    compared = 0
    new_objects: list[TPS] = []
    for chunk in _chunks(sorted(by_desa), DESA_CHUNK):
        known = set(
            Region.objects.filter(level=RegionLevel.DESA, code__in=chunk).values_list(
                "code", flat=True
            )
        )
        existing = {
            (row[0], row[1]): row[2:]
            for row in TPS.objects.filter(desa_id__in=chunk).values_list(
                "desa_id", "number", "dpt_male", "dpt_female", *present[2:]
            )
        }
        for desa in chunk:
            numbers = by_desa[desa]
            if desa not in known:
                for line, _values in numbers.values():
                    check.add_error(
                        line,
                        "kode_desa",
                        _(
                            "desa/kelurahan %(code)s tidak ada di daftar wilayah; impor daftar "
                            "wilayah Kemendagri terlebih dahulu."
                        )
                        % {"code": desa},
                    )
                continue
            for number, (line, values) in numbers.items():
                key = f"{desa} · TPS {number:03d}"
                old = existing.get((desa, number))
                new = tuple(values[name] for name in present)
                if old is None:
                    check.count("created", line, key, _tps_detail(values))
                elif tuple(old) != new:
                    changes = "; ".join(
                        f"{_FIELD_HEADERS[name]} {_shown(before)} → {_shown(after)}"
                        for name, before, after in zip(present, old, new, strict=True)
                        if before != after
                    )
                    check.count("updated", line, key, changes)
                else:
                    check.count("unchanged", line, key, _tps_detail(values))
                    continue
                if write and not check.error_count:
                    new_objects.append(TPS(desa_id=desa, number=number, **values))
        compared += sum(len(by_desa[desa]) for desa in chunk)
        if write and not check.error_count and len(new_objects) >= WRITE_BATCH:
            _tps_upsert(new_objects, present)
            new_objects = []
        progress("menyimpan" if write else "mencocokkan", compared, check.total)
    if write and not check.error_count and new_objects:
        _tps_upsert(new_objects, present)
    if write and check.error_count:
        raise ImportRefused(check)
    return check


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return "-" if value is None else str(value)


def _tps_upsert(objects: list[TPS], present: list[str]) -> None:
    # One statement per batch inserts the new TPS and updates the changed ones on the
    # (desa, number) unique constraint; only the file's columns are overwritten.
    TPS.objects.bulk_create(
        objects,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["desa", "number"],
        update_fields=present,
    )


# --- Users ---------------------------------------------------------------------------------

USER_COLUMNS = [
    Column("username", ("nama pengguna", "nama_pengguna", "user"), required=True),
    Column("nama_lengkap", ("nama lengkap", "nama"), required=True),
    Column("email", ("surel", "e-mail", "alamat email")),
    Column("telepon", ("no hp", "nomor hp", "hp", "nomor telepon", "telp")),
    Column("peran", ("role",), required=True),
    Column("kode_wilayah", ("wilayah", "kode wilayah", "wilayah tugas"), required=True),
]
_ROLES = {
    "officer": Role.OFFICER,
    "petugas": Role.OFFICER,
    "petugas_desk": Role.OFFICER,
    "viewer": Role.VIEWER,
    "pimpinan": Role.VIEWER,
    "pimpinan_(lihat)": Role.VIEWER,
    "admin": Role.ADMIN,
}
USER_FIELDS = ("first_name", "last_name", "email", "phone", "role", "region_id")


def _user_values(cells: list[str], table: Table, admin: User) -> tuple[str, dict]:
    username = _cell(cells, table, "username")
    try:
        if not username:
            raise ValidationError(_("username kosong."))
        User.username_validator(username)
    except ValidationError as error:
        raise _Bad(
            "username",
            _("username %(value)r tidak sah: %(reason)s")
            % {"value": username, "reason": " ".join(error.messages)},
        ) from None
    if len(username) > 150:
        raise _Bad("username", _("username lebih dari 150 karakter."))
    full_name = _cell(cells, table, "nama_lengkap")
    if not full_name or len(full_name) > 150:
        raise _Bad("nama_lengkap", _("nama lengkap harus diisi (paling banyak 150 karakter)."))
    email = _cell(cells, table, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _Bad("email", _("alamat email %(value)r tidak sah.") % {"value": email}) from None
    phone = _cell(cells, table, "telepon")
    if len(phone) > 32:
        raise _Bad("telepon", _("nomor telepon lebih dari 32 karakter."))
    role_text = _cell(cells, table, "peran")
    role = _ROLES.get(_choice_key(role_text))
    if role is None:
        raise _Bad(
            "peran",
            _("peran %(value)r tidak dikenal: officer, viewer atau admin.") % {"value": role_text},
        )
    region = _cell(cells, table, "kode_wilayah")
    if not region:
        if role != Role.ADMIN or admin.region_id is not None:
            raise _Bad("kode_wilayah", _("kode wilayah harus diisi untuk peran ini."))
    elif codes.level_of(region) is None:
        raise _Bad("kode_wilayah", _("kode wilayah %(code)r tidak sah.") % {"code": region})
    elif not _in_scope(admin, region):
        raise _Bad(
            "kode_wilayah",
            _("wilayah %(code)s di luar wilayah Anda (%(scope)s).")
            % {"code": region, "scope": _scope_label(admin)},
        )
    # The whole name goes into first_name: get_full_name() gives it back unchanged on export.
    return username, {
        "first_name": full_name,
        "last_name": "",
        "email": email,
        "phone": phone,
        "role": str(role),
        "region_id": region or None,
    }


def users_run(
    *, table: Table, admin: User, write: bool, progress: Progress = _no_progress
) -> Check:
    """Desk users keyed by username. New users get no password: they are invited instead."""
    check = Check()
    rows: dict[str, tuple[int, dict]] = {}
    for line, cells in table.rows:
        check.total += 1
        try:
            username, values = _user_values(cells, table, admin)
        except _Bad as bad:
            check.add_error(line, bad.column, bad.message)
            continue
        if username in rows:
            first = rows[username][0]
            check.add_error(
                line,
                "username",
                _(
                    "username %(name)s sudah ada di baris %(first)d (baris %(line)d dan %(first)d sama)."
                )
                % {"name": username, "first": first, "line": line},
            )
            continue
        rows[username] = (line, values)
    progress("memeriksa", check.total, check.total)

    region_codes = {values["region_id"] for _line, values in rows.values() if values["region_id"]}
    known = set(Region.objects.filter(code__in=region_codes).values_list("code", flat=True))
    existing = {user.username: user for user in User.objects.filter(username__in=list(rows))}
    to_create: list[User] = []
    to_update: list[User] = []
    for username, (line, values) in rows.items():
        if values["region_id"] and values["region_id"] not in known:
            check.add_error(
                line,
                "kode_wilayah",
                _("wilayah %(code)s tidak ada di daftar wilayah.") % {"code": values["region_id"]},
            )
            continue
        user = existing.get(username)
        label = f"{username} ({values['first_name']})"
        detail = f"{values['role']} · {values['region_id'] or '-'}"
        if user is None:
            check.count("created", line, label, detail)
            to_create.append(User(username=username, password=make_password(None), **values))
            continue
        if (user.region_id is None and admin.region_id is not None) or (
            user.region_id and not _in_scope(admin, user.region_id)
        ):
            check.add_error(
                line,
                "username",
                _("pengguna %(name)s sudah terdaftar di luar wilayah Anda; hubungi admin nasional.")
                % {"name": username},
            )
            continue
        before = {name: getattr(user, name) for name in USER_FIELDS}
        if before == values:
            check.count("unchanged", line, label, detail)
            continue
        changes = "; ".join(
            f"{name.removesuffix('_id')} {before[name] or '-'} → {values[name] or '-'}"
            for name in USER_FIELDS
            if before[name] != values[name]
        )
        check.count("updated", line, label, changes)
        for name, value in values.items():
            setattr(user, name, value)
        to_update.append(user)

    if not write:
        return check
    if check.error_count:
        raise ImportRefused(check)
    User.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    User.objects.bulk_update(to_update, fields=list(USER_FIELDS), batch_size=WRITE_BATCH)
    created_ids = list(
        User.objects.filter(username__in=[user.username for user in to_create]).values_list(
            "pk", flat=True
        )
    )
    check.result = {"invited": created_ids}
    progress("menyimpan", check.total, check.total)
    return check


RUNNERS = {"wilayah": regions_run, "tps": tps_run, "pengguna": users_run}
COLUMNS = {"wilayah": REGION_COLUMNS, "tps": TPS_COLUMNS, "pengguna": USER_COLUMNS}
