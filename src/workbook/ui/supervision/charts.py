"""The board's three charts (QtCharts): caseload by worker, overdue actions over the last
twelve months, and time-limit compliance by month."""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter

from workbook.services.supervision.board import Caseload, MonthCompliance, MonthCount


def _view(chart: QChart, name: str, description: str) -> QChartView:
    """A chart that a keyboard reaches and a screen reader reads: its figures are in its
    accessible description."""
    chart.legend().hide()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    view.setAccessibleName(name)
    view.setAccessibleDescription(description)
    view.viewport().setAccessibleName(name)
    view.setToolTip(description)
    return view


def _axes(chart: QChart, series: QBarSeries | QLineSeries | QStackedBarSeries,
          labels: list[str], top: float) -> None:
    x = QBarCategoryAxis()
    x.append(labels)
    if len(labels) > 6:
        x.setLabelsAngle(-90)
    y = QValueAxis()
    top = max(int(top), 1)
    if top > 5:
        top = -(-top // 5) * 5  # up to a multiple of five, so the ticks are whole numbers
    y.setRange(0, top)
    y.setTickCount(top + 1 if top <= 5 else 6)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)


def _month_label(month: str) -> str:
    """"2026-03" -> "Mar 26": short enough for twelve labels under a small chart."""
    return date.fromisoformat(month + "-01").strftime("%b %y")


def caseload_chart(caseload: list[Caseload], people: dict[str, str] | None = None
                   ) -> QChartView:
    """Open families per worker, each named by full name (`people`: username -> name)."""
    known = people or {}

    def name(worker: str) -> str:
        if people is None:
            return worker
        return known.get(worker, "a former colleague") if worker else "no case owner"

    chart = QChart()
    chart.setTitle("Caseload by worker (open families)")
    bars = QBarSet("Families")
    for item in caseload:
        bars.append(item.families)
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    _axes(chart, series, [name(c.worker) for c in caseload] or ["-"],
          max((c.families for c in caseload), default=1))
    return _view(chart, "Caseload by worker",
                 "; ".join(f"{name(c.worker)}: {c.families}" for c in caseload)
                 or "no open families")


def overdue_chart(months: list[MonthCount]) -> QChartView:
    chart = QChart()
    chart.setTitle("Overdue actions at each month's end")
    series = QLineSeries()
    for i, item in enumerate(months):
        series.append(QPointF(i, item.count))
    chart.addSeries(series)
    _axes(chart, series, [_month_label(m.month) for m in months] or ["-"],
          max((m.count for m in months), default=1))
    return _view(chart, "Overdue actions over the last 12 months",
                 "; ".join(f"{_month_label(m.month)}: {m.count}" for m in months))


def compliance_chart(months: list[MonthCompliance]) -> QChartView:
    chart = QChart()
    chart.setTitle("Time limits by month due: met in time / missed")
    kept = QBarSet("Met in time")
    missed = QBarSet("Missed")
    kept.setColor(QColor("#2e7d32"))
    missed.setColor(QColor("#c62828"))
    for item in months:
        kept.append(item.kept)
        missed.append(item.total - item.kept)
    series = QStackedBarSeries()
    series.append(kept)
    series.append(missed)
    chart.addSeries(series)
    _axes(chart, series, [_month_label(m.month) for m in months] or ["-"],
          max((m.total for m in months), default=1))
    view = _view(chart, "Time-limit compliance by month",
                 "; ".join(f"{_month_label(m.month)}: {m.kept} of {m.total} met in time"
                           for m in months))
    chart.legend().show()
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return view
