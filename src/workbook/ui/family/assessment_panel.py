"""The risk and resilience assessment form: the framework chosen for the family, its domains
of factors (each with a rating on its scale, which says which end is worse, and a rationale),
and a written formulation. Saving writes a new version of the family's assessment (or its
first), so earlier judgements stay in its history."""

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

from workbook.domain.frameworks import DEFAULT_FRAMEWORK, Domain, Framework, builtin_frameworks
from workbook.services.family.assessments import (
    Assessment,
    Rating,
    frameworks,
    save_assessment,
)
from workbook.services.session import Session
from workbook.ui.family.common import Band, accessible, date_edit, fmt_date, iso_of, wipe_text
from workbook.ui.family.context import FamilyContext
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.date_field import refused_date

NOT_RATED = "Not rated"


class AssessmentPanel(QWidget):
    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.current: Assessment | None = None
        self.offered: dict[str, Framework] = dict(builtin_frameworks())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Risk and resilience assessment form")
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        self.state = QLabel(body)
        describe(self.state, "Assessment status")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.error = Band("danger", "Problem", body)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        chooser = QFormLayout()
        self.framework = QComboBox(body)
        accessible(self.framework, "Assessment framework",
                   "Which framework this family's assessment is rated against")
        chooser.addRow("F&ramework", self.framework)
        layout.addLayout(chooser)
        self.factors_host = QWidget(body)
        self.factors_layout = QVBoxLayout(self.factors_host)
        self.factors_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.factors_host)
        self.ratings: dict[str, QComboBox] = {}
        self.rationales: dict[str, QLineEdit] = {}
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
        self._fill_frameworks(DEFAULT_FRAMEWORK)
        self.framework.currentIndexChanged.connect(self._framework_chosen)
        self.save.clicked.connect(self._save)
        self.history.clicked.connect(self._history)
        self.show_assessment(None)
        # The authority's own frameworks are files in the vault folder: read off the GUI
        # thread, and offered once they arrive.
        context.run(frameworks, self._offer, self._frameworks_failed)

    def _fill_frameworks(self, chosen: str) -> None:
        self.framework.blockSignals(True)
        self.framework.clear()
        for framework in sorted(self.offered.values(), key=lambda f: f.title):
            self.framework.addItem(framework.title, framework.id)
        self.framework.setCurrentIndex(max(self.framework.findData(chosen), 0))
        self.framework.blockSignals(False)
        self._build(self.chosen())

    def chosen(self) -> Framework:
        return self.offered.get(str(self.framework.currentData()),
                                self.offered[DEFAULT_FRAMEWORK])

    def _offer(self, offered: object) -> None:
        if isinstance(offered, dict) and set(offered) != set(self.offered):
            keep = self.values()
            self.offered = offered
            self._fill_frameworks(self.chosen().id)
            self._set_values(keep)

    def _framework_chosen(self, _: int) -> None:
        self._build(self.chosen())

    def _build(self, framework: Framework) -> None:
        """The factor grid of `framework`, in place of the one shown."""
        while self.factors_layout.count():
            item = self.factors_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.ratings, self.rationales = {}, {}
        for domain in framework.domains:
            self.factors_layout.addWidget(self._domain_box(domain))

    def _domain_box(self, domain: Domain) -> QGroupBox:
        box = QGroupBox(domain.title, self.factors_host)
        box.setStyleSheet("QGroupBox { font-weight: bold; } QLabel, QComboBox, QLineEdit "
                          "{ font-weight: normal; }")
        grid = QGridLayout(box)
        grid.setColumnMinimumWidth(0, 230)
        grid.setColumnMinimumWidth(1, 120)
        first = 0
        if domain.note:
            note = QLabel(domain.note, box)
            note.setWordWrap(True)
            grid.addWidget(note, 0, 0, 1, 4)
            first = 1
        for col, head in enumerate(("Factor", "Rating", "Worse end", "Rationale")):
            grid.addWidget(QLabel(f"<b>{head}</b>", box), first, col)
        for row, factor in enumerate(domain.factors, start=first + 1):
            name = QLabel(factor.label, box)
            combo = QComboBox(box)
            combo.addItem(NOT_RATED, "")
            for level in factor.scale.levels:
                combo.addItem(level.capitalize(), level)
            accessible(combo, f"{factor.label}: rating",
                       f"Levels {factor.scale.describe()}")
            worse = QLabel(factor.scale.worse.capitalize(), box)
            worse.setAccessibleName(f"{factor.label}: {factor.scale.worse} is worse")
            line = QLineEdit(box)
            line.setPlaceholderText("Why this rating - the evidence")
            accessible(line, f"{factor.label}: rationale")
            name.setBuddy(combo)
            for col, widget in enumerate((name, combo, worse, line)):
                grid.addWidget(widget, row, col)
            self.ratings[factor.key] = combo
            self.rationales[factor.key] = line
        grid.setColumnStretch(3, 1)
        return box

    def _set_values(self, values: dict[str, Rating]) -> None:
        for key, combo in self.ratings.items():
            item = values.get(key)
            combo.setCurrentIndex(max(combo.findData(item.rating if item else ""), 0))
            self.rationales[key].setText(item.rationale if item else "")

    def show_assessment(self, assessment: Assessment | None) -> None:
        self.current = assessment
        self.error.wipe()
        if assessment is not None and assessment.framework in self.offered:
            self.framework.setCurrentIndex(self.framework.findData(assessment.framework))
        self._set_values(assessment.factors if assessment else {})
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
            framework = self.offered.get(assessment.framework)
            title = framework.title if framework else assessment.framework
            self.state.setText(
                f"Current assessment ({title}) of {fmt_date(assessment.date)} by {author}. "
                f"Saving makes a new version; earlier ones stay in its history.{conflict}")

    def values(self) -> dict[str, Rating]:
        return {key: Rating(str(self.ratings[key].currentData() or ""),
                            self.rationales[key].text())
                for key in self.ratings}

    def _save(self) -> None:
        family_id = self.context.family_id
        if not family_id:
            return
        refused = refused_date(self)
        if refused:
            self.error.show_text("The assessment date cannot be saved", refused)
            return
        factors, formulation, day = self.values(), self.formulation.toPlainText(), iso_of(
            self.date)
        entry_id = self.current.entry_id if self.current else ""
        framework = self.chosen().id

        def save(s: Session) -> str:
            return save_assessment(s, family_id, factors, formulation, date=day,
                                   entry_id=entry_id, framework=framework)

        self.save.setEnabled(False)
        self.error.wipe()
        self.context.run(save, self._saved, self._failed)

    def _saved(self, _: object) -> None:
        self.save.setEnabled(True)
        self.context.notify("Assessment saved as a new version.")

    def _failed(self, message: str) -> None:
        self.save.setEnabled(True)
        self.error.show_text("The assessment could not be saved", message)

    def _frameworks_failed(self, message: str) -> None:
        self.error.show_text("The authority's assessment frameworks could not be read", message)

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
