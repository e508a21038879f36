"""A writer for the crash test: signs in and writes to one family in a loop until it is killed.

Usage: python crash_writer.py VAULT_DIR USERNAME FAMILY_ID  (passphrase in WORKBOOK_PASSPHRASE;
the device secret from the keyring chosen by WORKBOOK_KEYRING, normally `file`).

It prints one line per acknowledged write, only after the service call has returned (the
transaction has committed), and flushes at once, so that the test knows exactly which writes
the program had reported as done at the moment it was killed:
    ready
    added ENTRY_ID
    edited ENTRY_ID VERSION_ID
It stops by itself after a while, so a test that dies cannot leave it running.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from workbook.services.access.sign_in import sign_in

MAX_SECONDS = 20.0


def main(argv: list[str]) -> int:
    vault_dir, username, family_id = Path(argv[1]), argv[2], argv[3]
    session = sign_in(vault_dir, username, os.environ["WORKBOOK_PASSPHRASE"])
    print("ready", flush=True)
    started = time.monotonic()
    last_entry = ""
    number = 0
    while time.monotonic() - started < MAX_SECONDS:
        number += 1
        if number % 4 == 0 and last_entry:
            version_id = session.families.edit_entry(last_entry, f"crash note {number} (edited)")
            print(f"edited {last_entry} {version_id}", flush=True)
        elif number % 7 == 0:
            # Opening a workbook writes audit events too (family_opened, section_read).
            session.workbooks.open(family_id)
        else:
            last_entry = session.families.add_entry(family_id, "case-notes",
                                                    f"crash note {number}")
            print(f"added {last_entry}", flush=True)
    session.lock()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
