"""The front door area of the desktop app (issue 15): its page, and on Home a panel of the
referrals waiting for their triage decision with the time left in words, as one area of the
main window (`MainWindow.add_area`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

from workbook.domain.acts import Act, may
from workbook.services.front_door.referrals import ReferralShown
from workbook.ui.front_door.page import FrontDoorPage
from workbook.ui.home_widgets import Panel
from workbook.ui.models.referrals_model import ReferralsModel

if TYPE_CHECKING:
    from workbook.ui.area import AreaHost
    from workbook.ui.signed_in import SignedInPerson


class FrontDoorArea:
    """Holds the area's widgets; everything it shows comes from services on the worker."""

    def __init__(self, host: AreaHost) -> None:
        self.host = host
        self.page = FrontDoorPage(host.ops)
        self.button = QPushButton("Front door")
        self.button.setAccessibleName("Front door")
        self.button.setToolTip("Referrals and their triage within 24 hours")
        self.button.hide()
        self.waiting_model = ReferralsModel()
        self.home_notice = Panel("Front door: referrals waiting for a decision",
                                 self.waiting_model, "No referral is waiting for a decision.",
                                 stretch_column=ReferralsModel.COL_PEOPLE, max_rows=5)
        self.open_button = QPushButton("Open the front door")
        self.open_button.setAccessibleName("Open the front door")
        self.home_notice.add_action(self.open_button)
        self.home_notice.hide()
        self.button.clicked.connect(self.show_page)
        self.open_button.clicked.connect(self.show_page)
        self.page.back_requested.connect(host.show_home)
        self.page.changed.connect(self.load_waiting)
        if host.open_family is not None:
            self.page.open_family_requested.connect(host.open_family)

    def on_signed_in(self, person: SignedInPerson) -> None:
        # Showing them is a convenience; the services decide who may read and decide.
        works = may(person.role, Act.CASEWORK)
        self.button.setVisible(works)
        if works:
            self.load_waiting()

    def load_waiting(self) -> None:
        self.host.ops.run(lambda s: s.referrals.waiting(), on_done=self._show_waiting,
                          on_error=lambda _m: None)

    def _show_waiting(self, rows: list[ReferralShown]) -> None:
        # Above Home's title while anything waits (24 hours is the shortest limit a unit
        # keeps); out of the way when nothing does.
        if self.host.signed_in:
            self.waiting_model.set_rows(rows)
            self.home_notice.setVisible(bool(rows))

    def show_page(self) -> None:
        person = self.host.person()
        if person is not None:
            self.host.show_page(self.page)
            self.page.refresh(person.role)

    def clear(self) -> None:
        self.button.hide()
        self.home_notice.hide()
        self.waiting_model.clear()
        self.page.clear()
