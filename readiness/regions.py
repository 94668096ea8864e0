"""Loading the official Kemendagri region list (``kode,nama``).

The list is the authority for codes and names; activity flags and province time zones set by an
admin are left alone on re-import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from . import codes
from .models import Region

_BATCH_SIZE = 5000
MAX_LISTED_ERRORS = 50


@dataclass(frozen=True)
class RegionImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass
class RegionImportError(Exception):
    """The file was refused; nothing was written. `errors` name the line of each problem."""

    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.errors[:MAX_LISTED_ERRORS]
        more = len(self.errors) - len(shown)
        lines = [f"{len(self.errors)} baris bermasalah; tidak ada yang diimpor.", *shown]
        if more:
            lines.append(f"… dan {more} kesalahan lain.")
        return "\n".join(lines)


def regions_import(*, rows: Iterable[list[str]]) -> RegionImportResult:
    """Upsert regions from CSV rows (header first). All or nothing, idempotent.

    Parents are derived from the codes; a parent may come earlier or later in the same file or
    already be in the database. A second import of the same file changes nothing.
    """
    parsed, errors = _parse(rows)
    existing = {
        code: (name, level)
        for code, name, level in Region.objects.values_list("code", "name", "level")
    }
    codes_in_file = {code for _line, code, _name in parsed}
    for line_number, code, _name in parsed:
        parent = codes.parent_code(code)
        if parent is not None and parent not in existing and parent not in codes_in_file:
            errors.append(
                f"baris {line_number}: induk {parent!r} dari kode {code!r} tidak ada di berkas "
                "maupun di basis data."
            )
    if errors:
        raise RegionImportError(errors)

    changed = [
        Region(
            code=code,
            name=name,
            level=codes.level_of(code),
            parent_id=codes.parent_code(code),
            timezone=(codes.default_zone_for_province(code) if codes.level_of(code) == 1 else ""),
        )
        for _line, code, name in parsed
        if existing.get(code) != (name, codes.level_of(code))
    ]
    created = sum(1 for region in changed if region.code not in existing)
    # Parents first, so the foreign key holds on databases that check it row by row.
    changed.sort(key=lambda region: region.level)
    with transaction.atomic():
        Region.objects.bulk_create(
            changed,
            batch_size=_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
    return RegionImportResult(
        created=created,
        updated=len(changed) - created,
        unchanged=len(parsed) - len(changed),
    )


def _parse(rows: Iterable[list[str]]) -> tuple[list[tuple[int, str, str]], list[str]]:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or [cell.strip().lower() for cell in header[:2]] != ["kode", "nama"]:
        return [], ["baris 1: kepala kolom harus 'kode,nama'."]

    parsed: list[tuple[int, str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line_number, row in enumerate(iterator, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            errors.append(f"baris {line_number}: kolom nama kosong.")
            continue
        code, name = row[0].strip(), row[1].strip()
        if codes.level_of(code) is None:
            errors.append(
                f"baris {line_number}: kode {code!r} tidak sah (contoh yang benar: 64, 64.71, "
                "64.71.06, 64.71.06.1001)."
            )
            continue
        if not name:
            errors.append(f"baris {line_number}: nama untuk kode {code!r} kosong.")
            continue
        if code in seen:
            errors.append(f"baris {line_number}: kode {code!r} sudah ada di baris {seen[code]}.")
            continue
        seen[code] = line_number
        parsed.append((line_number, code, name))
    return parsed, errors


def read_region_csv(path: str) -> list[list[str]]:
    """Read a region CSV file, accepting UTF-8 with or without a byte-order mark."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise RegionImportError(
            [f"berkas bukan UTF-8 (byte ke-{exc.start}); simpan ulang sebagai CSV UTF-8."]
        ) from exc
