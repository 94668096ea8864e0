"""Sections of the daily report that other apps own (logistics, personnel, incidents).

readiness never imports those apps: each registers itself here from its AppConfig.ready(), and
the report's services ask every registered section before a report is submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
