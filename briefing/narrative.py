"""The dashboard in sentences, as a Sekda says them at the morning meeting.

Every sentence is computed from the same Dashboard the table shows, never from a query of its
own, so the words cannot disagree with the figures. Pure functions: tests build Dashboards by
hand (tests/briefing/test_narrative.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readiness.models import RegionLevel
from security.models import Severity

from .selectors import Dashboard, DashboardRow

# Up to this many names are listed in full ("A, B dan C"); beyond it the first few are named
# and the rest counted ("A, B, C dan 4 lainnya"): a sentence read aloud must stay short.
NAMES_IN_FULL = 5
NAMES_WHEN_CUT = 3


def number(value: int) -> str:
    """6264 → "6.264" (in Indonesian; the active language's grouping otherwise)."""
    return formats.number_format(value, force_grouping=True)


def percent(value: float) -> str:
    """81.66 → "81,7" (rounded half up to one decimal, not truncated)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, 1, force_grouping=True)


def names_joined(names: Sequence[str]) -> str:
    """["A"] → "A"; ["A", "B", "C"] → "A, B dan C"; eight names → "A, B, C dan 5 lainnya"."""
    names = list(names)
    if len(names) > NAMES_IN_FULL:
        shown, rest = names[:NAMES_WHEN_CUT], len(names) - NAMES_WHEN_CUT
        return _("%(names)s dan %(count)s lainnya") % {
            "names": ", ".join(shown),
            "count": number(rest),
        }
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s dan %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def dashboard_narrative(dashboard: Dashboard) -> list[str]:
    """Sentences in the active language (Bahasa Indonesia first), most urgent facts first."""
    sentences = [
        *_countdown_sentences(dashboard),
        _coverage_sentence(dashboard),
        _tps_sentence(dashboard.totals),
        _logistics_sentence(dashboard),
        _personnel_sentence(dashboard.totals),
        *_incident_sentences(dashboard),
    ]
    return [sentence for sentence in sentences if sentence]


def _countdown_sentences(dashboard: Dashboard) -> list[str]:
    sentences = []
    seen = set()
    for countdown in dashboard.countdowns:
        voting_day = countdown.contest.voting_day
        if voting_day in seen:
            continue  # a governor and a mayor voting the same day: one sentence
        seen.add(voting_day)
        day = formats.date_format(voting_day, "j F Y")
        if countdown.days_left > 0:
            sentences.append(
                _("%(label)s menuju pemungutan suara %(day)s.")
                % {"label": countdown.label, "day": day}
            )
        elif countdown.days_left == 0:
            sentences.append(_("Hari ini (H) pemungutan suara %(day)s.") % {"day": day})
        else:
            sentences.append(
                _("%(label)s setelah pemungutan suara %(day)s.")
                % {"label": countdown.label, "day": day}
            )
    return sentences


def coverage_sentence(dashboard: Dashboard) -> str:
    """ "7 dari 10 kabupaten/kota telah melapor hari ini; belum: A, B dan C; terlambat: D."

    The page shows it under the header too, so it is public.
    """
    return _coverage_sentence(dashboard)


def _when(dashboard: Dashboard) -> str:
    if dashboard.is_today:
        return _("hari ini")
    return _("pada %(day)s") % {"day": formats.date_format(dashboard.day, "j F Y")}


def _coverage_sentence(dashboard: Dashboard) -> str:
    if dashboard.region.level >= RegionLevel.KECAMATAN:
        # Desa have no desk of their own: the kecamatan's own report is what counts.
        status = dashboard.totals.report_status
        if status == "tidak_wajib":
            return ""
        if status == "belum":
            return _("Desk kecamatan belum mengirim laporan %(when)s.") % {"when": _when(dashboard)}
        if status == "terlambat":
            return _("Desk kecamatan telah melapor %(when)s, terlambat.") % {
                "when": _when(dashboard)
            }
        return _("Desk kecamatan telah melapor %(when)s.") % {"when": _when(dashboard)}
    coverage = dashboard.coverage
    children = dashboard.children_label
    expected = len(coverage.expected)
    if not expected:
        return _("Tidak ada %(children)s yang wajib melapor %(when)s.") % {
            "children": children,
            "when": _when(dashboard),
        }
    if not coverage.missing:
        sentence = _("Semua %(count)s %(children)s telah melapor %(when)s") % {
            "count": number(expected),
            "children": children,
            "when": _when(dashboard),
        }
    else:
        sentence = _(
            "%(reported)s dari %(expected)s %(children)s telah melapor %(when)s; belum: %(names)s"
        ) % {
            "reported": number(len(coverage.reported)),
            "expected": number(expected),
            "children": children,
            "when": _when(dashboard),
            "names": names_joined(coverage.missing),
        }
    if coverage.late:
        sentence += _("; terlambat: %(names)s") % {"names": names_joined(coverage.late)}
    return sentence + "."


def _tps_sentence(totals: DashboardRow) -> str:
    if not totals.tps_total:
        return _("Belum ada TPS aktif yang terdaftar.")
    ready = _("TPS siap %(ready)s dari %(total)s (%(percent)s%%)") % {
        "ready": number(totals.tps_ready),
        "total": number(totals.tps_total),
        "percent": percent(totals.tps_ready_percent),
    }
    if totals.tps_problem:
        problem = ngettext(
            "%(count)s TPS bermasalah", "%(count)s TPS bermasalah", totals.tps_problem
        ) % {"count": number(totals.tps_problem)}
    else:
        problem = _("tidak ada TPS bermasalah")
    return f"{ready}; {problem}."


def _logistics_sentence(dashboard: Dashboard) -> str:
    if dashboard.region.level >= RegionLevel.KECAMATAN:
        # Completeness is counted per kecamatan: a desa has no logistics figure of its own.
        if not dashboard.items:
            return ""
        done = all(item.is_complete for item in dashboard.items)
        return (
            _("Logistik di kecamatan ini lengkap.")
            if done
            else _("Logistik di kecamatan ini belum lengkap.")
        )
    if not dashboard.has_logistics:
        return _("Belum ada data logistik %(when)s.") % {"when": _when(dashboard)}
    rows = dashboard.rows
    complete = dashboard.logistics_complete_rows
    children = dashboard.children_label
    if not complete:
        return _("Belum ada %(children)s dengan logistik lengkap.") % {"children": children}
    if len(complete) == len(rows):
        return _("Logistik lengkap di semua %(count)s %(children)s.") % {
            "count": number(len(rows)),
            "children": children,
        }
    return _(
        "Logistik lengkap di %(complete)s dari %(total)s %(children)s (%(names)s); "
        "%(rest)s lainnya masih dalam proses."
    ) % {
        "complete": number(len(complete)),
        "total": number(len(rows)),
        "children": children,
        "names": names_joined([row.name for row in complete]),
        "rest": number(len(rows) - len(complete)),
    }


def _personnel_sentence(totals: DashboardRow) -> str:
    if not totals.personnel_required:
        return ""
    return _("Personel siap %(ready)s dari %(required)s yang dibutuhkan (%(percent)s%%).") % {
        "ready": number(totals.personnel_ready),
        "required": number(totals.personnel_required),
        "percent": percent(totals.personnel_percent),
    }


def _incident_sentences(dashboard: Dashboard) -> list[str]:
    totals = dashboard.totals
    if not totals.incidents_open_total:
        return [_("Tidak ada insiden yang masih terbuka.")]
    sentences = []
    for severity in (Severity.CRITICAL, Severity.HIGH):
        count = totals.incidents_open.get(severity, 0)
        if not count:
            continue
        where = sorted(
            (row for row in dashboard.rows if row.incidents_open.get(severity)),
            key=lambda row: (-row.incidents_open[severity], row.code),
        )
        sentences.append(
            ngettext(
                "%(count)s insiden tingkat %(severity)s masih terbuka (%(where)s).",
                "%(count)s insiden tingkat %(severity)s masih terbuka (%(where)s).",
                count,
            )
            % {
                "count": number(count),
                "severity": Severity(severity).label.lower(),
                "where": names_joined(
                    [f"{row.name} {number(row.incidents_open[severity])}" for row in where]
                ),
            }
        )
    lesser = totals.incidents_open.get(Severity.LOW, 0) + totals.incidents_open.get(
        Severity.INFO, 0
    )
    if lesser:
        sentences.append(
            ngettext(
                "%(count)s insiden tingkat rendah atau info masih terbuka.",
                "%(count)s insiden tingkat rendah atau info masih terbuka.",
                lesser,
            )
            % {"count": number(lesser)}
        )
    return sentences
