"""Beside a family's review form: its open plan actions, last review, safety flags and time
limits (services/supervision/agenda.family_context), read when the family is chosen."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QWidget

from workbook.services.supervision.agenda import FamilyContext


class FamilyContextPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("The family at a glance")
        self.setMinimumWidth(260)
        self.show_context(None)

    def show_context(self, context: FamilyContext | None) -> None:
        if context is None:
            self.setPlainText("Choose a family on the agenda to see its plan, last review, "
                              "safety flags and time limits here.")
            return
        parts = []
        for title, lines, empty in (
                ("Plan (open actions)", context.plan, "No open action."),
                ("Last review", [context.last_review], ""),
                ("Home-visit safety", context.flags, "No safety flag."),
                ("Time limits", context.time_limits, "No time limit running.")):
            parts.append(f"<p><b>{html.escape(title)}</b></p>")
            items = [line for line in lines if line] or [empty]
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items)
                         + "</ul>")
        self.setHtml("".join(parts))
