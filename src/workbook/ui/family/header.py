"""The workbook header: who the family is, who owns the case, its status, and - prominent,
before anything else - what a worker must know before knocking (home-visit safety flags)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbook.domain.display import uk_date
from workbook.domain.records import Entry, Review
from workbook.domain.workbook import FamilyShown, Shown
from workbook.services.family.chronology import preview
from workbook.ui.family.common import Band, accessible, fmt_date
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.flow import FlowLayout

SAFETY_PREVIEW = 220


SAFETY_SHOWN = 5  # flags listed in the header, newest first


_USER_ID = re.compile(r"[0-9a-f]{32}")

class FamilyHeader(QWidget):
    """Name, reference, case owner, status, the safety band and the conflict banner."""

    resolve_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.name = QLabel(self)
        self.name.setObjectName("family-name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        describe(self.name, "Family name")
        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        describe(self.details, "Family details")
        self.details.setObjectName("family-details")
        self.details.setWordWrap(True)
        top.addWidget(self.name)
        top.addSpacing(12)
        top.addWidget(self.details, 1, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)
        # The actions have a row of their own: beside a long name they were pushed out of the
        # window at 125% on a laptop. The row wraps: nine buttons do not fit on one line there.
        self.tools = FlowLayout()
        layout.addLayout(self.tools)
        self.safety = Band("warning", "Home-visit safety flags", self)
        self.no_safety = QLabel(self)
        describe(self.no_safety, "Home-visit safety")
        self.no_safety.setObjectName("no-safety")
        layout.addWidget(self.safety)
        layout.addWidget(self.no_safety)
        self.conflict = Band("danger", "Conflicting versions", self)
        self.resolve = QPushButton("Resolve conflicts…", self.conflict)
        accessible(self.resolve, "Resolve conflicts")
        self.resolve.clicked.connect(self.resolve_requested)
        self.conflict.action_row.addWidget(self.resolve, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.conflict)
        self.wipe()

    def show_family(self, family: FamilyShown, safety: Sequence[Shown[Entry | Review]],
                    conflicts: int, names: Mapping[str, str] | None = None) -> None:
        """`names`: username -> full name; people show by name, never by username."""
        known = names or {}
        self.name.setText(family.name)
        parts = []
        if family.reference:
            parts.append(f"Reference {family.reference}")
        extra = family.record.extra if family.record is not None else {}
        owner = known.get(family.case_owner, _stranger(family.case_owner)) \
            if family.case_owner else \
            ("awaiting a case owner" if extra.get("received_from") else "not set")
        parts.append(f"Case owner: {owner}")
        if family.status == "transferred":  # services/sharing/transfers.py
            parts.append(f"Status: Transferred to {extra.get('transferred_to', '')} on "
                         f"{uk_date(str(extra.get('transferred_on', '')))} (read-only)")
        else:
            parts.append(f"Status: {family.status.capitalize()}")
        self.details.setText("   ·   ".join(parts))
        if safety:
            # The newest few, so the header stays readable (and cheap to lay out); the
            # Home-visit safety page lists every flag.
            lines = [f"• {preview(e.record.text, SAFETY_PREVIEW)}  "
                     f"({fmt_date(e.record.date)}, {known.get(e.author, 'a colleague')})"
                     for e in safety[:SAFETY_SHOWN]]
            count = len(safety)
            if count > SAFETY_SHOWN:
                lines.append(f"… and {count - SAFETY_SHOWN} older: see Home-visit safety")
            self.safety.show_text(
                f"⚠  Home-visit safety: {count} flag{'s' if count != 1 else ''} - read before "
                "visiting", "\n".join(lines))
            self.no_safety.setVisible(False)
        else:
            self.safety.wipe()
            self.no_safety.setText("No home-visit safety flags recorded.")
            self.no_safety.setVisible(True)
        if conflicts:
            noun = "record has" if conflicts == 1 else "records have"
            self.conflict.show_text(
                f"{conflicts} {noun} conflicting versions",
                "Two people changed the same record separately. Nothing is lost: choose what "
                "to keep.")
        else:
            self.conflict.wipe()

    def wipe(self) -> None:
        self.name.setText("")
        self.details.setText("")
        self.no_safety.setText("")
        self.no_safety.setVisible(False)
        self.safety.wipe()
        self.conflict.wipe()


def _stranger(user: str) -> str:
    """Someone this vault has no account for: a received family's owner is a user id of the
    sending team (shown by no id), anyone else a former colleague."""
    return "a colleague of the sending team" if _USER_ID.fullmatch(user) else "a former colleague"
