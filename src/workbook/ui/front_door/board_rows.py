"""The referrals waiting for their triage decision, as rows of the supervisor's board's time
limits: the 24-hour limit, when it falls, and the time left in words ("Overdue by 3 h"), red
as well when breached. The rows are told apart by a role, so the board can replace them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from workbook.domain.acts import Act
from workbook.domain.referrals import people_text, shown_time
from workbook.services.clock import civil_zone
from workbook.services.front_door.referrals import ReferralShown
from workbook.services.session import Session
from workbook.ui.models.actions_model import OVERDUE_COLOUR

REFERRAL_ROLE = Qt.ItemDataRole.UserRole + 7
LIMIT = "Referral: triage decision (24 hours)"


def waiting_for(session: Session) -> list[ReferralShown]:
    """The referrals waiting, for a person who reads case records; none for anyone else."""
    return session.referrals.waiting() if session.may(Act.CASEWORK) else []


def show_referrals(tree: QTreeWidget, referrals: list[ReferralShown]) -> None:
    """Replace the referral rows of `tree` (Family, Time limit, Due, State) by `referrals`."""
    for index in reversed(range(tree.topLevelItemCount())):
        item = tree.topLevelItem(index)
        if item is not None and item.data(0, REFERRAL_ROLE):
            tree.takeTopLevelItem(index)
    dark = QPalette().color(QPalette.ColorRole.Window).lightness() < 128
    for position, r in enumerate(referrals):
        row = QTreeWidgetItem([people_text(r.record.people), LIMIT,
                               shown_time(r.record.respond_by, civil_zone()), r.time_left])
        row.setData(0, REFERRAL_ROLE, r.referral_id)
        if r.overdue and not dark:
            row.setForeground(3, QBrush(OVERDUE_COLOUR))
        tree.insertTopLevelItem(position, row)
