"""The replicas area of the desktop app: the sync status in the status bar (every signed-in
person) and the Replicas page (owner and team managers), as one area of the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

from workbook.domain.acts import Act, may
from workbook.ui.replicas.page import ReplicasPage
from workbook.ui.replicas.status import SyncStatus

if TYPE_CHECKING:
    from workbook.ui.area import AreaHost
    from workbook.ui.signed_in import SignedInPerson


class ReplicasArea:
    """Holds the area's widgets; `status` goes in the window's status bar."""

    home_notice = None

    def __init__(self, host: AreaHost) -> None:
        self.host = host
        self.status = SyncStatus(host.ops)
        self.page = ReplicasPage(host.ops)
        self.button = QPushButton("Replicas")
        self.button.setAccessibleName("Replicas")
        self.button.setToolTip("The team's PCs that hold this vault, and join requests")
        self.button.hide()
        self.button.clicked.connect(self.show_page)
        self.page.back_requested.connect(host.show_home)

    def on_signed_in(self, person: SignedInPerson) -> None:
        # Showing the button is a convenience; the services decide who may manage replicas.
        self.button.setVisible(may(person.role, Act.MANAGE_REPLICAS))
        self.status.manages = may(person.role, Act.MANAGE_REPLICAS)
        self.status.begin()

    def show_page(self) -> None:
        if not self.host.signed_in:
            return
        self.host.show_page(self.page)
        self.page.refresh()

    def clear(self) -> None:
        self.button.hide()
        self.status.stop()
        self.page.clear()
