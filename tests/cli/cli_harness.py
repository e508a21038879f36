"""Shared pieces of the command-line tests: the populated template vault, the in-process
runner `Cli`, and the check every refusal must pass. Fixtures live in conftest.py.

A populated vault is built once per session with the services and cheap Argon2id parameters;
every test gets its own copy of the folder and a fresh in-memory keyring holding the same device
secret (the copy keeps the vault id, which is the keyring account). Commands run in-process
through `workbook.cli.main(argv)`; `Cli.run` captures exit code, stdout and stderr."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.cli import main
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault

FAST_KDF = KdfParams(8 * 1024, 1, 1)

PASSPHRASES = {
    "tm": "correct horse battery staple",
    "admin": "keeper of accounts walks the quiet corridor",
    "pc1": "police constable reads the sealed notes",
    "sw1": "social worker visits on tuesday mornings",
    "new1": "initial pass phrase for newcomer",
}
INITIAL_PC1 = "initial pass phrase for police"
INITIAL_SW1 = "initial pass phrase for social work"
INITIAL_ADMIN = "initial pass phrase for the keeper"

ENV_VARS = ("WORKBOOK_PASSPHRASE", "WORKBOOK_NEW_PASSPHRASE", "WORKBOOK_VAULT", "WORKBOOK_USER",
            "WORKBOOK_KEYRING")

MARKER_POLICE = "POLICE-ONLY marker 7d1c"
MARKER_MH = "MENTAL-HEALTH marker 93ab"
MARKER_CHANNEL = "CHANNEL marker 5e22"
MARKER_EDUCATION = "EDUCATION marker 11fe"


@dataclass(frozen=True)
class Template:
    path: Path
    store: dict[tuple[str, str], str]
    vault_id: str
    recovery_key: str
    family_id: str
    other_family_id: str
    person_id: str
    entry_id: str
    police_entry_id: str
    mh_entry_id: str
    action_id: str


def _onboard(vault: Path, owner_pw: str, username: str, full_name: str, role: str,
             initial: str, final: str, recovery: str) -> None:
    with sign_in(vault, "tm", owner_pw) as owner:
        owner.accounts.add(username, full_name, role, initial)
    with sign_in(vault, username, initial) as newcomer:
        newcomer.accounts.change_passphrase(initial, final)
        fingerprint = newcomer.grants.fingerprint()
    # The administrator is approved too (keys certified, no section): only certified keys may
    # manage accounts or the policy.
    with sign_in(vault, "tm", owner_pw) as owner:
        owner.grants.approve(username, fingerprint=fingerprint,
                             recovery_text="" if role == "admin" else recovery)


def build_template(root: Path) -> Template:
    vault = root / "vault"
    created = create_vault(vault, team="North Unit", owner_username="tm",
                           owner_name="Tess Manager", passphrase=PASSPHRASES["tm"], kdf=FAST_KDF)
    rk = created.recovery_key
    _onboard(vault, PASSPHRASES["tm"], "admin", "Ada Admin", "admin", INITIAL_ADMIN,
             PASSPHRASES["admin"], rk)
    _onboard(vault, PASSPHRASES["tm"], "pc1", "Pat Constable", "police", INITIAL_PC1,
             PASSPHRASES["pc1"], rk)
    _onboard(vault, PASSPHRASES["tm"], "sw1", "Sam Worker", "social-worker", INITIAL_SW1,
             PASSPHRASES["sw1"], rk)
    with sign_in(vault, "tm", PASSPHRASES["tm"]) as tm:
        tm.accounts.add("new1", "Nia Newcomer", "social-worker", PASSPHRASES["new1"])
        family_id = tm.families.add("Smith family", "REF-1")
        other_family_id = tm.families.add("Jones family", "REF-2")
        person_id = tm.families.add_person(family_id, "Zoe Smith", "2015-03-02", "child")
        entry_id = tm.families.add_entry(family_id, "case-notes", "Visited the family",
                                         "2026-01-05")
        tm.families.edit_entry(entry_id, "Visited the family (corrected)")
        mh_entry_id = tm.families.add_entry(family_id, "mental-health", MARKER_MH, "2026-01-06")
        tm.families.add_entry(family_id, "channel", MARKER_CHANNEL, "2026-01-07")
        action_id = tm.families.add_action(family_id, "Book the review", "tm", "2026-02-01")
    with sign_in(vault, "pc1", PASSPHRASES["pc1"]) as pc1:
        police_entry_id = pc1.families.add_entry(family_id, "police", MARKER_POLICE,
                                                 "2026-01-08")
    with sign_in(vault, "sw1", PASSPHRASES["sw1"]) as sw1:
        sw1.families.add_entry(family_id, "education", MARKER_EDUCATION, "2026-01-09")
    # Everyone signs in once more, so the recovery-key announcements of the set-up are seen and
    # no test starts with a pending notice on stderr.
    for user in ("tm", "admin", "pc1", "sw1"):
        sign_in(vault, user, PASSPHRASES[user]).lock()
    store = dict(keyring.get_keyring().store)  # type: ignore[attr-defined]
    return Template(vault, store, created.vault_id, rk, family_id, other_family_id, person_id,
                    entry_id, police_entry_id, mh_entry_id, action_id)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def line(self) -> str:
        """The only line of stdout (asserts there is exactly one)."""
        lines = self.out.splitlines()
        assert len(lines) == 1, f"expected one line on stdout, got {lines!r}"
        return lines[0]

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


@dataclass
class Cli:
    """Runs `workbook` in-process against one test's copy of the template vault."""

    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    vault: Path
    tmp: Path
    t: Template
    keyring: MemoryKeyring
    passphrases: dict[str, str] = field(default_factory=lambda: dict(PASSPHRASES))

    def run(self, *argv: str, user: str | None = "tm", passphrase: str | None = None,
            new: str | None = None, vault: Path | None | bool = True,
            env: dict[str, str] | None = None) -> Result:
        """`user=None` leaves WORKBOOK_USER and WORKBOOK_PASSPHRASE unset; `vault=False` leaves
        WORKBOOK_VAULT unset, `vault=PATH` points it elsewhere."""
        mp = self.monkeypatch
        for var in ENV_VARS:
            mp.delenv(var, raising=False)
        if vault is True:
            mp.setenv("WORKBOOK_VAULT", str(self.vault))
        elif isinstance(vault, Path):
            mp.setenv("WORKBOOK_VAULT", str(vault))
        if user is not None:
            mp.setenv("WORKBOOK_USER", user)
            secret = passphrase if passphrase is not None else self.passphrases.get(user, "")
            if secret:
                mp.setenv("WORKBOOK_PASSPHRASE", secret)
        elif passphrase is not None:
            mp.setenv("WORKBOOK_PASSPHRASE", passphrase)
        if new is not None:
            mp.setenv("WORKBOOK_NEW_PASSPHRASE", new)
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        self.capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors and --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *argv: str, **kwargs: Any) -> Result:
        result = self.run(*argv, **kwargs)
        assert result.code == 0, result
        assert "Traceback" not in result.out + result.err
        return result

    def fails(self, *argv: str, **kwargs: Any) -> Result:
        result = self.run(*argv, **kwargs)
        assert_clean_failure(result)
        return result

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.tmp / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def recovery_file(self, text: str | None = None) -> Path:
        return self.write("recovery.txt", self.t.recovery_key if text is None else text)

    def state(self) -> dict[str, Any]:
        return vault_state(self.vault, self.passphrases)


