"""Make the sample vault of the current schema, kept under tests/data (STYLE.md item 8).

Run it once, from the repository root, when a schema is released:

    .venv/bin/python tests/data/make_sample_vault.py

It writes tests/data/vault-schema-NNN/ (NNN = the schema version of the program that runs it):
    vault/              the vault itself (vault.db + keys.json), as `workbook init` leaves it
    device-secret.txt   this vault's device secret, base64 - TEST DATA ONLY
    expected.json       what the vault holds, for tests/test_migrations.py to check
    README.md           how it was made, the usernames and passphrases, the recovery key

A released sample is frozen: it must be made by the Workbook of that schema and never again, or
the upgrade test would only prove that the new program reads its own files. The script refuses
to overwrite an existing sample unless given --force (only for a schema not yet released).

The vault uses cheap Argon2id parameters, so that the tests open it quickly. Its device secret
is captured from an in-memory keyring; nothing touches the real OS keyring.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for support.memory_keyring

import keyring  # noqa: E402

from support.memory_keyring import MemoryKeyring  # noqa: E402
from workbook import __version__  # noqa: E402
from workbook.crypto.passphrase_kdf import KdfParams  # noqa: E402
from workbook.services.access.sign_in import sign_in  # noqa: E402
from workbook.services.access.vault_setup import create_vault  # noqa: E402
from workbook.services.errors import SignInFailed  # noqa: E402
from workbook.vault import device_secret  # noqa: E402
from workbook.vault.migrations import MIGRATIONS, SCHEMA_VERSION  # noqa: E402

KDF = KdfParams(8 * 1024, 1, 1)
TEAM = "Sample Unit"
USERS: dict[str, dict[str, str]] = {
    "tm": {"name": "Tess Manager", "role": "team-manager",
           "passphrase": "correct horse battery staple", "state": "active"},
    "pc1": {"name": "Pat Constable", "role": "police",
            "passphrase": "pat walks the long beat", "state": "active"},
    "it1": {"name": "Iris Tech", "role": "admin",
            "passphrase": "iris keeps the servers humming", "state": "active"},
    "sw1": {"name": "Sam Worker", "role": "social-worker",
            "passphrase": "sam starts on monday morning", "state": "initial"},
}
INITIAL = {"pc1": "initial pass phrase one", "it1": "initial pass phrase two"}


def build(vault: Path) -> dict[str, Any]:
    """Create and fill the vault; return what a test should find in it."""
    tm = USERS["tm"]
    created = create_vault(vault, team=TEAM, owner_username="tm", owner_name=tm["name"],
                           passphrase=tm["passphrase"], owner_role=tm["role"], kdf=KDF)
    expected: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "migrations": [name for name, _ in MIGRATIONS],
        "vault_id": created.vault_id,
        "team": TEAM,
        "recovery_key": created.recovery_key,
        "users": USERS,
    }

    with sign_in(vault, "tm", tm["passphrase"]) as owner:
        for username in ("pc1", "it1", "sw1"):
            user = USERS[username]
            owner.accounts.add(username, user["name"], user["role"],
                               INITIAL.get(username, user["passphrase"]))
        smith = owner.families.add("Smith family", "REF-001")
        jones = owner.families.add("Jones family", "REF-002")
        owner.families.add_person(smith, "Zoë Smith", "2015-03-02", "child")
        owner.families.add_person(smith, "John Smith", "1984-07-19", "father")
        owner.families.add_person(jones, "Amy Jones", "2012-01-30", "child")
        edited = owner.families.add_entry(smith, "case-notes", "Home visit: first draft",
                                          "2026-11-01", "visit")
        owner.families.edit_entry(edited, "Home visit: second draft")
        owner.families.edit_entry(edited, "Home visit: Zoë at school, father at home")
        safety = owner.families.add_entry(smith, "home-visit-safety", "Large dog in the yard",
                                          "2026-11-01")
        channel = owner.families.add_entry(smith, "channel", "Channel panel: no referral",
                                           "2026-11-02")
        sealed = owner.families.add_entry(smith, "mental-health",
                                          "Concern passed to mental health", "2026-11-03")
        conflict = owner.families.add_entry(smith, "case-notes", "Call with school",
                                            "2026-11-04", "call")
        first = owner.families.entry_history(conflict)[0]
        for text in ("Call with school: attendance 80%", "Call with school: head teacher"):
            with owner.write():
                owner.records.write(
                    family_id=smith, record_id=conflict, kind="entry", section="case-notes",
                    payload={**first.payload, "text": text}, parents=(first.version_id,),
                )
        owner.families.add_action(smith, "Book the review meeting", "tm", "2026-12-01")
        jones_note = owner.families.add_entry(jones, "case-notes", "Referral from school",
                                              "2026-10-20")
        owner.workbooks.open(smith)

    for username in ("pc1", "it1"):
        with sign_in(vault, username, INITIAL[username]) as person:
            person.accounts.change_passphrase(INITIAL[username], USERS[username]["passphrase"])
            fingerprint = person.grants.fingerprint()
        if username == "pc1":
            with sign_in(vault, "tm", tm["passphrase"]) as owner:
                owner.grants.approve("pc1", fingerprint=fingerprint,
                                     recovery_text=created.recovery_key)

    with sign_in(vault, "pc1", USERS["pc1"]["passphrase"]) as police:
        police_note = police.families.add_entry(smith, "police", "Police: prior call-out",
                                                "2026-11-05")

    # A failed sign-in, folded into the audit chain by the next successful one.
    try:
        sign_in(vault, "pc1", "not the right passphrase at all")
    except SignInFailed:
        pass
    else:  # pragma: no cover
        raise AssertionError("a wrong passphrase was accepted")
    with sign_in(vault, "tm", tm["passphrase"]) as owner:
        report = owner.audit_trail.verify()
        assert report.ok, report.problem
        expected["audit_events_at_least"] = report.events

    expected["families"] = {
        "smith": {"id": smith, "name": "Smith family", "reference": "REF-001",
                  "persons": ["John Smith", "Zoë Smith"]},
        "jones": {"id": jones, "name": "Jones family", "reference": "REF-002",
                  "persons": ["Amy Jones"]},
    }
    expected["entries"] = {
        "edited": {"id": edited, "section": "case-notes",
                   "history": ["Home visit: first draft", "Home visit: second draft",
                               "Home visit: Zoë at school, father at home"]},
        "safety": {"id": safety, "section": "home-visit-safety",
                   "text": "Large dog in the yard"},
        "channel": {"id": channel, "section": "channel", "text": "Channel panel: no referral"},
        "sealed": {"id": sealed, "section": "mental-health",
                   "text": "Concern passed to mental health"},
        "conflict": {"id": conflict, "section": "case-notes",
                     "heads": ["Call with school: attendance 80%",
                               "Call with school: head teacher"]},
        "jones": {"id": jones_note, "section": "case-notes", "text": "Referral from school"},
        "police": {"id": police_note, "section": "police", "text": "Police: prior call-out"},
    }
    expected["action"] = {"text": "Book the review meeting", "owner": "tm", "due": "2026-12-01"}
    return expected


README = """# Sample vault, schema {schema:03d} - TEST DATA ONLY

