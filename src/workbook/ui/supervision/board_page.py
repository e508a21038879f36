"""The supervisor's board: due families, overdue actions by owner, time limits at risk or
breached, and the three charts. Work runs through `run(fn, on_done, on_error)` (the window's
Operations), so the GUI thread never touches the vault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.outcomes import scaling_trend_description, scaling_trend_text
from workbook.services.front_door.referrals import ReferralShown
from workbook.services.supervision.board import Board, board
from workbook.services.supervision.outcomes import FollowUp, follow_up
from workbook.ui.family.action_finishing import ActionFinisher
from workbook.ui.front_door.board_rows import show_referrals, waiting_for
from workbook.ui.models.base import format_date, format_moment
from workbook.ui.supervision import name_controls
from workbook.ui.widgets.columns import ColumnFitter

Runner = Callable[..., Any]
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1
FAMILY_ROLE = Qt.ItemDataRole.UserRole + 2
CHARTS_ACROSS = 2  # charts per row of the board
STATE_TEXT = {"breached": "Breached", "at_risk": "At risk", "on_track": "On track"}


def _tree(name: str, headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setAccessibleName(name)
    tree.setRootIsDecorated(True)
    tree.setMinimumHeight(160)
    # The first column (a name or an action) keeps room to be read; the others give way first,
    # so the last (the State) stays in view.
    ColumnFitter(tree, 0)
    return tree


class SupervisionBoard(QWidget):
    """The board page; `start_requested` asks the window to begin a session."""

    loaded = Signal()
    follow_up_loaded = Signal()   # the outcomes chart is drawn (after the board)
    start_requested = Signal()
    open_family_requested = Signal(str)  # a double-click or Enter on a family's row

    def __init__(self, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self.board: Board | None = None
        self.referrals: list[ReferralShown] = []  # waiting at the front door
        self.follow_up: FollowUp | None = None
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel("Supervision board")
        self.title.setObjectName("pageTitle")
        self.summary = QLabel()
        self.summary.setObjectName("subtle")
        self.refresh_button = QPushButton("Refresh")
        self.start_button = QPushButton("Start a supervision session…")
        head.addWidget(self.title)
        head.addWidget(self.summary, 1)
        head.addWidget(self.refresh_button)
        head.addWidget(self.start_button)
        layout.addLayout(head)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.hide()
        layout.addWidget(self.error)
        grid = QGridLayout()
        self.due = _tree("Families due for review", ["Family", "Case owner", "Last reviewed",
                                                     "Next review", "Scaling trend"])
        self.overdue = _tree("Overdue actions by owner", ["Owner / action", "Family", "Due",
                                                          "Days overdue"])
        self.limits = _tree("Time limits at risk or breached", ["Family", "Time limit", "Due",
                                                                "State"])
        for column, (label, tree) in enumerate((("Due for review this month", self.due),
                                                ("Overdue actions by owner", self.overdue),
                                                ("Time limits at risk or breached",
                                                 self.limits))):
            grid.addWidget(QLabel(label), 0, column)
            grid.addWidget(tree, 1, column)
        self.action_finisher = ActionFinisher(self._selected_action, run)
        grid.addWidget(self.action_finisher, 2, 1)
        # Two by two, in a box that scrolls down: four charts in one row at 1366x768 and 125%
        # elided their titles, their axes and the outcomes' legend (colour without its words).
        self.chart_box = QScrollArea(self)
        self.chart_box.setWidgetResizable(True)
        self.chart_box.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_box.setAccessibleName("Charts")
        inner = QWidget(self.chart_box)
        self.chart_row = QGridLayout(inner)
        self.chart_row.setContentsMargins(0, 0, 0, 0)
        self.chart_row.setColumnStretch(0, 1)
        self.chart_row.setColumnStretch(1, 1)
        self.chart_box.setWidget(inner)
        layout.addLayout(grid, 1)
        layout.addWidget(self.chart_box, 1)
        self.charts: list[QWidget] = []
        name_controls(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.action_finisher.changed.connect(lambda _said: self.refresh())
        for tree in (self.due, self.overdue, self.limits):
            tree.itemDoubleClicked.connect(lambda item, _col: self._open(item))
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                enter = QShortcut(QKeySequence(key), tree)
                enter.setContext(Qt.ShortcutContext.WidgetShortcut)
                enter.activated.connect(lambda t=tree: self._open(t.currentItem()))
        self.overdue.itemSelectionChanged.connect(
            lambda: self.action_finisher.set_enabled(self._selected_action() is not None))
        self.start_button.clicked.connect(self.start_requested)

    def _open(self, item: QTreeWidgetItem | None) -> None:
        family_id = item.data(0, FAMILY_ROLE) if item is not None else None
        if family_id:
            self.open_family_requested.emit(str(family_id))

    def _selected_action(self) -> tuple[str, str, str] | None:
        """The overdue action selected on the board as (id, text, due)."""
        item = self.overdue.currentItem()
        if item is None or not item.isSelected():
            return None
        found = item.data(0, ACTION_ROLE)
        return tuple(found) if isinstance(found, (tuple, list)) else None

    def refresh(self) -> None:
        self.error.hide()
        if self.board is None:
            self.summary.setText("Loading the board…")
        self._run(board, self.show_board, self._failed)
        self._run(waiting_for, self._show_referrals, self._failed)

    def _show_referrals(self, referrals: list[ReferralShown]) -> None:
        self.referrals = list(referrals)
        show_referrals(self.limits, self.referrals)

    def _failed(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def show_board(self, result: Board) -> None:
        self.board = result
        self.summary.setText(
            f"{format_date(result.today)} · {len(result.due_families)} due · "
            f"{len(result.overdue_actions)} overdue actions · "
            f"{len(result.at_risk_or_breached)} time limits at risk or breached"
            + (f" · {result.note}" if result.note else ""))
        self.due.clear()
        people = result.people
        for f in result.due_families:
            row = QTreeWidgetItem(self.due, [f.name, people.get(f.case_owner, "not set"),
                                             format_date(f.last_reviewed) or "never",
                                             format_date(f.next_review) or "-"])
            row.setData(0, FAMILY_ROLE, f.family_id)
        self.overdue.clear()
        owners: dict[str, QTreeWidgetItem] = {}
        for a in result.overdue_actions:
            parent = owners.get(a.owner)
            if parent is None:
                parent = QTreeWidgetItem(self.overdue, [
                    people.get(a.owner, "a former colleague") if a.owner else "(no owner)"])
                owners[a.owner] = parent
            item = QTreeWidgetItem(parent, [a.text, a.family_name, format_date(a.due),
                                            str(a.days_overdue)])
            item.setData(0, ACTION_ROLE, (a.action_id, a.text, a.due))
            item.setData(0, FAMILY_ROLE, a.family_id)
        for item in owners.values():
            item.setText(0, f"{item.text(0)} ({item.childCount()})")
            item.setExpanded(True)
        self.limits.clear()
        for t in result.at_risk_or_breached:
            row = QTreeWidgetItem(self.limits, [t.family_name, result.label(t.limit),
                                                format_moment(t.due),
                                                STATE_TEXT.get(t.state, t.state)])
            row.setData(0, FAMILY_ROLE, t.family_id)
        show_referrals(self.limits, self.referrals)
        for chart in self.charts:
            self.chart_row.removeWidget(chart)
            chart.deleteLater()
        # QtCharts loads with the first board shown, not with the main window.
        from workbook.ui.supervision.charts import caseload_chart, compliance_chart, overdue_chart

        self.charts = [caseload_chart(result.caseload, people),
                       overdue_chart(result.overdue_by_month),
                       compliance_chart(result.compliance_by_month)]
        for index, chart in enumerate(self.charts):
            self.chart_row.addWidget(chart, index // CHARTS_ACROSS, index % CHARTS_ACROSS)
        self._run(follow_up, self.show_follow_up, self._failed)
        self.loaded.emit()

    def show_follow_up(self, found: FollowUp) -> None:
        """Each due family's scaling trend, and the team's outcomes by month as a chart."""
        self.follow_up = found
        for i in range(self.due.topLevelItemCount()):
            item = self.due.topLevelItem(i)
            points = found.trends.get(str(item.data(0, FAMILY_ROLE)), []) if item else []
            if item is not None and points:
                item.setText(4, scaling_trend_text(points))
                item.setToolTip(4, scaling_trend_description(points))
        if found.outcomes is None:
            return
        from workbook.ui.supervision.outcome_charts import outcomes_chart

        chart = outcomes_chart(found.outcomes)
        index = len(self.charts)
        self.charts.append(chart)
        self.chart_row.addWidget(chart, index // CHARTS_ACROSS, index % CHARTS_ACROSS)
        self.follow_up_loaded.emit()

    def clear(self) -> None:
        """On lock: nothing of the board stays on screen."""
        self.board = None
        self.referrals = []
        self.follow_up = None
        for tree in (self.due, self.overdue, self.limits):
            tree.clear()
        for chart in self.charts:
            self.chart_row.removeWidget(chart)
            chart.deleteLater()
        self.charts = []
        self.summary.clear()
