"""Frozen entry point of `workbook-gui` (the desktop app and its --self-test)."""

import sys

from workbook.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
