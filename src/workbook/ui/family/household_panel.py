"""The household: a members table with Add person and Change person, and the genogram drawn
from it. Adding someone whose name and date of birth match a person in another family that this
person may see warns of a possible duplicate before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.records import Person
from workbook.domain.workbook import Shown
from workbook.services.family.duplicates import possible_duplicates
from workbook.services.family.household import add_person_details, genogram_person, update_person
from workbook.services.session import Session
from workbook.ui.family.common import accessible
from workbook.ui.family.concerns_page import add_consent_button
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.dialogs import PersonDialog
from workbook.ui.family.genogram_view import GenogramView
from workbook.ui.family.models.members_model import (
    COL_AGE,
    COL_DOB,
    COL_NAME,
    COL_RELATIONSHIP,
    PERSON_ROLE,
    MembersModel,
)
from workbook.ui.widgets.a11y import describe

HOUSEHOLD_TABLE_WIDTH = 440  # logical px: a full name, the date of birth, age and relationship


class HouseholdPanel(QWidget):
    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.persons: list[dict[str, Any]] = []
        self.dialog: PersonDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Household members", left)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        left_layout.addWidget(title)
        self.model = MembersModel(self)
        self.table = QTableView(left)
        self.table.setModel(self.model)
        accessible(self.table, "Household members")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        # Room for a full name: beside the genogram at 1366x768 and 125% the fixed-width
        # columns left the name column 48 px ("Jan …", docs/screenshots).
        header.setSectionResizeMode(COL_RELATIONSHIP, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumWidth(HOUSEHOLD_TABLE_WIDTH)
        self.table.setColumnWidth(COL_DOB, 104)
        self.table.setColumnWidth(COL_AGE, 48)
        left_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.change = QPushButton("Change person…", left)
        accessible(self.change, "Change the selected person")
        self.add = QPushButton("Add person…", left)
        accessible(self.add, "Add person")
        buttons.addStretch(1)
        buttons.addWidget(self.change)
        buttons.addWidget(self.add)
        self.consent = add_consent_button(self, buttons)
        self.consent_dialog: QDialog | None = None
        left_layout.addLayout(buttons)
        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        g_title = QLabel("Genogram", right)
        g_title.setFont(bold)
        legend = QLabel("□ male   ○ female   ◇ not known   ◎ index child   "
                        "// separated", right)
        describe(legend, "Genogram key")
        legend.setWordWrap(True)  # on two lines rather than push the page out of the window
        right_layout.addWidget(g_title)
        right_layout.addWidget(legend)
        self.genogram = GenogramView(right)
        right_layout.addWidget(self.genogram, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([560, 740])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter)
        self.add.clicked.connect(lambda: self._open(None))
        self.change.clicked.connect(self._change_selected)
        self.table.doubleClicked.connect(lambda _: self._change_selected())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.change.setEnabled(self._selected() is not None))
        self.change.setEnabled(False)

    def set_persons(self, persons: Sequence[Shown[Person]], today: date | None = None) -> None:
        self.persons = [p.to_json() for p in persons]
        self.model.set_rows(self.persons, today)
        self.genogram.show_household([genogram_person(p) for p in persons], today)
        self.change.setEnabled(self._selected() is not None)

    def _selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(PERSON_ROLE)
        return value if isinstance(value, dict) else None

    def _change_selected(self) -> None:
        person = self._selected()
        if person is not None:
            self._open(person)

    def _open(self, person: dict[str, Any] | None) -> None:
        snapshot = self.context.snapshot
        dialog = PersonDialog(self.persons, person, self,
                              snapshot.today if snapshot is not None else None)
        dialog.submitted.connect(lambda values: self._submit(dialog, values))
        self.dialog = dialog
        self.context.track(dialog)
        dialog.open()

    def _submit(self, dialog: PersonDialog, values: dict[str, Any]) -> None:
        family_id = self.context.family_id
        if not family_id:
            return
        dialog.busy()
        details = {k: values[k] for k in ("sex", "partner_of", "parents", "separated", "index")}
        name, dob, relationship = values["name"], values["dob"], values["relationship"]
        person_id = values["person_id"]
        if person_id:
            def change(s: Session) -> object:
                return update_person(s, person_id, name=name, dob=dob,
                                     relationship=relationship, **details)

            self.context.run(change, lambda _: dialog.accept(), dialog.show_error)
            return

        def add(s: Session) -> object:
            if not values["confirmed"]:
                matches = possible_duplicates(s, name, dob, family_id)
                if matches:
                    return matches
            return add_person_details(s, family_id, name, dob, relationship, **details)

        def done(result: object) -> None:
            if isinstance(result, list):
                dialog.show_duplicates(result)
            else:
                dialog.accept()

        self.context.run(add, done, dialog.show_error)

    def wipe(self) -> None:
        self.persons = []
        self.model.clear()
        self.genogram.wipe()
        self.dialog = None