def vault_state(vault: Path, passphrases: dict[str, str]) -> dict[str, Any]:
    """What the vault holds as the owner sees it (`show` of every family, the family and
    account lists, the policy), plus row counts of every table a command could add to - sealed
    versions included (the audit log aside: every sign-in appends to it)."""
    snapshot: dict[str, Any] = {}
    for user in ("tm",):
        with sign_in(vault, user, passphrases[user]) as session:
            families = session.families.all()
            snapshot[user] = {
                "families": [f._asdict() for f in families],
                "shows": [session.workbooks.open(f.family_id, audit=False).to_json()
                          for f in families],
            }
            if user == "tm":
                snapshot["users"] = [u.__dict__ for u in session.accounts.all()]
                snapshot["counts"] = {
                    table: session.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("users", "user_keys", "user_certs", "section_epochs",
                                  "section_grants", "membership", "policy_versions", "versions")
                }
                snapshot["policy"] = session.conn.execute(
                    "SELECT text FROM policy_versions ORDER BY seq DESC LIMIT 1").fetchone()[0]
    return snapshot


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by name (for "nothing was written" checks)."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_clean_failure(result: Result) -> None:
    """Non-zero exit, exactly one line on stderr starting `workbook: error:`, no traceback."""
    assert result.code != 0, result
    assert "Traceback" not in result.out + result.err, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("workbook: error: "), result
    assert len(lines[0]) > len("workbook: error: ") + 10, result


