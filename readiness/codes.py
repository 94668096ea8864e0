"""Kemendagri dotted region codes: the natural key of every region.

A code carries its own ancestry (``64.71.06.1001`` lies in ``64.71.06``, ``64.71`` and ``64``),
so parents, ancestors and subtrees are derived from the string, never looked up row by row.
"""

from __future__ import annotations

import re

# One pattern per level, in order: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.
_LEVEL_PATTERNS = (
    re.compile(r"\d{2}"),
    re.compile(r"\d{2}\.\d{2}"),
    re.compile(r"\d{2}\.\d{2}\.\d{2}"),
    re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
)
CODE_MAX_LENGTH = 13

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
ZONE_LABELS = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}
# Province code → zone (DOMAIN.md). Province codes not listed fall back to WIB at import and
# can be corrected in the admin.
_PROVINCE_ZONES = {
    **dict.fromkeys(("51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"), WITA),
    **dict.fromkeys(("81", "82", "91", "92", "93", "94", "95", "96"), WIT),
}


def level_of(code: str) -> int | None:
    """1 for a provinsi … 4 for a desa/kelurahan; None when the code is malformed."""
    for level, pattern in enumerate(_LEVEL_PATTERNS, start=1):
        if pattern.fullmatch(code):
            return level
    return None


def parent_code(code: str) -> str | None:
    head, dot, _ = code.rpartition(".")
    return head if dot else None


def ancestor_codes(code: str) -> list[str]:
    """Ancestors from the province down, the code itself excluded."""
    parts = code.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts))]


def province_code(code: str) -> str:
    return code.split(".", 1)[0]


def code_length_at_level(level: int) -> int:
    """Length of the prefix that names the level-`level` ancestor (2, 5, 8 or 13 characters)."""
    return (2, 5, 8, 13)[level - 1]


def default_zone_for_province(code: str) -> str:
    return _PROVINCE_ZONES.get(code, WIB)


def is_kota(code: str) -> bool:
    """Kab/kota digits 01–69 are kabupaten, 71–99 kota."""
    return level_of(code) == 2 and int(code[3:5]) >= 71
