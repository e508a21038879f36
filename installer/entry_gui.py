"""Frozen entry point of `workbook-gui` (the desktop app, its --self-test, and the installer's
--installer-check FOLDER of print preview, printing and charts; see frozen_check.py)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--installer-check":
        from frozen_check import run

        sys.exit(run(Path(sys.argv[2])))
    from workbook.ui.app import main

    sys.exit(main())