Made by `tests/data/make_sample_vault.py` with Workbook {version}, whose schema is version
{schema} (migrations: {migrations}). `tests/test_migrations.py` copies this folder to a temporary
directory, puts the device secret into an in-memory keyring and signs in with the program of
today, which must upgrade it in place and show exactly what `expected.json` lists.

Do not regenerate it: a released sample must stay as the Workbook of its schema wrote it.

Everything secret here is published on purpose and protects nothing real:
- `device-secret.txt` is this vault's device secret (base64, URL-safe alphabet), which normally
  lives only in the OS keyring (service `workbook`, account = the vault id in `vault/keys.json`);
- the recovery key of this vault is `{recovery_key}`;
- the accounts (Argon2id is deliberately cheap in this vault: {kdf}):

| username | name | role | passphrase | state |
|---|---|---|---|---|
{users}

Contents: two families (Smith, Jones) with persons, a case note edited twice (three versions),
an entry in conflict (two heads), home-visit-safety and channel entries, a sealed-envelope entry
written by the team manager into mental-health (which nobody but the recovery key holds), a
police entry by pc1, a plan action, and one failed sign-in folded into the audit chain.
`sw1` never replaced the initial passphrase, so it has no keys.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true",
                        help="replace an existing sample (only for an unreleased schema)")
    args = parser.parse_args()
    target = HERE / f"vault-schema-{SCHEMA_VERSION:03d}"
    if target.exists():
        if not args.force:
            print(f"{target} exists; a released sample is never regenerated (--force to "
                  "replace an unreleased one)", file=sys.stderr)
            return 1
        shutil.rmtree(target)
    target.mkdir(parents=True)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        expected = build(target / "vault")
        secret = device_secret.load_device_secret(expected["vault_id"])
    finally:
        keyring.set_keyring(previous)
    assert secret is not None
    for leftover in ("keys.lock", "journal", "vault.db-wal", "vault.db-shm"):
        (target / "vault" / leftover).unlink(missing_ok=True)

    (target / "device-secret.txt").write_text(
        base64.urlsafe_b64encode(secret).decode("ascii") + "\n")
    (target / "expected.json").write_text(
        json.dumps(expected, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    users = "\n".join(
        f"| {u} | {d['name']} | {d['role']} | `{d['passphrase']}` | {d['state']} |"
        for u, d in USERS.items()
    )
    users += "\n\n(`pc1` and `it1` first signed in with `initial pass phrase one` / `two`.)"
    (target / "README.md").write_text(README.format(
        schema=SCHEMA_VERSION, version=__version__,
        migrations=", ".join(expected["migrations"]), recovery_key=expected["recovery_key"],
        kdf=f"{KDF.memory_kib} KiB, {KDF.iterations} pass, {KDF.lanes} lane", users=users,
    ))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
