"""Sharing's area of the main window and its hook into the family view, kept here so that
those files change by one line each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QBoxLayout, QDialog, QMenu, QPushButton, QWidget

from workbook.ui.sharing.partners_dialog import PartnersDialog
from workbook.ui.sharing.receive_dialog import ReceiveDialog
from workbook.ui.sharing.share_dialog import ShareDialog

if TYPE_CHECKING:
    from workbook.ui.area import AreaHost
    from workbook.ui.signed_in import SignedInPerson


class SharingArea:
    """A "Sharing" button in the top bar: receive a bundle, identity and partners. Its dialogs
    are its only pages; each reads through the window's worker."""

    page = None
    home_notice = None

    def __init__(self, host: AreaHost) -> None:
        self.host = host
        self.button = QPushButton("Sharing")
        self.button.setAccessibleName("Sharing")
        self.button.setToolTip("Receive a bundle from a partner; identity and partners")
        menu = QMenu(self.button)
        menu.addAction("Receive a bundle…",
                       lambda: _open(ReceiveDialog(host.ops, host.window)))
        menu.addAction("Identity and partners…",
                       lambda: _open(PartnersDialog(host.ops, host.window)))
        self.button.setMenu(menu)

    def on_signed_in(self, person: SignedInPerson) -> None:  # noqa: ARG002 - the protocol's
        """Everyone signed in may receive and see partners; nothing to change."""

    def clear(self) -> None:
        """The dialogs clear themselves when the worker locks."""


def add_share_button(view: Any) -> QPushButton:
    """"Share…" beside the family view's tools; the dialog is tracked, so a lock wipes it."""
    button = add_family_tool(view, "Share…", "Share this family",
                             "Share chosen sections of this family with a partner", ShareDialog)
    view.share_button = button
    return button


def add_family_tool(view: Any, text: str, name: str, tip: str,
                    dialog: Callable[[Any, str, str, Any], QDialog], *,
                    row: QBoxLayout | None = None, before: QWidget | None = None) -> QPushButton:
    """A button that opens `dialog(ops, family id, family name, view)` for the family shown,
    in `row` before `before` (by default the header's tools, before "Back to Home"); the
    dialog is tracked, so a lock wipes it."""
    button = QPushButton(text, view)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    row = view.header.tools if row is None else row
    before = view.close_button if before is None else before
    row.insertWidget(max(0, row.indexOf(before)), button)

    def open_dialog() -> None:
        if view.family_id is None:
            return
        snapshot = view.snapshot
        family_name = snapshot.family.name if snapshot is not None else ""
        opened = dialog(view.ops, view.family_id, family_name, view)
        view.track(opened)
        opened.show()

    button.clicked.connect(open_dialog)
    return button


def _open(dialog: Any) -> None:
    dialog.show()
    dialog.raise_()
