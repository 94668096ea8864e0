"""Sections of the daily report that other apps own (logistics, personnel, incidents).

readiness never imports those apps: each registers itself here from its AppConfig.ready(), and
the report's services ask every registered section before a report is submitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import DailyReport


def _nothing_blocks(report: DailyReport) -> list[str]:
    return []


@dataclass(frozen=True)
class ReportSection:
    key: str
    # Problems that keep the report from being submitted, in Bahasa Indonesia; [] when ready.
    submit_problems: Callable[[DailyReport], list[str]] = _nothing_blocks
    # Shown on the report page as a link to the section's own page (reversed with the code).
    title: str = ""
    url_name: str = ""
    order: int = 100
    # Region levels whose desks fill the section (1 provinsi, 2 kab/kota, 3 kecamatan).
    levels: tuple[int, ...] = (1, 2, 3)
    # The section's page answers htmx with a fragment for ?tanggal=YYYY-MM-DD that the report
    # page embeds (the incidents of the report's day).
    embed_on_report: bool = False
    # The section's share of the rollup engine (readiness.rollups calls it in the same
    # transaction as its own figures):
    # rollup(region_codes=[...], day=D) recomputes, from source, the section's rollup rows of
    # those regions for day D and upserts them. The regions are all of one level (a rebuild
    # passes every kecamatan, then every kab/kota, then every provinsi) or of several (one
    # submission's chain: its kecamatan, kab/kota and provinsi at once; readiness.rollups.Targets
    # groups and folds for both). A handful of set-based queries however many regions are
    # given; idempotent, safe to run twice at once.
    # A chain may come with borrowed={upper region: its children outside the chain}: those
    # regions are their own desk's share (read from source) plus the sum of the children's
    # stored rows (readiness.rollups.Targets.stored_children), every figure being additive.
    rollup: Callable[..., None] | None = None
    # rollup_figures(region_codes=[...], day=D) -> {region code: {figure: value}}: the section's
    # rolled-up figures as flat JSON-safe values, in a fixed number of queries. Snapshots freeze
    # them (as "<key>.<figure>") and compare them, the read API returns them.
    rollup_figures: Callable[..., dict[str, dict[str, Any]]] | None = None


# Sent to the browser (HX-Trigger) when any part of a report is saved, so that the pages that
# show it refresh at once.
REPORT_SAVED_EVENT = "report-saved"

_sections: dict[str, ReportSection] = {}


def register(section: ReportSection) -> None:
    _sections[section.key] = section


def registered() -> list[ReportSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def submit_problems(report: DailyReport) -> list[str]:
    return [problem for section in registered() for problem in section.submit_problems(report)]


def linked_for_level(level: int) -> list[ReportSection]:
    """The sections with a page of their own that a desk of `level` fills."""
    return [section for section in registered() if section.url_name and level in section.levels]


def rolled_up() -> list[ReportSection]:
    """The sections that keep rollups of their own."""
    return [section for section in registered() if section.rollup is not None]


def section_rollup(
    *,
    region_codes: Sequence[str],
    day: dt.date,
    borrowed: Mapping[str, Sequence[str]] | None = None,
) -> None:
    if region_codes:
        for section in rolled_up():
            section.rollup(region_codes=region_codes, day=day, borrowed=borrowed)


def section_rollup_figures(*, region_codes: Sequence[str], day: dt.date) -> dict[str, dict]:
    """{region code: {"<section>.<figure>": value}} over every section that keeps rollups."""
    merged: dict[str, dict[str, Any]] = {code: {} for code in region_codes}
    for section in registered():
        if section.rollup_figures is None or not region_codes:
            continue
        for code, figures in section.rollup_figures(region_codes=region_codes, day=day).items():
            merged.setdefault(code, {}).update(
                {f"{section.key}.{name}": value for name, value in figures.items()}
            )
    return merged
