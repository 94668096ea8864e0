"""`{% briefing_trend_charts dashboard as charts %}`: the three charts of a dashboard.

The view reads the trends (briefing.trends.region_trends, four queries) and passes them as
`trends`, as the exports do; the tag only draws them, so rendering never queries.
"""

from __future__ import annotations

from django import template

from ..charts import Chart, trend_charts

register = template.Library()


@register.simple_tag(takes_context=True)
def briefing_trend_charts(context, dashboard) -> tuple[Chart, Chart, Chart]:
    trends = context.get("trends") or getattr(dashboard, "trends", None)
    if trends is None:
        # The view reads them (briefing.trends.region_trends): templates never run queries.
        raise template.TemplateSyntaxError("briefing/_charts.html needs `trends` in its context")
    return trend_charts(trends)


@register.filter
def get_item_or_zero(mapping, key):
    """`{{ row.incidents_open|get_item_or_zero:code }}`: a count by key, 0 when absent."""
    return (mapping or {}).get(key, 0)
