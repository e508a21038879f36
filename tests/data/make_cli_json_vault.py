"""Make the small vault the golden `--json` test of the command line reads
(tests/cli/test_json_outputs.py), kept under tests/data/cli-json/.

Run it from the repository root only when the golden test needs new content:

    .venv/bin/python tests/data/make_cli_json_vault.py --force

then regenerate the golden files (see the test's docstring). Ids are random, so a new vault means
new golden files: never regenerate both in the same commit as a change the test should prove
harmless.

It writes tests/data/cli-json/:
    vault/              the vault (vault.db + keys.json)
    device-secret.txt   its device secret, base64 - TEST DATA ONLY
    ids.json            usernames, passphrases and the ids of what the vault holds
    golden/             (written by the test, not by this script)

Every sign-in reads a stepping clock that starts at a fixed moment, so the vault's times are
fixed; Argon2id is cheap, and the device secret comes from an in-memory keyring.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for support.memory_keyring

import keyring  # noqa: E402

from support.memory_keyring import MemoryKeyring  # noqa: E402
from workbook.crypto.passphrase_kdf import KdfParams  # noqa: E402
from workbook.services.access.sign_in import sign_in  # noqa: E402
from workbook.services.access.vault_setup import create_vault  # noqa: E402
from workbook.services.family import milestones  # noqa: E402
from workbook.services.session import Session  # noqa: E402
from workbook.services.sharing.identity import Identity  # noqa: E402
from workbook.services.supervision import meetings as supervision  # noqa: E402
from workbook.services.upkeep.retention import Retention  # noqa: E402
from workbook.vault import device_secret  # noqa: E402

TARGET = HERE / "cli-json"
KDF = KdfParams(8 * 1024, 1, 1)
PASSPHRASES = {
    "tm": "correct horse battery staple",
    "admin": "keeper of accounts walks the quiet corridor",
    "pc1": "police constable reads the sealed notes",
    "sw1": "social worker visits on tuesday mornings",
    "sw2": "second social worker awaits approval",
    "new1": "initial pass phrase for newcomer",
}
INITIAL = {"admin": "initial pass phrase for the keeper", "pc1": "initial pass phrase for police",
           "sw1": "initial pass phrase for social work", "sw2": "initial pass phrase for later"}
ACCOUNTS = (  # username, full name, role, approved by the owner?
    ("admin", "Ada Admin", "admin", True),
    ("pc1", "Pat Constable", "police", True),
    ("sw1", "Sam Worker", "social-worker", True),
    ("sw2", "Sol Waiting", "social-worker", False),
)


class SteppingClock:
    """A fixed moment that moves one minute each time it is read; `at` jumps to a new day."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment


def _sign_in(vault: Path, username: str, clock: SteppingClock,
             passphrase: str | None = None) -> Session:
    return sign_in(vault, username, passphrase or PASSPHRASES[username], clock=clock)


def _onboard(vault: Path, clock: SteppingClock, recovery_key: str) -> None:
    for username, full_name, role, approved in ACCOUNTS:
        initial = INITIAL[username]
        with _sign_in(vault, "tm", clock) as owner:
            owner.accounts.add(username, full_name, role, initial)
        with _sign_in(vault, username, clock, initial) as newcomer:
            newcomer.accounts.change_passphrase(initial, PASSPHRASES[username])
            fingerprint = newcomer.grants.fingerprint()
        if approved:
            with _sign_in(vault, "tm", clock) as owner:
                owner.grants.approve(username, fingerprint=fingerprint,
                                     recovery_text="" if role == "admin" else recovery_key)
    with _sign_in(vault, "tm", clock) as owner:
        owner.accounts.add("new1", "Nia Newcomer", "social-worker", PASSPHRASES["new1"])


