"""Shared vault fixtures: a populated vault built once per test session, copied per test.

Real parts only: a real SQLCipher file, real keys, the real policy, and keyring's own API with
the in-memory backend of support.memory_keyring. Building a vault with one user per role costs
about a second, so a test module asks for the session's template and copies it:

    @pytest.fixture(scope="session")
    def team_template(tmp_path_factory) -> vaults.TeamVault:
        return vaults.team_vault_template(tmp_path_factory)

    @pytest.fixture
    def team(team_template, tmp_path) -> vaults.TeamVault:
        return team_template.copy_to(tmp_path / "vault")

A copy keeps the vault id (it is a hash of the recovery public keys), so the same device secret
opens it: `copy_to` stores that secret in the in-memory keyring under the same vault id. The
keyring is global, so every copy and the template share it.

The team template holds the owner (a team-manager), one onboarded user for each of the eleven
roles (the administrator included, who has keys but no grant), and two families whose records
carry unique marker texts in every section, written by a holder of that section, plus one
sealed-envelope entry written by the police user into mental-health (P3). `TeamVault.written`
lists every marker with its section, record and family."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import keyring

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.domain.policy import default_policy
from workbook.domain.roles import Role, Section
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.session import Session
from workbook.vault import device_secret

FAST_KDF = KdfParams(8 * 1024, 1, 1)
ALL_ROLES: tuple[Role, ...] = tuple(Role)
PRACTITIONER_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.ADMIN)

_WORDS = ("amber", "falcon", "orchard", "lantern", "meadow", "copper", "harbour", "thistle",
          "willow", "granite", "saffron", "beacon")


def use_memory_keyring() -> MemoryKeyring:
    """The active keyring if it is a MemoryKeyring, else a fresh one installed globally."""
    current = keyring.get_keyring()
    if isinstance(current, MemoryKeyring):
        return current
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


def new_passphrase() -> str:
    """Four words and a random tail: accepted by the passphrase rule, unique per call."""
    words = [secrets.choice(_WORDS) for _ in range(4)]
    return " ".join(words) + " " + secrets.token_hex(4)


def marker(label: str) -> str:
    """A unique, searchable text: `MARKER-<label>-<random>`."""
    return f"MARKER-{label}-{secrets.token_hex(6)}"


@dataclass(frozen=True)
class Member:
    """One account of a test vault, with everything a test needs to sign in as it."""

    role: str
    username: str
    full_name: str
    passphrase: str
    initial_passphrase: str
    user_id: str
    is_owner: bool = False


@dataclass(frozen=True)
class Written:
    """One marker text stored in the vault: in which section, record and family."""

    label: str
    section: str
    family_id: str
    record_id: str
    kind: str
    text: str
    sealed: bool = False
    current: bool = True  # False once a later version of the record replaced this text


@dataclass
class TeamVault:
    """A vault folder and the facts a test needs about it. Copy it before changing it."""

    path: Path
    vault_id: str
    recovery_key: str
    device_secret: bytes
    owner: Member
    members: dict[str, Member] = field(default_factory=dict)  # role value -> member
    families: dict[str, str] = field(default_factory=dict)  # label -> family id
    written: list[Written] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"TeamVault(path={str(self.path)!r}, vault_id={self.vault_id!r})"

    # --- people ----------------------------------------------------------------------------
    def member(self, role: Role | str) -> Member:
        return self.members[Role(role).value]

    def everyone(self) -> list[Member]:
        return [self.owner, *self.members.values()]

    def sign_in(self, who: Member | Role | str) -> Session:
        member = who if isinstance(who, Member) else self._resolve(who)
        use_memory_keyring()
        return sign_in(self.path, member.username, member.passphrase)

    @contextmanager
    def session(self, who: Member | Role | str) -> Iterator[Session]:
        """Signed in for the block, locked afterwards (even if the block fails)."""
        s = self.sign_in(who)
        try:
            yield s
        finally:
            s.lock()

    def _resolve(self, who: Role | str) -> Member:
        if who == "owner":
            return self.owner
        for m in self.everyone():
            if m.username == who:
                return m
        return self.member(who)

    # --- what is stored --------------------------------------------------------------------
    def markers_of(self, section: Section | str) -> list[str]:
        value = Section(section).value
        return [w.text for w in self.written if w.section == value]

    def all_markers(self) -> list[str]:
        return [w.text for w in self.written]

    def find(self, label: str) -> Written:
        for w in self.written:
            if w.label == label:
                return w
        raise KeyError(label)

    def staff_words(self) -> list[str]:
        """Usernames and full names of every account (never in any file in clear)."""
        return [x for m in self.everyone() for x in (m.username, m.full_name)]

    def passphrases(self) -> list[str]:
        return [p for m in self.everyone() for p in (m.passphrase, m.initial_passphrase) if p]

    # --- copies ----------------------------------------------------------------------------
    def copy_to(self, dest: Path) -> TeamVault:
        """A copy of the vault folder that opens with the same device secret."""
        shutil.copytree(self.path, dest)
        use_memory_keyring()
        device_secret.store_device_secret(self.vault_id, self.device_secret)
        return replace(self, path=dest, members=dict(self.members), families=dict(self.families),
                       written=list(self.written))


# --- building blocks -----------------------------------------------------------------------
def create_team_vault(
    path: Path, *, team: str = "North Unit", owner_role: Role = Role.TEAM_MANAGER
) -> TeamVault:
    """A new vault whose owner is signed up; no other account yet."""
    use_memory_keyring()
    tail = secrets.token_hex(3)
    username = f"owner-{tail}"
    passphrase = new_passphrase()
    created = create_vault(path, team=team, owner_username=username,
                           owner_name=f"Olwen Owner {tail}", passphrase=passphrase,
                           owner_role=owner_role.value, kdf=FAST_KDF)
    secret = device_secret.load_device_secret(created.vault_id)
    assert secret is not None
    owner = Member(owner_role.value, username, f"Olwen Owner {tail}", passphrase, "",
                   created.owner_user_id, is_owner=True)
    return TeamVault(path, created.vault_id, created.recovery_key, secret, owner)


def onboard(vault: TeamVault, roles: list[Role] | tuple[Role, ...]) -> list[Member]:
    """Onboard one new user per role in `roles`, as issue 2 describes: the owner adds the
    account with an initial passphrase, the person replaces it (which makes their keys), and
    the owner approves them with the recovery key after comparing the fingerprint. The
    administrator is added the same way (by the owner, role "admin") but is given no grant."""
    pending: list[Member] = []
    with vault.session(vault.owner) as owner:
        for role in roles:
            tail = secrets.token_hex(3)
            username = f"{role.value}-{tail}"
            full_name = f"Staff {role.value.replace('-', ' ').title()} {tail}"
            initial = new_passphrase()
            user_id = owner.accounts.add(username, full_name, role.value, initial)
            pending.append(Member(role.value, username, full_name, "", initial, user_id))
    ready: list[tuple[Member, str]] = []
    for member in pending:
        chosen = new_passphrase()
        s = sign_in(vault.path, member.username, member.initial_passphrase)
        try:
            s.accounts.change_passphrase(member.initial_passphrase, chosen)
            fingerprint = s.grants.fingerprint()
        finally:
            s.lock()
        ready.append((replace(member, passphrase=chosen), fingerprint))
    with vault.session(vault.owner) as owner:
        for member, fingerprint in ready:
            if member.role != Role.ADMIN.value:
                owner.grants.approve(member.username, fingerprint=fingerprint,
                                     recovery_text=vault.recovery_key)
            vault.members[member.role] = member
    return [m for m, _ in ready]


def onboard_every_role(vault: TeamVault) -> list[Member]:
    return onboard(vault, ALL_ROLES)


def writer_for(vault: TeamVault, section: Section) -> Member:
    """A holder of `section` to write its marker: the specialist of a restricted section,
    and a different practitioner for each core section, so authorship is spread out."""
    policy = default_policy()
    if section.value in vault.members and Role(section.value) in policy.readers[section]:
        return vault.member(section.value)
    readers = sorted(r.value for r in policy.readers[section] if r.value in vault.members)
    index = list(Section).index(section) % len(readers)
    return vault.member(readers[index])


def populate_markers(vault: TeamVault) -> None:
    """Two families. Family "a" has a marker in every section, written by a holder of that
    section (family and person names are markers too, in household; the plan holds an action
    as well as an entry), an edited case-notes entry (two versions, both markers) and a
    sealed-envelope mental-health entry written by the police user, who cannot read it back.
    Family "b" has a name, a case-notes entry and a police entry. Then every practitioner
    opens both families, so the audit holds sealed restricted-read details."""
    household = writer_for(vault, Section.HOUSEHOLD)
    with vault.session(household) as s:
        for label in ("a", "b"):
            name = marker(f"familyname-{label}")
            fid = s.families.add(name, f"REF-{label.upper()}")
            vault.families[label] = fid
            vault.written.append(Written(f"family:{label}", "household", fid, fid, "family",
                                         name))
        fa = vault.families["a"]
        person = marker("personname")
        pid = s.families.add_person(fa, person, "2015-03-02", "child")
        vault.written.append(Written("person:a", "household", fa, pid, "person", person))
    for section in Section:
        with vault.session(writer_for(vault, section)) as s:
            text = marker(section.value)
            eid = s.families.add_entry(vault.families["a"], section.value, text, "2026-01-05")
            vault.written.append(Written(f"entry:{section.value}", section.value,
                                         vault.families["a"], eid, "entry", text))
            if section is Section.PLAN:
                action = marker("plan-action")
                aid = s.families.add_action(vault.families["a"], action, s.user.username,
                                            "2026-02-01")
                vault.written.append(Written("action:a", "plan", vault.families["a"], aid,
                                             "action", action))
            if section is Section.CASE_NOTES:
                edited = marker("case-notes-edited")
                s.families.edit_entry(eid, edited)
                vault.written[-1] = replace(vault.written[-1], current=False)
                vault.written.append(Written("entry:case-notes:edited", "case-notes",
                                             vault.families["a"], eid, "entry", edited))
                second = marker("case-notes-second")
                eid2 = s.families.add_entry(vault.families["a"], "case-notes", second,
                                            "2026-01-06")
                vault.written.append(Written("entry:case-notes:second", "case-notes",
                                             vault.families["a"], eid2, "entry", second))
    with vault.session(Role.POLICE) as s:
        sealed = marker("sealed-mh")
        eid = s.families.add_entry(vault.families["a"], "mental-health", sealed, "2026-01-07")
        vault.written.append(Written("sealed:mental-health", "mental-health",
                                     vault.families["a"], eid, "entry", sealed, sealed=True))
        police_b = marker("police-b")
        eid = s.families.add_entry(vault.families["b"], "police", police_b, "2026-01-08")
        vault.written.append(Written("entry:police:b", "police", vault.families["b"], eid,
                                     "entry", police_b))
    with vault.session(Role.SOCIAL_WORKER) as s:
        notes_b = marker("case-notes-b")
        eid = s.families.add_entry(vault.families["b"], "case-notes", notes_b, "2026-01-09")
        vault.written.append(Written("entry:case-notes:b", "case-notes", vault.families["b"],
                                     eid, "entry", notes_b))
    for member in vault.everyone():
        if member.role == Role.ADMIN.value:
            continue
        with vault.session(member) as s:
            for fid in vault.families.values():
                s.workbooks.open(fid)


def build_team_vault(path: Path) -> TeamVault:
    vault = create_team_vault(path)
    onboard_every_role(vault)
    populate_markers(vault)
    return vault


def build_team_vault_with_admin(path: Path) -> TeamVault:
    """The shared team vault, with the administrator approved by the owner (who may then
    confirm disposals and manage accounts)."""
    vault = build_team_vault(path)
    admin = vault.member(Role.ADMIN)
    with vault.session(admin) as s:
        fingerprint = s.grants.fingerprint()
    with vault.session(vault.owner) as s:
        s.grants.approve(admin.username, fingerprint=fingerprint)
    return vault


# --- once per session ------------------------------------------------------------------------
_TEMPLATES: dict[str, TeamVault] = {}


def session_template(
    tmp_path_factory: Any, name: str, build: Callable[[Path], TeamVault]
) -> TeamVault:
    """Build `name` once per test session (in a pytest tmp folder) and return it; tests must
    copy it (`copy_to`) before signing in, since signing in writes to the vault."""
    if name not in _TEMPLATES:
        _TEMPLATES[name] = build(tmp_path_factory.mktemp(f"template-{name}") / "vault")
    return _TEMPLATES[name]


def team_vault_template(tmp_path_factory: Any) -> TeamVault:
    return session_template(tmp_path_factory, "team", build_team_vault)
