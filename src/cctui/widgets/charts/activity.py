"""The activity charts, built from :class:`cctui.domain.charts.activity.ActivityCharts`."""

from __future__ import annotations

from cctui.domain.charts.activity import ActivityCharts
from cctui.widgets.charts.figures import ChartFigures, Series


def whose(charts: ActivityCharts) -> str:
    """Whose activity, in words."""
    return "everyone" if charts.staff is None else charts.staff.name


def calls_figures(charts: ActivityCharts) -> ChartFigures:
    """Finished calls per day by outcome."""
    days = charts.days
    return ChartFigures(
        title=f"Calls per day by outcome, last 30 days ({whose(charts)})",
        x_title="Day",
        y_title="calls",
        categories=tuple(day.day.isoformat()[5:] for day in days),
        series=(
            Series("contacted", tuple(d.contacted for d in days), "line", "o", "green+"),
            Series("unreachable", tuple(d.unreachable for d in days), "line", "x", "red+"),
            Series(
                "document created", tuple(d.document_created for d in days), "line", "+", "cyan+"
            ),
        ),
        empty="No data yet: no call was finished in the last 30 days.",
    )


def promises_figures(charts: ActivityCharts) -> ChartFigures:
    """Promises kept against broken per week (by the day they were judged)."""
    weeks = charts.weeks
    return ChartFigures(
        title=f"Promises kept against broken, per week ({whose(charts)})",
        x_title="Week of",
        y_title="promises",
        categories=tuple(week.week.isoformat()[5:] for week in weeks),
        series=(
            Series("kept", tuple(w.kept for w in weeks), "bar", "sd", "green+"),
            Series("broken", tuple(w.broken for w in weeks), "bar", "▒", "red+"),
        ),
        empty="No data yet: no promise was kept or broken in the last 13 weeks.",
        notes=("A promise counts in the week the daily check found it kept or broken.",),
    )
