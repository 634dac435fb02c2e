"""The customer's charts, built from :class:`cctui.domain.charts.customer.CustomerCharts`."""

from __future__ import annotations

from cctui.domain.charts.customer import CustomerCharts
from cctui.widgets.charts.figures import ChartFigures, Series


def credit_figures(charts: CustomerCharts) -> ChartFigures:
    """Credit limit against balance (and overdue) on every snapshot day (seed 002)."""
    points = charts.credit
    money = charts.currency
    return ChartFigures(
        title=f"Credit limit against balance ({money})",
        x_title="Day",
        y_title=money,
        categories=tuple(point.day.isoformat() for point in points),
        series=(
            Series("limit", tuple(p.credit_limit for p in points), "line", "=", "yellow+"),
            Series("balance", tuple(p.balance for p in points), "line", "dot", "blue+"),
            Series("overdue", tuple(p.overdue for p in points), "line", "x", "red+"),
        ),
        currency=money,
        empty="No data yet: the daily check records the balance and limit every day.",
        notes=("The limit in force that day (a temporary limit included).",),
    )


def payments_figures(charts: CustomerCharts) -> ChartFigures:
    """What the customer paid per month."""
    months = charts.months
    return ChartFigures(
        title=f"Payments per month ({charts.currency})",
        x_title="Month",
        y_title=charts.currency,
        categories=tuple(month.month.isoformat()[:7] for month in months),
        series=(Series("paid", tuple(month.paid for month in months), "bar", "sd", "green+"),),
        currency=charts.currency,
        empty="No data yet: no payment in the last 12 months.",
    )


def days_to_pay_figures(charts: CustomerCharts) -> ChartFigures:
    """Average days from issue to payment of the invoices paid each month."""
    months = charts.months
    return ChartFigures(
        title="Average days to pay, per month",
        x_title="Month",
        y_title="days",
        categories=tuple(month.month.isoformat()[:7] for month in months),
        series=(
            Series(
                "days to pay",
                tuple(
                    None
                    if m.avg_days_to_pay is None
                    else int(m.avg_days_to_pay.to_integral_value())
                    for m in months
                ),
                "bar",
                "sd",
                "cyan+",
            ),
        ),
        empty="No data yet: no invoice was paid in the last 12 months.",
        notes=("Days from the invoice date to its full payment, rounded to whole days.",),
    )
