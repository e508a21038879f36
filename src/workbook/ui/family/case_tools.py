"""The case in the family header: "Change case owner…" and "Close the case…" for those who may
(the services decide again when asked), and the scaling trend of the family's reviews, as
text and as a small chart. Each form stays open until the service accepted what was typed,
and shows the service's one line when it did not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QMargins, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.domain.outcomes import (
    OUTCOME_LABELS,
    OUTCOMES,
    ScalingPoint,
    scaling_trend_description,
)
from workbook.domain.outcomes import scaling_trend_text as trend_text
from workbook.services.access.people import PersonName
from workbook.services.family.case_owner import OwnerChange
from workbook.ui.family.action_finishing import owner_combo, owner_of
from workbook.ui.family.common import accessible
from workbook.ui.family.dialogs import _Form

HEADER_CHART_HEIGHT = 120  # logical px: the header must leave room for the page under it

if TYPE_CHECKING:
    from workbook.services.session import Session
    from workbook.ui.family.loading import CaseFacts, FamilySnapshot
    from workbook.ui.family.view import FamilyWorkbookView


class CaseOwnerDialog(_Form):
    """Appoint a new case owner, picked by full name, with the reason."""

    def __init__(self, candidates: list[PersonName], current: str,
                 history: list[OwnerChange] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Change case owner", "Appoint", parent)
        self.owner = owner_combo([p for p in candidates if p.username != current],
                                 "New case owner", self)
        # Nobody is picked until the person picks: a dialog opened on the first name in the
        # list appointed that colleague to a reason typed in haste.
        self.owner.setCurrentIndex(-1)
        line = self.owner.lineEdit()
        if line is not None:
            line.setPlaceholderText("Type or choose a name")
        self.reason = QLineEdit(self)
        accessible(self.reason, "Reason for the appointment")
        self.form.addRow("&New case owner", self.owner)
        self.form.addRow("&Reason", self.reason)
        self.history = QLabel(history_text(history or []), self)
        self.history.setWordWrap(True)
        accessible(self.history, "Case owner history")
        self.form.addRow("History", self.history)
        # Tall enough for the whole wrapped history: sized by sizeHint alone, a history of
        # two or three hand-overs was cut off at its top and bottom at 125%.
        layout = self.layout()
        tall = layout.heightForWidth(480) if layout is not None and \
            layout.hasHeightForWidth() else -1
        self.resize(480, max(self.sizeHint().height(), tall))

    def values(self) -> dict[str, Any]:
        return {"to": owner_of(self.owner), "reason": self.reason.text()}


def history_text(history: list[OwnerChange]) -> str:
    """Each appointment on a line, newest first: when, from whom to whom, by whom, why."""
    if not history:
        return "No appointment recorded yet: the case owner is whoever added the family."
    return "\n".join(f"{uk_date(c.at)}: {c.from_name} to {c.to_name}, appointed by "
                     f"{c.by_name} - {c.reason}" for c in reversed(history))


class CloseFamilyDialog(_Form):
    """Close the case: the family type (its retention period), the outcome and its reason
    (both required here), and the lessons learned."""

    def __init__(self, family_types: list[str], parent: QWidget | None = None) -> None:
        super().__init__("Close the case", "Close the case", parent)
        self.family_type = QComboBox(self)
        for value in family_types:
            self.family_type.addItem(value.replace("-", " ").capitalize(), value)
        accessible(self.family_type, "Family type")
        self.outcome = QComboBox(self)
        self.outcome.addItem("Choose the outcome…", "")
        for value in OUTCOMES:
            self.outcome.addItem(OUTCOME_LABELS[value], value)
        accessible(self.outcome, "Outcome")
        self.reason = QLineEdit(self)
        accessible(self.reason, "Reason for the outcome")
        self.lessons = QPlainTextEdit(self)
        self.lessons.setTabChangesFocus(True)
        self.lessons.setMinimumHeight(90)
        accessible(self.lessons, "Lessons learned")
        self.form.addRow("Family &type", self.family_type)
        self.form.addRow("&Outcome", self.outcome)
        self.form.addRow("&Reason", self.reason)
        self.form.addRow("&Lessons learned", self.lessons)
        self.resize(520, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        return {"family_type": self.family_type.currentData() or "",
                "outcome": self.outcome.currentData() or "", "reason": self.reason.text(),
                "lessons": self.lessons.toPlainText()}


CHART_AFTER_MS = 120  # after the family's first paint


class CaseTools:
    """The header's case buttons and scaling trend, for one family view."""

    def __init__(self, view: FamilyWorkbookView) -> None:
        self.view = view
        self.facts: CaseFacts | None = None
        self.owner_button = QPushButton("Change case owner…", view)
        accessible(self.owner_button, "Change case owner")
        self.close_button = QPushButton("Close the case…", view)
        accessible(self.close_button, "Close the case",
                   "Record the outcome and close the family; its retention period starts")
        # The case's own line under the header's tools: its scaling trend, then the acts on
        # the case as a whole (one row of nine buttons would not fit a 1366x768 laptop at 125%).
        self.trend_box = QWidget(view.header)
        self.row = QHBoxLayout(self.trend_box)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.trend_layout = QVBoxLayout()
        self.trend = QLabel(self.trend_box)
        self.trend.setObjectName("scaling-trend")
        accessible(self.trend, "Scaling trend")
        self.trend_layout.addWidget(self.trend)
        self.row.addLayout(self.trend_layout, 1)
        for button in (self.owner_button, self.close_button):
            self.row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        cast("QVBoxLayout", view.header.layout()).addWidget(self.trend_box)
        self.chart: QWidget | None = None
        self._chart_for: FamilySnapshot | None = None
        self.owner_button.clicked.connect(self.change_owner)
        self.close_button.clicked.connect(self.close_case)
        self.wipe()

    def show_case(self, snapshot: FamilySnapshot) -> None:
        facts = self.facts = snapshot.case
        self.owner_button.setVisible(facts is not None and facts.may_appoint)
        self.close_button.setVisible(facts is not None and facts.may_close
                                     and snapshot.family.status != "closed")
        points = facts.scaling if facts is not None else []
        self._drop_chart()
        if not points:
            self.trend.setVisible(False)
            return
        self.trend.setText(f"Scaling trend: {trend_text(points)}")
        self.trend.setToolTip(scaling_trend_description(points))
        self.trend.setVisible(True)
        # The chart follows the first paint (its first drawing costs about 30 ms, a fifth of
        # a first look's budget); the line above already says the same in words.
        self._chart_for = snapshot
        QTimer.singleShot(CHART_AFTER_MS, lambda: self._draw_chart(snapshot, points))

    def _draw_chart(self, snapshot: FamilySnapshot, points: list[ScalingPoint]) -> None:
        if self._chart_for is not snapshot or self.chart is not None:
            return  # another family (or a lock) since
        from workbook.ui.supervision.outcome_charts import scaling_chart

        chart = self.chart = scaling_chart(points)
        # Low and untitled (the line above says what it is): at 1366x768 and 125% the
        # board-sized chart pushed every section page below the fold.
        chart.setMinimumHeight(0)
        chart.setFixedHeight(HEADER_CHART_HEIGHT)
        chart.chart().setTitle("")
        chart.chart().setMargins(QMargins(4, 0, 4, 0))
        for axis in chart.chart().axes(Qt.Orientation.Vertical):
            cast("QValueAxis", axis).setTickCount(3)  # 0, 5, 10: six labels would not fit
        self.trend_layout.addWidget(self.chart)

    def wipe(self) -> None:
        self.facts = None
        self._chart_for = None
        for button in (self.owner_button, self.close_button):
            button.setVisible(False)
        self.trend.setText("")
        self.trend.setVisible(False)
        self._drop_chart()

    def _drop_chart(self) -> None:
        if self.chart is not None:
            self.trend_layout.removeWidget(self.chart)
            self.chart.deleteLater()
            self.chart = None

    def change_owner(self) -> None:
        snapshot = self.view.snapshot
        if snapshot is None or snapshot.case is None:
            return
        dialog = CaseOwnerDialog(snapshot.case.candidates, snapshot.family.case_owner,
                                 snapshot.case.owner_history, self.view)
        family_id = snapshot.family_id

        def submit(values: dict[str, Any]) -> None:
            dialog.busy()

            def appoint(s: Session) -> str:
                return s.case_owners.appoint(family_id, values["to"], values["reason"]
                                             ).case_owner_name

            def done(name: str) -> None:
                dialog.accept()
                self.view.notify(f"{name} is now the case owner.")

            self.view.run(appoint, done, dialog.show_error)

        self._open(dialog, submit)

    def close_case(self) -> None:
        snapshot = self.view.snapshot
        if snapshot is None or snapshot.case is None:
            return
        dialog = CloseFamilyDialog(snapshot.case.family_types, self.view)
        family_id = snapshot.family_id

        def submit(values: dict[str, Any]) -> None:
            dialog.busy()

            def close(s: Session) -> str:
                return s.retention.close(
                    family_id, values["family_type"], outcome=values["outcome"],
                    reason=values["reason"], lessons=values["lessons"],
                    outcome_required=True).dispose_after

            def done(_kept_until: str) -> None:
                dialog.accept()
                self.view.notify("The case is closed; its outcome is recorded.")

            self.view.run(close, done, dialog.show_error)

        self._open(dialog, submit)

    def _open(self, dialog: _Form, submit: Any) -> None:
        self.view.track(dialog)
        dialog.submitted.connect(submit)
        dialog.open()
