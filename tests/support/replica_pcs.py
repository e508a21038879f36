"""Several "PCs" of one team in one test: each with its own vault folder and its own keyring
(the OS account's store of device secrets), all on one sync folder. Real parts only: real
SQLCipher vaults, real keys, the real policy; the keyring is swapped per PC, so a PC sees only
what its own OS account would hold.

    team = ReplicaTeam.start(tmp_path)          # PC 1, the owner's, set up on the folder
    pc2 = team.join("desk 2")                  # approved by the owner on PC 1
    with pc2.session("tm") as s: ...
    team.sync_all()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.replicas import joining
from workbook.services.replicas.syncing import SyncReport
from workbook.services.session import Session

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER_PASSPHRASE = "correct horse battery staple"


@dataclass
class Pc:
    """One PC (one OS account): its vault folder and its keyring."""

    name: str
    vault: Path
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)
    passphrases: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def on(self) -> Iterator[None]:
        previous = keyring.get_keyring()
        keyring.set_keyring(self.keyring)
        try:
            yield
        finally:
            keyring.set_keyring(previous)

    @contextmanager
    def session(self, username: str = "tm", passphrase: str | None = None) -> Iterator[Session]:
        with self.on():
            session = sign_in(self.vault, username,
                              passphrase if passphrase is not None else self.passphrases[username])
            assert session.warnings == [], session.warnings  # no tampering seen by anyone
            try:
                yield session
            finally:
                session.lock()

    def sync(self, username: str = "tm") -> SyncReport:
        with self.session(username) as s:
            return s.replicas.sync()


@dataclass
class ReplicaTeam:
    root: Path
    folder: Path
    pcs: list[Pc]
    vault_id: str
    recovery_key: str
    passphrases: dict[str, str]

    @classmethod
    def start(cls, root: Path) -> ReplicaTeam:
        folder = root / "share"
        folder.mkdir(parents=True)
        passphrases = {"tm": OWNER_PASSPHRASE}
        first = Pc("desk 1", root / "pc1" / "vault", passphrases=passphrases)
        with first.on():
            created = create_vault(first.vault, team="North Unit", owner_username="tm",
                                   owner_name="Tess Manager", passphrase=OWNER_PASSPHRASE,
                                   kdf=FAST_KDF)
        with first.session() as s:
            s.replicas.setup(folder, "desk 1")
        return cls(root, folder, [first], created.vault_id, created.recovery_key, passphrases)

    @property
    def first(self) -> Pc:
        return self.pcs[0]

    def join(self, name: str, approver: Pc | None = None) -> Pc:
        pc = Pc(name, self.root / f"pc{len(self.pcs) + 1}" / "vault",
                passphrases=self.passphrases)
        with pc.on():
            request = joining.request(self.folder, pc.vault, now(), name)
        with (approver or self.first).session() as s:
            s.replicas.approve(request.request_id, request.fingerprint)
        with pc.on():
            joining.complete(pc.vault)
        self.pcs.append(pc)
        return pc

    def approved_worker(self) -> str:
        """Sam Worker (sw1, social worker), made on PC 1, passphrase chosen, keys approved by
        the owner there (not yet synced); returns the passphrase."""
        return self.approved("sw1", "Sam Worker", "social-worker",
                             ("initial words for sam worker", "sam chooses a long passphrase 7"))

    def approved(self, username: str, full_name: str, role: str,
                 passphrases: tuple[str, str]) -> str:
        """An account made on PC 1 with its initial passphrase, the person's own chosen, and
        approved by the owner there (an administrator is approved with no section grant);
        returns the chosen passphrase, also kept in `passphrases`."""
        initial, final = passphrases
        with self.first.session() as s:
            s.accounts.add(username, full_name, role, initial)
        with self.first.session(username, initial) as s:
            s.accounts.change_passphrase(initial, final)
            fingerprint = s.grants.fingerprint()
        with self.first.session() as s:
            s.grants.approve(username, fingerprint=fingerprint,
                             recovery_text="" if role == "admin" else self.recovery_key)
        self.passphrases[username] = final
        return final

    def sync_all(self, rounds: int = 2) -> list[SyncReport]:
        reports = []
        for _ in range(rounds):
            reports.extend(pc.sync() for pc in self.pcs)
        return reports


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def workbook_text(session: Session, family_id: str) -> str:
    """Everything the person can read of a family, as one text to search in."""
    import json

    data: Any = session.workbooks.open(family_id, audit=False).to_json()
    return json.dumps(data, ensure_ascii=False)


def run_cli(pc: Pc, capsys: Any, monkeypatch: Any, *argv: str, user: str = "tm",
            passphrase: str = OWNER_PASSPHRASE) -> tuple[int, str, str]:
    """`workbook ARGV --vault PC` as `user` on that PC (pytest's capsys and monkeypatch):
    (exit code, stdout, stderr)."""
    from workbook.cli import main
    monkeypatch.setenv("WORKBOOK_USER", user)
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", passphrase)
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    capsys.readouterr()
    with pc.on():
        code = main([*argv, "--vault", str(pc.vault)])
    out = capsys.readouterr()
    return code, out.out, out.err
