"""The reading pane under the chronology: the whole of the selected entry, as it was written -
who, when, which section, whether it is an urgent concern (and its response), sealed or
disputed - so that a person reads the record without opening a form for each line."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QWidget

from workbook.services.family.abstraction import abstraction_line
from workbook.services.family.chronology import ChronologyRow
from workbook.ui.family.common import accessible, fmt_date, fmt_stamp

EMPTY = "Select an entry to read it here. Enter or a double-click shows its history."


class ReadingPane(QTextBrowser):
    """Read-only; shows one entry, or a hint when none is selected."""

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setReadOnly(True)
        accessible(self, f"{where}: the selected entry")
        self.setMinimumHeight(90)
        self.show_entry(None, None)

    def show_entry(self, row: ChronologyRow | None, payload: Mapping[str, Any] | None) -> None:
        """`row` the chronology row, `payload` the entry's current version (None: unknown)."""
        if row is None:
            self.setPlainText(EMPTY)
            return
        facts = [fmt_date(row.date), row.type.capitalize(), row.section_title, row.author]
        if row.significant:
            facts.append("significant event")
        notes = []
        if row.sealed:
            notes.append("Sealed: written for the holders of this section only.")
        if row.conflict:
            notes.append("Conflict: two people changed this entry separately.")
        payload = payload or {}
        abstracted = payload.get("abstracted")
        if isinstance(abstracted, Mapping) and abstraction_line(abstracted):
            notes.append(abstraction_line(abstracted) + ".")
        if row.urgent:
            notes.append("Urgent concern: a response was due within 24 hours of "
                         f"{fmt_stamp(str(payload.get('urgent_at', '')))}.")
            response = payload.get("response")
            if isinstance(response, Mapping):
                notes.append(f"Response ({fmt_stamp(str(response.get('at', '')))}): "
                             f"{response.get('text', '')}")
            else:
                notes.append("No response is recorded yet.")
        text = str(payload.get("text", row.preview))
        parts = [f"<p><b>{html.escape(' · '.join(f for f in facts if f))}</b></p>"]
        parts += [f"<p><i>{html.escape(n)}</i></p>" for n in notes]
        parts.append("<p>" + html.escape(text).replace("\n", "<br>") + "</p>")
        self.setHtml("".join(parts))
