"""P2, P3, P4 and P1 against the raw database: sections are enforced by keys, not by screens.

For every role, a signed-in user opens the SQLCipher database with the vault key they hold and
tries every key they have (their own key pair, every section secret they hold, the key pairs
and content keys derived from them, the device secret, the vault audit key) on every blob of
every table. Marker texts of sections the policy does not give the role must never appear;
markers of sections it gives must appear (so the check cannot pass by opening nothing). The
administrator must find no family name, person name or marker at all. Finally, every file of
the vault read as plain bytes, with no key, shows no marker, family name or staff name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from support import vaults
from workbook.crypto.encoding import unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import unwrap
from workbook.domain.policy import default_policy
from workbook.domain.roles import CORE_SECTIONS, Role, Section
from workbook.services.access.sign_in import sign_in
from workbook.services.audit.reads import audit_detail_info, unpad_note
from workbook.services.authority.record_codec import row_ad
from workbook.services.authority.section_keys import (
    SectionKeys,
    previous_wrap_ad,
    previous_wrap_key,
)
from workbook.services.authority.signatures import grant_info
from workbook.services.errors import NotPermitted, SignInFailed
from workbook.services.session import Session
from workbook.vault import journal, section_store, version_store
from workbook.vault.database import connect
from workbook.vault.keyfile import KeyFile, kek_wrap_ad

POLICY = default_policy()


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")


def allowed_sections(role: str) -> set[str]:
    return {s.value for s in POLICY.sections_for(Role(role))}


# --- what a user can get out of the raw database ---------------------------------------------
@dataclass
class Harvest:
    clear: list[bytes] = field(default_factory=list)  # every stored cell, as the vault key shows
    opened: list[bytes] = field(default_factory=list)  # every plaintext the user's keys open
    grant_sections: set[str] = field(default_factory=set)  # grants that open for the user
    audit_sections: set[str] = field(default_factory=set)  # section names in audit details
    versions_opened: int = 0

    def everything(self) -> list[bytes]:
        return self.clear + self.opened


def _cell_bytes(value: object) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8")


def harvest(session: Session) -> Harvest:
    """Everything `session`'s holder can read or decrypt in the vault, using only their keys."""
    h = Harvest()
    vault_id = session.vault_id
    own: list[KeyPair] = [session.keypair] if session.keypair is not None else []
    conn = connect(session.vault_dir, session.vault_key)
    try:
        tables = [str(r[0]) for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        assert {"versions", "section_grants", "audit", "users", "meta"} <= set(tables)
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                h.clear += [_cell_bytes(v) for v in row if v is not None]

        # Section secrets: those the session unsealed, and every grant row that opens with the
        # user's own key pair, whoever the row names as holder.
        keys = SectionKeys(vault_id, session.trust)
        for section, epoch in session.keys.held():
            keys.add(section, epoch, session.keys.secret(section, epoch))
        for grant in section_store.grants(conn):
            for pair in own:
                for holder in {grant.holder, session.user_id}:
                    try:
                        raw = pair.open(grant.sealed,
                                        grant_info(vault_id, grant.section, grant.epoch, holder))
                    except AuthenticationFailed:
                        continue
                    h.opened.append(raw)
                    h.grant_sections.add(grant.section)
                    keys.add(grant.section, grant.epoch, Secret(raw))
        # Older epochs wrapped under newer ones.
        for row in section_store.all_epochs(conn):
            if row.prev_wrapped is None or (row.section, row.epoch) not in keys.held():
                continue
            secret = keys.secret(row.section, row.epoch)
            older = unwrap(previous_wrap_key(secret, vault_id, row.section, row.epoch),
                           row.prev_wrapped, previous_wrap_ad(vault_id, row.section, row.epoch))
            keys.add(row.section, row.epoch - 1, Secret(older))
        held = keys.held()

        # Every record version: each held content key and section key pair, and the user's
        # own key pair, with the row's own associated data.
        families = version_store.all_family_ids(conn)
        for family_id in families:
            for row in version_store.of_family(conn, family_id):
                ad = row_ad(row.version_id, row.family_id, row.record_id, row.kind,
                            row.section_tag, row.epoch, row.parents, row.author, row.device,
                            row.created_at, row.sealed)
                opened = open_version(keys, held, own, row.family_id, row.body, ad)
                h.opened += opened
                h.versions_opened += len(opened)

        # Audit details of restricted reads are sealed to the section read.
        details = [bytes(r[0]) for r in
                   conn.execute("SELECT detail FROM audit WHERE detail IS NOT NULL")]
        assert details, "the vault holds sealed audit details, so the check below can fail"
        for detail in details:
            data = json.loads(detail)
            sealed = unb64(data["sealed"])
            for s, e in held:
                for pair in [keys.keypair(s, e), *own]:
                    try:
                        opened = pair.open(sealed, audit_detail_info(vault_id, s))
                    except AuthenticationFailed:
                        continue
                    h.opened.append(opened)
                    h.audit_sections.add(json.loads(unpad_note(opened))["section"])

        # The key file body (device secret), the user's own slot (KEK) and the side journal
        # (the vault audit key, which every holder of the database key has).
        keyfile = KeyFile.load(session.vault_dir)
        body = keyfile.open_body(session.device_secret)
        h.opened.append(json.dumps({u: s.to_json() for u, s in body.accounts.items()}).encode())
        username, slot = body.slot_for_user_id(session.user_id)
        h.opened.append(unwrap(session.kek.value, unb64(slot.kek_wrap),
                               kek_wrap_ad(session.vault_id, session.user_id, slot)))
        events, _bad = journal.read(session.vault_dir, vault_id, session.audit_key)
        h.opened += [json.dumps(e).encode() for e in events]
        assert username == session.user.username
    finally:
        conn.close()
    return h


def open_version(
    keys: SectionKeys, held: list[tuple[str, int]], own: list[KeyPair], family_id: str,
    body: bytes, ad: bytes,
) -> list[bytes]:
    """Trial decryption of one stored version with every key: content keys for the row's
    family, section key pairs (sealed envelopes) and the user's own key pair."""
    out = []
    for section, epoch in held:
        try:
            out.append(keys.cipher(section, epoch, family_id).decrypt(body, ad))
        except AuthenticationFailed:
            pass
    for pair in [keys.keypair(s, e) for s, e in held] + own:
        try:
            out.append(pair.open(body, ad))
        except AuthenticationFailed:
            pass
    return out


def forms(needle: str) -> list[bytes]:
    """The byte forms a text could be stored in: UTF-8 and UTF-16, as written and lowercased."""
    out = []
    for text in {needle, needle.lower()}:
        out += [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]
    return out


def found_in(blobs: Iterable[bytes], needles: Iterable[str]) -> set[str]:
    blobs = list(blobs)
    return {n for n in needles if any(f in b for b in blobs for f in forms(n))}


# --- the tests -------------------------------------------------------------------------------
WHO = ["owner", *[r.value for r in Role]]


@pytest.mark.parametrize("who", WHO)
def test_each_role_decrypts_exactly_its_sections(team: vaults.TeamVault, who: str) -> None:
    member = team.owner if who == "owner" else team.member(who)
    allowed = allowed_sections(member.role)
    with team.session(member) as s:
        assert s.policy == POLICY
        assert s.keys.held_sections() == allowed
        h = harvest(s)

    # The database key alone (which every signed-in person holds) shows no marker at all.
    assert found_in(h.clear, team.all_markers()) == set()

    forbidden = [w for w in team.written if w.section not in allowed]
    granted = [w for w in team.written if w.section in allowed]
    leaked = found_in(h.everything(), [w.text for w in forbidden])
    assert leaked == set(), f"{who} decrypted text of sections it may not read: {leaked}"
    missing = {w.text for w in granted} - found_in(h.opened, [w.text for w in granted])
    assert missing == set(), f"{who} could not decrypt its own sections: {missing}"

    assert h.grant_sections <= allowed
    # Every restricted read was audited with its section sealed to that section: the role
    # learns the names of exactly the restricted sections it reads itself (P7).
    restricted = {s.value for s in Section} - {s.value for s in CORE_SECTIONS}
    assert h.audit_sections == allowed & restricted
    if who == Role.POLICE.value:
        # P3: the police user wrote the sealed mental-health entry and cannot read it back.
        sealed = team.find("sealed:mental-health").text
        assert sealed not in allowed_sections("police")
        assert found_in(h.everything(), [sealed]) == set()


def test_the_administrator_finds_no_name_and_no_marker(team: vaults.TeamVault) -> None:
    admin = team.member(Role.ADMIN)
    with team.session(admin) as s:
        assert s.keys.held() == []
        with pytest.raises(NotPermitted):
            s.workbooks.open(team.families["a"])
        with pytest.raises(NotPermitted):
            s.families.all()
        h = harvest(s)
    assert h.versions_opened == 0
    assert h.grant_sections == set()
    assert h.audit_sections == set()
    names = [w.text for w in team.written if w.kind in ("family", "person")]
    assert len(names) == 3
    assert found_in(h.everything(), names) == set()
    assert found_in(h.everything(), team.all_markers()) == set()


@pytest.mark.parametrize("who", WHO)
def test_the_workbook_view_has_exactly_the_policy_sections(
    team: vaults.TeamVault, who: str
) -> None:
    member = team.owner if who == "owner" else team.member(who)
    allowed = allowed_sections(member.role)
    with team.session(member) as s:
        for label, family_id in team.families.items():
            if member.role == Role.ADMIN.value:
                with pytest.raises(NotPermitted):
                    s.workbooks.open(family_id)
                continue
            view = s.workbooks.open(family_id).to_json()
            assert set(view["sections"]) == allowed, label
            text = json.dumps(view, ensure_ascii=False)
            for w in team.written:
                if w.family_id != family_id or not w.current:
                    continue
                if w.section in allowed:
                    assert w.text in text, (label, w.label)
                else:
                    assert w.text not in text, (label, w.label)


def test_vault_files_as_plain_bytes_show_nothing(team: vaults.TeamVault) -> None:
    """No key at all: vault.db, its -wal and -shm, keys.json, the journal, every other file."""
    writer = team.member(Role.SOCIAL_WORKER)
    fresh = vaults.marker("wal-fresh")
    needles = [*team.all_markers(), fresh, *team.staff_words(), *team.passphrases(),
               team.recovery_key, "North Unit"]
    seen: set[str] = set()

    def scan() -> None:
        files = sorted(p for p in team.path.iterdir() if p.is_file())
        seen.update(p.name for p in files)
        leaks = {p.name: found_in([p.read_bytes()], needles) for p in files}
        assert {k: v for k, v in leaks.items() if v} == {}

    with team.session(writer) as s:
        s.families.add_entry(team.families["a"], "case-notes", fresh)
        # A failed sign-in while the database is open: the side journal gets a line.
        other = team.member(Role.HEALTH)
        with pytest.raises(SignInFailed, match="wrong username or passphrase"):
            sign_in(team.path, other.username, "not the passphrase at all")
        with pytest.raises(SignInFailed, match="wrong username or passphrase"):
            sign_in(team.path, "no-such-user-xyz", other.passphrase)
        assert (team.path / "vault.db-wal").exists()
        assert (team.path / "journal").stat().st_size > 0
        scan()
    scan()
    assert {"vault.db", "vault.db-wal", "keys.json", "journal"} <= seen
    keyfile = json.loads((team.path / "keys.json").read_text("utf-8"))
    assert not found_in([json.dumps(keyfile).encode()], team.staff_words())
    # The marker written just now is really in the vault (the scan looked at the right place).
    with team.session(Role.HEALTH) as s:
        assert fresh in json.dumps(s.workbooks.open(team.families["a"]).to_json())
