"""The small team of the malicious-holder state machine (tests/security/test_malicious_holder.py).

Built once per test process with the shared builders of support.vaults (real SQLCipher, real
keys, the real policy, cheap Argon2id), then copied for every example. Six people:

- owner:     the team manager who created the vault (holds the team manager's sections)
- admin:     the administrator, approved by the owner after comparing the fingerprint
- sw:        a social worker, police: a police officer, mh: a mental-health worker (each approved
             with the recovery key, as onboarding does)
- newcomer:  a second mental-health worker who chose a passphrase (so has keys) but whom nobody
             has approved yet

and two families with an entry in case-notes, mental-health and police, plus a sealed envelope
the police officer wrote into mental-health. The machine needs every honest private key (it
tries each against every sealed grant), so the template keeps each person's key seed.
The attacker's own door to the database is support/attacker.py's `raw_connect`."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import keyring

from support import vaults
from support.memory_keyring import MemoryKeyring
from workbook.domain.policy import default_policy
from workbook.domain.roles import Role
from workbook.services.access.sign_in import sign_in
from workbook.vault import device_secret

ENTRY_DATE = "2026-03-01"


@dataclass(frozen=True)
class TemplatePerson:
    label: str
    username: str
    full_name: str
    user_id: str
    role: str
    passphrase: str
    seed: bytes | None
    approved: bool
    granted: frozenset[str]


@dataclass(frozen=True)
class TemplateWrite:
    family: str
    section: str
    text: str
    record_id: str
    sealed: bool
    writer: str


@dataclass(frozen=True)
class HolderTemplate:
    path: Path
    vault_id: str
    recovery_key: str
    device_secret: bytes
    vault_key: bytes
    people: tuple[TemplatePerson, ...]
    families: tuple[str, ...]
    writes: tuple[TemplateWrite, ...] = field(default=())

    def __repr__(self) -> str:
        return f"HolderTemplate(path={str(self.path)!r})"

    def copy_to(self, dest: Path) -> Path:
        """A copy of the vault folder that opens with the same device secret, with a keyring
        of its own: every copy has the same vault id, and whatever a keyring remembers of the
        newest state seen (whole-folder rollback, issue 12) must not leak from one example
        into the next."""
        shutil.copytree(self.path, dest)
        keyring.set_keyring(MemoryKeyring())
        device_secret.store_device_secret(self.vault_id, self.device_secret)
        return dest


def build_holder_template(root: Path) -> HolderTemplate:
    vault = vaults.create_team_vault(root / "vault")
    vaults.onboard(vault, [Role.ADMIN, Role.SOCIAL_WORKER, Role.POLICE, Role.MENTAL_HEALTH])
    admin = vault.member(Role.ADMIN)
    with vault.session(admin) as s:
        fingerprint = s.grants.fingerprint()
    with vault.session(vault.owner) as s:
        s.grants.approve(admin.username, fingerprint=fingerprint)
        initial = vaults.new_passphrase()
        newcomer_id = s.accounts.add("newcomer-mh", "Nina Newcomer", Role.MENTAL_HEALTH.value,
                                     initial)
    newcomer_pass = vaults.new_passphrase()
    with sign_in(vault.path, "newcomer-mh", initial) as s:
        s.accounts.change_passphrase(initial, newcomer_pass)

    writes: list[TemplateWrite] = []
    sw, police, mh = (vault.member(r) for r in (Role.SOCIAL_WORKER, Role.POLICE,
                                               Role.MENTAL_HEALTH))
    with vault.session(sw) as s:
        families = (s.families.add("Family A", "REF-A"), s.families.add("Family B", "REF-B"))
        text = vaults.marker("notes")
        rid = s.families.add_entry(families[0], "case-notes", text, ENTRY_DATE)
        writes.append(TemplateWrite(families[0], "case-notes", text, rid, False, "sw"))
    with vault.session(mh) as s:
        text = vaults.marker("mh")
        rid = s.families.add_entry(families[0], "mental-health", text, ENTRY_DATE)
        writes.append(TemplateWrite(families[0], "mental-health", text, rid, False, "mh"))
    with vault.session(police) as s:
        text = vaults.marker("police")
        rid = s.families.add_entry(families[1], "police", text, ENTRY_DATE)
        writes.append(TemplateWrite(families[1], "police", text, rid, False, "police"))
        text = vaults.marker("sealed-mh")
        rid = s.families.add_entry(families[0], "mental-health", text, ENTRY_DATE)
        writes.append(TemplateWrite(families[0], "mental-health", text, rid, True, "police"))

    policy = default_policy()
    members = [("owner", vault.owner), ("admin", admin), ("sw", sw), ("police", police),
               ("mh", mh)]
    people: list[TemplatePerson] = []
    vault_key = b""
    for label, member in members:
        with vault.session(member) as s:
            assert s.keypair is not None
            seed = bytes(s.keypair.seed.value)
            vault_key = bytes(s.vault_key.value)
        role = Role(member.role)
        granted = frozenset() if role is Role.ADMIN else frozenset(
            x.value for x in policy.sections_for(role))
        people.append(TemplatePerson(label, member.username, member.full_name, member.user_id,
                                     member.role, member.passphrase, seed, True, granted))
    with sign_in(vault.path, "newcomer-mh", newcomer_pass) as s:
        assert s.keypair is not None
        people.append(TemplatePerson("newcomer", "newcomer-mh", "Nina Newcomer", newcomer_id,
                                     Role.MENTAL_HEALTH.value, newcomer_pass,
                                     bytes(s.keypair.seed.value), False, frozenset()))
    return HolderTemplate(vault.path, vault.vault_id, vault.recovery_key, vault.device_secret,
                          vault_key, tuple(people), families, tuple(writes))