def _families(vault: Path, clock: SteppingClock, ids: dict[str, str]) -> None:
    with _sign_in(vault, "tm", clock) as tm:
        f = tm.families
        smith = ids["smith"] = f.add("Smith family", "REF-1")
        jones = ids["jones"] = f.add("Jones family", "REF-2")
        ids["brown"] = f.add("Brown family", "REF-3")
        ids["zoe"] = f.add_person(smith, "Zoe Smith", "2015-03-02", "child")
        f.add_person(smith, "John Smith", "1984-07-19", "father")
        f.add_person(jones, "Amy Jones", "2012-01-30", "child")
        edited = ids["edited"] = f.add_entry(smith, "case-notes", "Visited the family",
                                             "2026-01-05", "visit", True)
        f.edit_entry(edited, "Visited the family (corrected)")
        ids["sealed"] = f.add_entry(smith, "mental-health", "Concern passed on", "2026-01-06")
        f.add_entry(smith, "channel", "Channel panel: no referral", "2026-01-07")
        f.add_entry(smith, "home-visit-safety", "Large dog in the yard", "2026-01-07")
        ids["deleted"] = f.add_entry(jones, "case-notes", "Wrong family", "2026-01-08")
        f.delete_entry(ids["deleted"], "written on the wrong family")
        ids["conflict"] = f.add_entry(smith, "case-notes", "Call with school", "2026-01-09",
                                      "call")
        first = f.entry_history(ids["conflict"])[0]
        for text in ("Call with school: attendance 80%", "Call with school: head teacher"):
            with tm.write():  # two edits of one version, as two offline copies would make
                head = tm.records.write(family_id=smith, record_id=ids["conflict"], kind="entry",
                                        section="case-notes",
                                        payload={**first.payload, "text": text},
                                        parents=(first.version_id,))
                tm.audit("entry_edited", {"family": smith, "entry": ids["conflict"],
                                          "version": head.version_id})
        ids["overdue"] = f.add_action(smith, "Book the review", "tm", "2026-02-01")
        f.add_action(smith, "Visit school", "sw1", "2026-04-30")
        Retention(tm).close(ids["brown"], "early-help")
    with _sign_in(vault, "pc1", clock) as pc1:
        ids["police"] = pc1.families.add_entry(smith, "police", "Prior call-out", "2026-01-08")
    with _sign_in(vault, "sw1", clock) as sw1:
        sw1.families.add_entry(smith, "education", "Attendance 80%", "2026-01-09")


def _supervision(vault: Path, clock: SteppingClock, ids: dict[str, str]) -> None:
    clock.at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with _sign_in(vault, "tm", clock) as tm:
        done = ids["finished_session"] = supervision.start_session(
            tm, "2026-03-02", ["sw1"], [ids["smith"]])
        form = supervision.ReviewForm(
            "Stable, school attendance improving", "Father engaged", "Dog at home visits",
            "Keep visiting fortnightly", 7, "2026-04-06",
            (supervision.ActionForm("Call the school", "sw1", "2026-03-20"),))
        supervision.record_review(tm, done, ids["smith"], form)
        supervision.finish(tm, done)
    clock.at(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    with _sign_in(vault, "tm", clock) as tm:
        open_id = ids["open_session"] = supervision.start_session(
            tm, "2026-03-09", ["sw1", "pc1"], [ids["smith"], ids["jones"]])
        supervision.record_review(tm, open_id, ids["jones"], supervision.ReviewForm(
            "Referral taken", "", "Unexplained bruise", "Urgent visit", 4, "2026-03-23"))
    clock.at(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    with _sign_in(vault, "tm", clock) as tm:
        milestones.record_referral(tm, ids["jones"], "2026-03-02", "From the school nurse")
        ids["urgent"] = tm.families.add_entry(ids["jones"], "case-notes", "Bruise seen at school",
                                              "2026-03-12")
        milestones.mark_urgent(tm, ids["urgent"])
        Identity(tm).show()  # the sharing identity is made once, on first use: made here


def build(vault: Path) -> dict[str, Any]:
    clock = SteppingClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    created = create_vault(vault, team="North Unit", owner_username="tm",
                           owner_name="Tess Manager", passphrase=PASSPHRASES["tm"], kdf=KDF,
                           clock=clock)
    ids: dict[str, str] = {}
    _onboard(vault, clock, created.recovery_key)
    _families(vault, clock, ids)
    _supervision(vault, clock, ids)
    for user in ("tm", "admin", "pc1", "sw1", "sw2"):  # every notice seen, none left pending
        _sign_in(vault, user, clock).lock()
    return {"vault_id": created.vault_id, "recovery_key": created.recovery_key,
            "passphrases": PASSPHRASES, "ids": ids}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace the existing vault")
    args = parser.parse_args()
    if TARGET.exists():
        if not args.force:
            print(f"{TARGET} exists (--force to replace it and then its golden files)",
                  file=sys.stderr)
            return 1
        shutil.rmtree(TARGET / "vault", ignore_errors=True)
    TARGET.mkdir(parents=True, exist_ok=True)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        made = build(TARGET / "vault")
        secret = device_secret.load_device_secret(made["vault_id"])
    finally:
        keyring.set_keyring(previous)
    for leftover in ("keys.lock", "journal", "vault.db-wal", "vault.db-shm"):
        (TARGET / "vault" / leftover).unlink(missing_ok=True)
    (TARGET / "device-secret.txt").write_text(
        base64.urlsafe_b64encode(secret).decode("ascii") + "\n")
    (TARGET / "ids.json").write_text(json.dumps(made, indent=1, sort_keys=True) + "\n")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
