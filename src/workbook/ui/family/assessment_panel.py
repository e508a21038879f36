"""The risk and resilience assessment form: two domains of factors, each with a rating and a
rationale, and a written formulation. Saving writes a new version of the family's assessment
(or its first), so earlier judgements stay in its history."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbook.services.family.assessments import (
    RATINGS,
    RESILIENCE_FACTORS,
    RISK_FACTORS,
    Assessment,
    Rating,
    save_assessment,
)
from workbook.services.session import Session
from workbook.ui.family.common import Band, accessible, date_edit, fmt_date, iso_of, wipe_text
from workbook.ui.family.context import FamilyContext

RATING_LABELS = (("Not rated", ""),) + tuple((r.capitalize(), r) for r in RATINGS)


class AssessmentPanel(QWidget):
    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.current: Assessment | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Risk and resilience assessment form")
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        self.state = QLabel(body)
        self.state.setAccessibleName("Assessment status")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.error = Band("danger", "Problem", body)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.ratings: dict[str, QComboBox] = {}
        self.rationales: dict[str, QLineEdit] = {}
        for title, factors in (("Risk / threat", RISK_FACTORS),
                               ("Resilience", RESILIENCE_FACTORS)):
            box = QGroupBox(title, body)
            box.setStyleSheet("QGroupBox { font-weight: bold; } QLabel, QComboBox, QLineEdit "
                              "{ font-weight: normal; }")
            grid = QGridLayout(box)
            grid.setColumnMinimumWidth(0, 230)
            grid.setColumnMinimumWidth(1, 120)
            grid.addWidget(QLabel("<b>Factor</b>", box), 0, 0)
            grid.addWidget(QLabel("<b>Rating</b>", box), 0, 1)
            grid.addWidget(QLabel("<b>Rationale</b>", box), 0, 2)
            for row, (key, label) in enumerate(factors, start=1):
                name = QLabel(label, box)
                name.setStyleSheet("font-weight: normal;")
                combo = QComboBox(box)
                for text, value in RATING_LABELS:
                    combo.addItem(text, value)
                accessible(combo, f"{label}: rating")
                line = QLineEdit(box)
                line.setPlaceholderText("Why this rating - the evidence")
                accessible(line, f"{label}: rationale")
                name.setBuddy(combo)
                grid.addWidget(name, row, 0)
                grid.addWidget(combo, row, 1)
                grid.addWidget(line, row, 2)
                self.ratings[key] = combo
                self.rationales[key] = line
            grid.setColumnStretch(2, 1)
            layout.addWidget(box)
        form = QFormLayout()
        self.date = date_edit("Assessment date", parent=body)
        self.formulation = QPlainTextEdit(body)
        self.formulation.setTabChangesFocus(True)
        self.formulation.setPlaceholderText(
            "How the risks and the protective factors fit together, and what follows for the "
            "plan.")
        self.formulation.setMinimumHeight(110)
        accessible(self.formulation, "Formulation")
        form.addRow("&Date", self.date)
        form.addRow("&Formulation", self.formulation)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.history = QPushButton("History…", body)
        accessible(self.history, "Assessment history")
        self.save = QPushButton("Save assessment", body)
        accessible(self.save, "Save assessment")
        buttons.addWidget(self.history)
        buttons.addWidget(self.save)
        layout.addLayout(buttons)
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.save.clicked.connect(self._save)
        self.history.clicked.connect(self._history)
        self.show_assessment(None)

    def show_assessment(self, assessment: Assessment | None) -> None:
        self.current = assessment
        self.error.wipe()
        for key, combo in self.ratings.items():
            item = assessment.factors.get(key) if assessment else None
            combo.setCurrentIndex(max(combo.findData(item.rating if item else ""), 0))
            self.rationales[key].setText(item.rationale if item else "")
        self.formulation.setPlainText(assessment.formulation if assessment else "")
        self.formulation.document().clearUndoRedoStacks()
        self.history.setEnabled(assessment is not None)
        if assessment is None:
            self.state.setText("No structured assessment yet. Rate each factor, give your "
                               "reasons, and write the formulation.")
        else:
            conflict = " It has conflicting versions: saving merges them." if (
                assessment.conflict) else ""
            snapshot = self.context.snapshot
            author = (snapshot.names if snapshot is not None else {}).get(
                assessment.author, "a former colleague")
            self.state.setText(
                f"Current assessment of {fmt_date(assessment.date)} by {author}. "
                f"Saving makes a new version; earlier ones stay in its history.{conflict}")

    def values(self) -> dict[str, Rating]:
        return {key: Rating(str(self.ratings[key].currentData() or ""),
                            self.rationales[key].text())
                for key in self.ratings}

    def _save(self) -> None:
        family_id = self.context.family_id
        if not family_id:
            return
        factors, formulation, day = self.values(), self.formulation.toPlainText(), iso_of(
            self.date)
        entry_id = self.current.entry_id if self.current else ""

        def save(s: Session) -> str:
            return save_assessment(s, family_id, factors, formulation, date=day,
                                   entry_id=entry_id)

        self.save.setEnabled(False)
        self.error.wipe()
        self.context.run(save, self._saved, self._failed)

    def _saved(self, _: object) -> None:
        self.save.setEnabled(True)
        self.context.notify("Assessment saved as a new version.")

    def _failed(self, message: str) -> None:
        self.save.setEnabled(True)
        self.error.show_text("The assessment could not be saved", message)

    def _history(self) -> None:
        if self.current is not None:
            self.context.show_history(self.current.entry_id)

    def wipe(self) -> None:
        self.current = None
        for combo in self.ratings.values():
            combo.setCurrentIndex(0)
        for line in self.rationales.values():
            wipe_text(line)
        wipe_text(self.formulation)
        self.state.setText("")
        self.error.wipe()
