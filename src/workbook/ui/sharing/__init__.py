"""Sharing in the GUI: the share dialog (from a family), receiving (verify, preview, apply with
progress) and partner management. Every act goes through the same services as the CLI."""

from workbook.ui.sharing.partners_dialog import PartnersDialog
from workbook.ui.sharing.receive_dialog import ReceiveDialog
from workbook.ui.sharing.share_dialog import ShareDialog

__all__ = ["PartnersDialog", "ReceiveDialog", "ShareDialog"]
