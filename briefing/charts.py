"""The briefing's three trend charts as server-side SVG: geometry here, markup in templates.

Why neither pygal nor matplotlib: both were considered. matplotlib brings numpy and some
40 MB into the image, writes its labels as glyph paths or with its own font handling, and has
no way to put `role`, `aria-label` or per-point `<title>` on what it draws without rewriting its
output. pygal's SVG is built for its JavaScript tooltips (loaded from a CDN unless switched off)
and styles through embedded CSS that WeasyPrint renders only in part. The charts we need are
two percentage lines and one stacked bar chart; about two hundred lines of arithmetic, rendered
by `briefing/_chart.html`, give exactly the markup we want: a `viewBox` that scales to any width
(a phone, a projector, A4), real `<text>` in the page's font that prints and can be read by a
screen reader, Indonesian dates and numbers, and nothing fetched from anywhere.

Functions here are pure: they take `trends.Trends` and return frozen data, no queries.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from .trends import Trends

# Width and height of the drawing in SVG units. The SVG is 100% wide and keeps this ratio; at
# 480 units a 14-unit label is still 10 px on a 360 px phone and large on a projector.
WIDTH, HEIGHT = 480, 260
# The right margin leaves room for half of the last date label, centred on the last day.
LEFT, RIGHT, TOP, BOTTOM = 46, 28, 14, 40
# Where every chart draws: the same box in the same viewBox, so the charts line up.
PLOT_FRAME = {
    "width": WIDTH,
    "height": HEIGHT,
    "plot_left": LEFT,
    "plot_right": WIDTH - RIGHT,
    "plot_top": TOP,
    "plot_bottom": HEIGHT - BOTTOM,
}
FONT_SIZE = 14
MAX_X_LABELS = 6
# Okabe–Ito: told apart by people with the common colour-vision deficiencies, and in grey print.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
# More categories than this and the smallest are drawn together as "Lainnya".
MAX_CATEGORIES = 6
OTHER_COLOR = "#999999"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str  # the point's tooltip: "26 Nov: 72,5%"


@dataclass(frozen=True)
class Line:
    name: str
    color: str
    # Each run of consecutive days with a value, as an SVG points string; a day without a
    # figure breaks the line rather than being drawn as zero.
    segments: tuple[str, ...]
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


@dataclass(frozen=True)
class LegendEntry:
    name: str
    color: str


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: element ids derive from it
    title: str
    # The chart's figures in words: the aria-label and <desc>, what a screen reader says.
    summary: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...] = ()
    bars: tuple[Bar, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    # A vertical marker (the voting day) and its label, if it falls in the period.
    marker_x: float | None = None
    marker_label: str = ""
    is_empty: bool = False
    font_size: int = FONT_SIZE

    @property
    def title_id(self) -> str:
        return f"{self.key}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.key}-desc"

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + self.font_size + 6

    @property
    def y_label_x(self) -> float:
        return self.plot_left - 6


def day_label(day: dt.date) -> str:
    """ "27 Nov": the active language's short month (Indonesian: Agu, Okt, Des)."""
    return formats.date_format(day, "j M")


def period_label(first: dt.date, last: dt.date) -> str:
    return f"{formats.date_format(first, 'j M')} – {formats.date_format(last, 'j M Y')}"


