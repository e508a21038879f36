"""The front door page: every referral this person may read, the newest limits first, with
"New referral…" and "Decide…". What it shows comes from services on the worker; the forms'
answers go back to the worker, and a refusal is shown inside the form that asked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.acts import Act, may
from workbook.domain.referrals import OUTCOMES, people_text, shown_time
from workbook.services.clock import civil_zone
from workbook.services.front_door.referrals import ReferralShown
from workbook.services.session import Session
from workbook.ui.front_door.dialogs import DecideDialog, NewReferralDialog
from workbook.ui.models.referrals_model import ReferralsModel
from workbook.ui.operations import Operations
from workbook.ui.sign_in_page import scaled_label
from workbook.ui.widgets.a11y import describe


def decision_choices(session: Session, referral_id: str) -> tuple[Any, ...]:
    """What the decision form offers, read on the worker: the referral, the families the
    duplicate search proposes, and every family this person may link to."""
    shown = session.referrals.show(referral_id)
    return shown, session.referrals.candidates(shown), session.families.all()


class FrontDoorPage(QWidget):
    back_requested = Signal()
    open_family_requested = Signal(str)
    changed = Signal()  # a referral was added or decided

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.role = ""
        self.dialog: NewReferralDialog | DecideDialog | None = None
        self.model = ReferralsModel(self)
        title = scaled_label("Front door", 1.7, True, "heading")
        explain = QLabel("Referrals (contacts) as they arrived. Each needs a triage decision "
                         "within 24 hours of its arrival: the time left is said beside it, "
                         "and a breached limit is shown in red as well.")
        explain.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Referrals")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Each column as wide as what it says, the people named taking the rest: at 125% the
        # default 100 px cut the agency to "school (Designated …" (front-door.png).
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ReferralsModel.COL_PEOPLE, QHeaderView.ResizeMode.Stretch)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        describe(self.detail, "Selected referral")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        describe(self.message, "Front door message")
        self.new_button = QPushButton("New referral…")
        self.new_button.setObjectName("primary")
        self.decide_button = QPushButton("Decide…")
        self.open_button = QPushButton("Open family")
        self.back_button = QPushButton("Back to home")
        buttons = QHBoxLayout()
        for b in (self.new_button, self.decide_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        for w in (title, explain):
            layout.addWidget(w)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.new_button.clicked.connect(self.ask_new)
        self.decide_button.clicked.connect(self.ask_decide)
        self.open_button.clicked.connect(self._open_family)
        self.back_button.clicked.connect(self.back_requested.emit)
        self._update()

    # --- loading ---------------------------------------------------------------------------
    def refresh(self, role: str) -> None:
        self.role = role
        self.ops.run(lambda s: s.referrals.all(), on_done=self.model.set_rows,
                     on_error=self.message.setText)

    def selected(self) -> ReferralShown | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update(self) -> None:
        chosen = self.selected()
        self.decide_button.setVisible(may(self.role, Act.DECIDE_REFERRAL))
        self.decide_button.setEnabled(chosen is not None and chosen.state == "open")
        self.open_button.setEnabled(chosen is not None and chosen.state == "decided")
        self.detail.setText("" if chosen is None else _detail(chosen))

    # --- a new referral ----------------------------------------------------------------------
    def ask_new(self) -> None:
        self.dialog = NewReferralDialog(self)
        self.dialog.submitted.connect(self._add)
        self.dialog.open()

    def _add(self, values: dict[str, Any]) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        dialog.busy()
        self.ops.run(lambda s: s.referrals.add(**values),
                     on_done=lambda added: self._done(
                         f"Referral recorded: decide by {_time(added.respond_by)}."),
                     on_error=dialog.show_error)

    # --- the triage decision -----------------------------------------------------------------
    def ask_decide(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        rid = chosen.referral_id
        self.ops.run(lambda s: decision_choices(s, rid), on_done=self._open_decision,
                     on_error=self.message.setText)

    def _open_decision(self, choices: tuple[Any, ...]) -> None:
        shown, candidates, families = choices
        people = shown.record.people
        surname = str(people[0].get("name", "")).split()[-1:] if people else []
        self.dialog = DecideDialog(candidates, families,
                                   f"{surname[0]} family" if surname else "", self)
        rid = shown.referral_id
        self.dialog.submitted.connect(lambda values: self._decide(rid, values))
        self.dialog.open()

    def _decide(self, referral_id: str, values: dict[str, Any]) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        dialog.busy()
        self.ops.run(lambda s: s.referrals.decide(referral_id, **values),
                     on_done=lambda _fid: self._done("Decision recorded in the family's "
                                                     "workbook."),
                     on_error=dialog.show_error)

    def _done(self, text: str) -> None:
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        self.message.setText(text)
        self.changed.emit()
        self.refresh(self.role)

    def _open_family(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.state == "decided":
            self.open_family_requested.emit(self.model.family_id(chosen))

    def clear(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.model.clear()
        self.message.clear()
        self.detail.clear()
        self.role = ""


def _time(value: str) -> str:
    return shown_time(value, civil_zone())


def _detail(r: ReferralShown) -> str:
    lines = [f"Concern: {r.record.concern}", f"People named: {people_text(r.record.people)}",
             f"Recorded by {r.recorded_by}."]
    if r.state == "decided":
        data = r.to_json()
        lines.append(f"Decided: {OUTCOMES.get(data['outcome'], '')} by {r.decided_by}. "
                     f"Reason: {data['reason']}")
    return "\n".join(lines)
