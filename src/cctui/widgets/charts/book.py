"""The dashboard's four charts, built from :class:`cctui.domain.charts.book.BookCharts`."""

from __future__ import annotations

from cctui.domain.charts.book import BookCharts
from cctui.widgets.charts.figures import ChartFigures, Series


def _day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def bands_figures(charts: BookCharts, currency: str) -> ChartFigures:
    """Overdue by aging band, from the latest snapshot, in ``currency``."""
    bands = charts.bands
    amounts = next((c.amounts for c in bands.currencies if c.currency == currency), ())
    when = f" on {bands.as_of.isoformat()}" if bands.as_of else ""
    return ChartFigures(
        title=f"Overdue by aging band ({currency}){when}",
        x_title="Days past due",
        y_title=currency,
        categories=bands.labels if amounts else (),
        series=(Series("overdue", amounts, marker="sd"),),
        currency=currency,
        empty="No data yet: the daily check writes the aged balance.",
    )


def trend_figures(charts: BookCharts, currency: str) -> ChartFigures:
    """Total overdue on each snapshot day of the last 90 days, in ``currency``."""
    points = next((t.points for t in charts.trend if t.currency == currency), ())
    return ChartFigures(
        title=f"Total overdue, last 90 days ({currency})",
        x_title="Day",
        y_title=currency,
        categories=tuple(point.day.isoformat() for point in points),
        series=(
            Series(
                "overdue",
                tuple(point.amount for point in points),
                style="line",
                marker="braille" if len(points) > 1 else "o",
            ),
        ),
        currency=currency,
        empty="No data yet: each daily check adds a day.",
    )


def weekly_figures(charts: BookCharts, currency: str) -> ChartFigures:
    """Money collected per week against invoices that fell overdue that week."""
    weeks = next((w.weeks for w in charts.weekly if w.currency == currency), ())
    return ChartFigures(
        title=f"Collected against new overdue, per week ({currency})",
        x_title="Week of",
        y_title=currency,
        categories=tuple(week.week.isoformat()[5:] for week in weeks),
        series=(
            Series("collected", tuple(w.collected for w in weeks), marker="sd", colour="green+"),
            Series("new overdue", tuple(w.new_overdue for w in weeks), marker="▒", colour="red+"),
        ),
        currency=currency,
        empty="No data yet: no payment received and no invoice fell due in 13 weeks.",
        notes=("Weeks start on Monday; new overdue: invoices whose due date passed that week.",),
    )


def held_figures(charts: BookCharts) -> ChartFigures:
    """Documents still held, per reason (every currency)."""
    return ChartFigures(
        title="Held documents by reason",
        x_title="Reason",
        y_title="documents",
        categories=tuple(reason.reason for reason in charts.held),
        series=(Series("documents", tuple(reason.documents for reason in charts.held)),),
        horizontal=True,
        empty="No data yet: no document is held.",
    )
