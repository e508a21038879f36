"""Frozen entry point of `workbook` (the command line)."""

import sys

from workbook.cli import main

if __name__ == "__main__":
    sys.exit(main())
