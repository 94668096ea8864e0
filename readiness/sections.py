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


@dataclass(frozen=True)
class ReportSection:
    key: str
    # Problems that keep the report from being submitted, in Bahasa Indonesia; [] when ready.
    submit_problems: Callable[[DailyReport], list[str]]


_sections: dict[str, ReportSection] = {}


def register(section: ReportSection) -> None:
    _sections[section.key] = section


def registered() -> list[ReportSection]:
    return list(_sections.values())


def submit_problems(report: DailyReport) -> list[str]:
    return [problem for section in registered() for problem in section.submit_problems(report)]
