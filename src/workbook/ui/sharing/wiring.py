"""The few hooks that put sharing into the main window and the family view, kept here so that
those files change by one line each."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu, QPushButton

from workbook.ui.sharing.partners_dialog import PartnersDialog
from workbook.ui.sharing.receive_dialog import ReceiveDialog
from workbook.ui.sharing.share_dialog import ShareDialog


def add_sharing_menu(window: Any) -> QPushButton:
    """A "Sharing" button in the top bar: receive a bundle, identity and partners."""
    bar = window.top_bar
    button = QPushButton("Sharing", bar)
    button.setAccessibleName("Sharing")
    button.setToolTip("Receive a bundle from a partner; identity and partners")
    menu = QMenu(button)
    menu.addAction("Receive a bundle…", lambda: _open(ReceiveDialog(window.ops, window)))
    menu.addAction("Identity and partners…", lambda: _open(PartnersDialog(window.ops, window)))
    button.setMenu(menu)
    layout = bar.layout()
    layout.insertWidget(layout.indexOf(bar.home_button) + 1, button)
    window.sharing_button = button
    return button


def add_share_button(view: Any) -> QPushButton:
    """"Share…" beside the family view's tools; the dialog is tracked, so a lock wipes it."""
    button = QPushButton("Share…", view)
    button.setAccessibleName("Share this family")
    button.setToolTip("Share chosen sections of this family with a partner")
    row = view.header.tools
    row.insertWidget(max(0, row.indexOf(view.close_button)), button)

    def share() -> None:
        if view.family_id is None:
            return
        snapshot = view.snapshot
        name = snapshot.family.name if snapshot is not None else ""
        dialog = ShareDialog(view.ops, view.family_id, name, view)
        view.track(dialog)
        dialog.show()

    button.clicked.connect(share)
    view.share_button = button
    return button


def _open(dialog: Any) -> None:
    dialog.show()
    dialog.raise_()