def percent_label(value: float) -> str:
    """72,5% in Indonesian, 72.5% in English: one decimal rounded half up, as the dashboard
    table's floatformat shows it (number_format alone would cut 16,67 to 16,6)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{formats.number_format(rounded, 1, use_l10n=True)}%"


def count_label(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def trend_charts(trends: Trends, *, key_prefix: str = "chart") -> tuple[Chart, Chart, Chart]:
    """The three charts of a briefing: TPS siap %, logistics received at the TPS %, incidents."""
    prefix = f"{key_prefix}-{trends.region_code.replace('.', '-')}"
    return (
        percent_chart(
            trends,
            key=f"{prefix}-tps",
            title=_("TPS siap per hari"),
            name=_("TPS siap"),
            values=trends.tps_ready_percent,
            color=PALETTE[0],
        ),
        percent_chart(
            trends,
            key=f"{prefix}-logistik",
            title=_("Logistik diterima di TPS (KPPS) per hari"),
            name=_("Logistik diterima KPPS"),
            values=trends.logistics_percent,
            color=PALETTE[2],
        ),
        incident_chart(trends, key=f"{prefix}-insiden"),
    )


def _x_positions(count: int) -> list[float]:
    left, right = LEFT, WIDTH - RIGHT
    if count == 1:
        return [(left + right) / 2]
    step = (right - left) / (count - 1)
    return [round(left + index * step, 1) for index in range(count)]


def _bar_slots(count: int) -> tuple[list[float], float]:
    """Centres of `count` equal slots across the plot, and the slot width."""
    left, right = LEFT, WIDTH - RIGHT
    slot = (right - left) / count
    return [round(left + slot * (index + 0.5), 1) for index in range(count)], slot


def _x_ticks(days: tuple[dt.date, ...], positions: list[float]) -> tuple[Tick, ...]:
    """At most MAX_X_LABELS dates, counted back from the last day so that it is always labelled."""
    step = max(1, math.ceil(len(days) / MAX_X_LABELS))
    last = len(days) - 1
    return tuple(
        Tick(positions[index], day_label(days[index]))
        for index in range(len(days))
        if (last - index) % step == 0
    )


def _y(value: float, top: float) -> float:
    """SVG y of `value` on a 0…top scale (y grows downwards)."""
    plot_top, plot_bottom = TOP, HEIGHT - BOTTOM
    return round(plot_bottom - (value / top) * (plot_bottom - plot_top), 1)


def _marker(trends: Trends, positions: list[float]) -> tuple[float | None, str]:
    if trends.voting_day is None:
        return None, ""
    return positions[trends.days.index(trends.voting_day)], _("Hari H")


def percent_chart(
    trends: Trends,
    *,
    key: str,
    title: str,
    name: str,
    values: tuple[float | None, ...],
    color: str,
) -> Chart:
    positions = _x_positions(len(trends.days))
    segments: list[list[str]] = []
    markers = []
    previous = None
    for day, x, value in zip(trends.days, positions, values, strict=True):
        if value is None:
            previous = None
            continue
        y = _y(value, 100)
        if previous is None:
            segments.append([])
        segments[-1].append(f"{x},{y}")
        markers.append(Marker(x, y, f"{day_label(day)}: {percent_label(value)}"))
        previous = value
    known = [
        f"{day_label(day)} {percent_label(value)}"
        for day, value in zip(trends.days, values, strict=True)
        if value is not None
    ]
    period = period_label(trends.first_day, trends.last_day)
    if known:
        summary = _("%(title)s, %(period)s: %(figures)s.") % {
            "title": title,
            "period": period,
            "figures": "; ".join(known),
        }
        missing = len(trends.days) - len(known)
        if missing:
            summary += " " + _("Tanpa data: %(count)s hari.") % {"count": missing}
    else:
        summary = _("%(title)s, %(period)s: belum ada data.") % {"title": title, "period": period}
    marker_x, marker_label = _marker(trends, positions)
    return Chart(
        key=key,
        title=title,
        summary=summary,
        **PLOT_FRAME,
        y_ticks=tuple(Tick(_y(value, 100), f"{value}%") for value in (0, 25, 50, 75, 100)),
        x_ticks=_x_ticks(trends.days, positions),
        lines=(
            Line(
                name=name,
                color=color,
                segments=tuple(" ".join(points) for points in segments),
                markers=tuple(markers),
            ),
        ),
        legend=(LegendEntry(name, color),),
        marker_x=marker_x,
        marker_label=marker_label,
        is_empty=not known,
    )


def _nice_top(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above `value`, at least 5: five whole steps."""
    value = max(value, 5)
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def incident_chart(trends: Trends, *, key: str) -> Chart:
    """Incidents that occurred each day, stacked by category (the largest categories first)."""
    title = _("Insiden per hari menurut kategori")
    series = sorted(trends.incidents, key=lambda line: -sum(line.counts))
    shown = series if len(series) <= MAX_CATEGORIES + 1 else series[:MAX_CATEGORIES]
    stacks: list[tuple[str, str, list[int]]] = [
        (line.category.name, PALETTE[index % len(PALETTE)], list(line.counts))
        for index, line in enumerate(shown)
    ]
    rest = series[len(shown) :]
    if rest:
        stacks.append(
            (
                _("Lainnya"),
                OTHER_COLOR,
                [sum(counts) for counts in zip(*(line.counts for line in rest), strict=True)],
            )
        )
    totals = [sum(counts[index] for _n, _c, counts in stacks) for index in range(len(trends.days))]
    top = _nice_top(max(totals, default=0))
    centres, slot = _bar_slots(len(trends.days))
    width = round(max(slot * 0.7, 1), 1)
    bars = []
    for index, (day, centre) in enumerate(zip(trends.days, centres, strict=True)):
        base = 0
        for name, color, counts in stacks:
            count = counts[index]
            if not count:
                continue
            y_top, y_base = _y(base + count, top), _y(base, top)
            bars.append(
                Bar(
                    x=round(centre - width / 2, 1),
                    y=y_top,
                    width=width,
                    height=round(y_base - y_top, 1),
                    color=color,
                    label=f"{day_label(day)}: {name} {count_label(count)}",
                )
            )
            base += count
    period = period_label(trends.first_day, trends.last_day)
    days_with = [
        f"{day_label(day)}: "
        + ", ".join(
            f"{name} {count_label(counts[index])}" for name, _c, counts in stacks if counts[index]
        )
        for index, day in enumerate(trends.days)
        if totals[index]
    ]
    if days_with:
        summary = _("%(title)s, %(period)s, jumlah %(total)s: %(figures)s.") % {
            "title": title,
            "period": period,
            "total": count_label(sum(totals)),
            "figures": "; ".join(days_with),
        }
    else:
        summary = _("%(title)s, %(period)s: tidak ada insiden.") % {
            "title": title,
            "period": period,
        }
    marker_x, marker_label = _marker(trends, centres)
    return Chart(
        key=key,
        title=title,
        summary=summary,
        **PLOT_FRAME,
        y_ticks=tuple(
            Tick(_y(value, top), count_label(value)) for value in range(0, top + 1, top // 5)
        ),
        x_ticks=_x_ticks(trends.days, centres),
        bars=tuple(bars),
        legend=tuple(LegendEntry(name, color) for name, color, _counts in stacks),
        marker_x=marker_x,
        marker_label=marker_label,
        is_empty=not days_with,
    )
