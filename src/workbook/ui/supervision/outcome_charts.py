"""Evaluate and follow up, drawn (QtCharts): the team's outcomes by month closed as stacked
bars, and a family's scaling trend as a line. Each chart's figures are also its accessible
description and tooltip, so a screen reader reads what the bars and the line show."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from workbook.domain.display import uk_date
from workbook.domain.outcomes import (
    NOT_RECORDED,
    OUTCOME_LABELS,
    OUTCOMES,
    MonthOutcomes,
    ScalingPoint,
    scaling_trend_description,
)
from workbook.ui.supervision.charts import _axes, _month_label, _view

# One colour per outcome, told apart by more than hue: the legend and the text carry it too.
COLOURS = {"improved": "#2e7d32", "no-change": "#757575", "worse": "#c62828",
           "stepped-down": "#1565c0", "escalated": "#ef6c00", "transferred": "#6a1b9a",
           NOT_RECORDED: "#bdbdbd"}


def outcomes_chart(months: list[MonthOutcomes]) -> QChartView:
    """Families closed each month, one stacked bar per month, one segment per outcome."""
    chart = QChart()
    chart.setTitle("Outcomes of the families closed, by month")
    series = QStackedBarSeries()
    shown = [o for o in (*OUTCOMES, NOT_RECORDED)
             if any(m.by_outcome.get(o) for m in months)] or list(OUTCOMES[:1])
    for outcome in shown:
        bars = QBarSet(OUTCOME_LABELS[outcome])
        bars.setColor(QColor(COLOURS[outcome]))
        for month in months:
            bars.append(month.by_outcome.get(outcome, 0))
        series.append(bars)
    chart.addSeries(series)
    _axes(chart, series, [_month_label(m.month) for m in months] or ["-"],
          max((m.closed for m in months), default=1))
    view = _view(chart, "Outcomes by month closed",
                 "; ".join(m.describe() for m in months) or "no family has been closed")
    chart.legend().show()
    # On the right, one outcome a line: in a row under the bars the words were elided at
    # 125% ("Improv…", "Stepp…") and only the colours were left to tell them apart.
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    view.setObjectName("outcomes-chart")
    return view


def scaling_chart(points: list[ScalingPoint]) -> QChartView:
    """A family's scaling judgements (0-10) at each signed-off review, dated dd/mm/yyyy."""
    chart = QChart()
    chart.setTitle("Scaling at each review (0-10)")
    series = QLineSeries()
    series.setPointsVisible(True)
    series.setPointLabelsVisible(True)
    series.setPointLabelsFormat("@yPoint")
    for i, point in enumerate(points):
        series.append(QPointF(i, point.scaling))
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([uk_date(p.date) for p in points] or ["-"])
    y = QValueAxis()
    y.setRange(0, 10)
    y.setTickCount(6)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    view = _view(chart, "Scaling trend",
                 scaling_trend_description(points) or "no signed-off review yet")
    view.setMinimumHeight(180)
    view.setObjectName("scaling-chart")
    return view
