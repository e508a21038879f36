"""The board's three charts (QtCharts): caseload by worker, overdue actions over the last
twelve months, and time-limit compliance by month."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter

from workbook.services.supervision_board import Caseload, MonthCompliance, MonthCount


def _view(chart: QChart, name: str) -> QChartView:
    chart.legend().hide()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    view.setAccessibleName(name)
    return view


def _axes(chart: QChart, series: QBarSeries | QLineSeries, labels: list[str],
          top: float) -> None:
    x = QBarCategoryAxis()
    x.append(labels)
    y = QValueAxis()
    y.setRange(0, max(top, 1))
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)


def caseload_chart(caseload: list[Caseload]) -> QChartView:
    chart = QChart()
    chart.setTitle("Caseload by worker (open families)")
    bars = QBarSet("Families")
    for item in caseload:
        bars.append(item.families)
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    _axes(chart, series, [c.worker for c in caseload] or ["-"],
          max((c.families for c in caseload), default=1))
    return _view(chart, "Caseload by worker")


def overdue_chart(months: list[MonthCount]) -> QChartView:
    chart = QChart()
    chart.setTitle("Overdue actions at each month's end")
    series = QLineSeries()
    for i, item in enumerate(months):
        series.append(QPointF(i, item.count))
    chart.addSeries(series)
    x = QValueAxis()
    x.setRange(0, max(len(months) - 1, 1))
    x.setTickCount(max(len(months), 2))
    x.setLabelFormat("%d")
    x.setTitleText(f"months from {months[0].month}" if months else "")
    y = QValueAxis()
    y.setRange(0, max((m.count for m in months), default=1) or 1)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return _view(chart, "Overdue actions over the last 12 months")


def compliance_chart(months: list[MonthCompliance]) -> QChartView:
    chart = QChart()
    chart.setTitle("Time limits met in time, by month due (%)")
    bars = QBarSet("Met in time")
    for item in months:
        bars.append(round(item.percent, 1))
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    _axes(chart, series, [m.month[2:] for m in months] or ["-"], 100)
    return _view(chart, "Time-limit compliance by month")
