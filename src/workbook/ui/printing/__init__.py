"""Printing from the family view: the options dialog and the print flow (issue 5)."""

from workbook.ui.printing.dialog import PrintChoice, PrintOptionsDialog
from workbook.ui.printing.flow import start_printing

__all__ = ["PrintChoice", "PrintOptionsDialog", "start_printing"]
