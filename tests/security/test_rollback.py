"""Nothing reverts silently (issue 12): signed logs cut back by deleting their newest rows, a
whole vault folder copied back to an older state, and parallel guesses against the lock-out.

Each attack is written as the attacker would do it: a signed-in person holds the database key
and runs raw SQL, or copies files of the vault folder back. The honest side uses the services."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest

from support import vaults
from support.attacker import attacker_db
from support.consent import give_consent
from support.memory_keyring import MemoryKeyring
from workbook.cli.main import main as cli_main
from workbook.crypto.secret import Secret
from workbook.domain.policy import Policy, default_policy
from workbook.domain.roles import Role, Section
from workbook.services.access.policy_admin import current_policy_text, set_policy
from workbook.services.access.recovery import reset_account
from workbook.services.access.sign_in import FREE_ATTEMPTS, GENERIC_FAILURE, sign_in
from workbook.services.errors import NotPermitted, SignInFailed, TamperingDetected
from workbook.services.session import Session
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receiving import Receiving
from workbook.services.sharing.sending import Sharing
from workbook.vault import device_secret
from workbook.vault.database import connect
from workbook.vault.keyfile import KeyFile


@dataclass
class Pair:
    home: vaults.TeamVault
    partner: vaults.TeamVault


def _build(tmp: Path) -> Pair:
    home = vaults.create_team_vault(tmp / "home")
    vaults.onboard(home, [Role.ADMIN, Role.POLICE, Role.SOCIAL_WORKER])
    admin = home.member(Role.ADMIN)
    with home.session(admin) as s:
        fingerprint = s.grants.fingerprint()
    with home.session(home.owner) as s:
        s.grants.approve(admin.username, fingerprint=fingerprint)
    partner = vaults.create_team_vault(tmp / "partner", team="Partner Hub")
    vaults.onboard(partner, [Role.SOCIAL_WORKER])
    for a, b in ((home, partner), (partner, home)):
        card = tmp / f"card-{a.vault_id[:6]}.json"
        with a.session(a.owner) as s:
            fp = Identity(s).export(card).fingerprint
        with b.session(b.owner) as s:
            Partners(s).add(card.read_bytes(), fp)
    return Pair(home, partner)


_TEMPLATE: dict[str, Pair] = {}


@pytest.fixture
def pair(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Pair:
    if "pair" not in _TEMPLATE:
        _TEMPLATE["pair"] = _build(tmp_path_factory.mktemp("rollback-template"))
    t = _TEMPLATE["pair"]
    return Pair(t.home.copy_to(tmp_path / "home"), t.partner.copy_to(tmp_path / "partner"))


def delete_newest(team: vaults.TeamVault, table: str) -> None:
    with attacker_db(team) as conn:
        conn.execute(f"DELETE FROM {table} WHERE rowid = (SELECT max(rowid) FROM {table})")


def events(s: Session) -> list[dict[str, object]]:
    return list(s.audit_trail.events(None))


# --- the honest changes, one per log ------------------------------------------------------------
def change_policy(p: Pair) -> None:
    readers = dict(default_policy().readers)
    readers[Section.POLICE] = readers[Section.POLICE] | {Role.EDUCATION}
    with p.home.session(Role.ADMIN) as s:
        set_policy(s, Policy(readers).to_toml())


def change_role(p: Pair) -> None:
    with p.home.session(p.home.owner) as s:
        s.accounts.set_role(p.home.member(Role.SOCIAL_WORKER).username,
                            Role.SENIOR_SOCIAL_WORKER.value)


def certify_newcomer(p: Pair) -> None:
    vaults.onboard(p.home, [Role.HEALTH])


def revoke_keys(p: Pair) -> None:
    reset_account(p.home.path, p.home.member(Role.POLICE).username, p.home.recovery_key,
                  vaults.new_passphrase())


def remove_partner(p: Pair) -> None:
    with p.home.session(p.home.owner) as s:
        Partners(s).remove(p.partner.vault_id)


def receive_bundle(p: Pair) -> None:
    out = p.home.path.parent / "bundle.wbb"
    with p.partner.session(p.partner.owner) as s:
        fid = s.families.add("Smith", "R-1")
        s.families.add_entry(fid, "case-notes", "a note to share")
        give_consent(s, [fid], "home visit")  # a share checks the consent records
        sharing = Sharing(s)
        decision = sharing.decide(partner=p.home.vault_id, families=[fid],
                                  sections=["household", "case-notes"], purpose="home visit",
                                  lawful_basis="Children Act 1989 s47", consent="given")
        sharing.share(decision, out)
    with p.home.session(p.home.owner) as s:
        Receiving(s).receive(out)


def rotate_section(p: Pair) -> None:
    with p.home.session(p.home.owner) as s:
        s.accounts.disable(p.home.member(Role.POLICE).username)


@dataclass(frozen=True)
class LogCase:
    log: str
    table: str
    change: Callable[[Pair], None]
    witness: Role | None = None  # who notices; None: the owner, who made the change


NAMED = [
    LogCase("certificates", "user_certs", certify_newcomer),
    LogCase("revocations", "key_revocations", revoke_keys),
    LogCase("partner events", "partner_events", remove_partner),
    LogCase("received bundles", "bundles_received", receive_bundle),
    # The owner holds the new epoch's secret and is refused outright ("does not match its
    # signed public key"); the administrator, who holds no section, is told which log lost it.
    LogCase("section epochs", "section_epochs", rotate_section, Role.ADMIN),
]
REFUSED = [
    LogCase("policy", "policy_versions", change_policy),
    LogCase("membership", "membership", change_role),
]


@pytest.mark.parametrize("case", NAMED, ids=lambda c: c.log)
def test_deleting_the_newest_row_of_a_log_is_named_at_the_next_sign_in(
        pair: Pair, case: LogCase) -> None:
    case.change(pair)
    witness = case.witness or pair.home.owner
    with pair.home.session(witness):
        pass  # the witness has seen the change
    delete_newest(pair.home, case.table)
    with pair.home.session(witness) as s:
        wanted = f"the {case.log} log lost 1 event(s) since you last signed in"
        assert any(wanted in w for w in s.warnings), s.warnings
        found = [e for e in events(s) if e["event"] == "log_rollback_detected"]
        assert any(e["ids"] == {"log": case.log, "lost": 1} for e in found), found


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.log)
def test_a_rolled_back_policy_or_membership_is_refused_until_the_owner_accepts(
        pair: Pair, case: LogCase) -> None:
    """The previous policy, or an undone role change, must not quietly apply again."""
    case.change(pair)
    with pair.home.session(pair.home.owner) as s:
        policy_after, role_after = current_policy_text(s), s.membership().roles
    delete_newest(pair.home, case.table)
    for who in (pair.home.member(Role.POLICE), pair.home.owner):
        with pytest.raises(TamperingDetected,
                           match=f"the {case.log} log lost 1 event"):
            pair.home.sign_in(who)
    with pytest.raises(NotPermitted, match="only the vault owner"):
        sign_in(pair.home.path, pair.home.member(Role.ADMIN).username,
                pair.home.member(Role.ADMIN).passphrase, accept_restore=True)
    owner = sign_in(pair.home.path, pair.home.owner.username, pair.home.owner.passphrase,
                    accept_restore=True)
    try:
        names = [e["ids"] for e in events(owner) if e["event"] == "log_rollback_detected"]
        assert {"log": case.log, "lost": 1} in names
        assert any(e["event"] == "restore_accepted" for e in events(owner))
        assert (current_policy_text(owner), owner.membership().roles) != \
            (policy_after, role_after)
    finally:
        owner.lock()
    with pair.home.session(Role.POLICE) as s:
        assert s.user_id


VAULT_FILES = ("vault.db", "vault.db-wal", "vault.db-shm", "keys.json")


def copy_folder(source: Path, dest: Path) -> None:
    """The attacker's copy: every file of the folder (database, its WAL, key file, journal)."""
    dest.mkdir(exist_ok=True)
    for item in dest.iterdir():
        if item.is_file() and not item.name.endswith(".lock"):
            item.unlink()
    for item in source.iterdir():
        if item.is_file() and not item.name.endswith(".lock"):
            shutil.copy2(item, dest / item.name)


def test_a_folder_copied_back_is_refused_naming_both_points_until_the_owner_accepts(
        pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    team = pair.home
    police, worker = team.member(Role.POLICE), team.member(Role.SOCIAL_WORKER)
    with team.session(team.owner):
        pass  # everything checkpointed: the copy is the vault as it was
    aside = tmp_path / "aside"
    copy_folder(team.path, aside)
    with team.session(team.owner) as s:
        s.accounts.disable(police.username)
    other_pc = dict(_keyring().store)  # another OS account that saw the disable
    copy_folder(aside, team.path)
    for who in (police, worker):
        with pytest.raises(TamperingDetected) as refused:
            team.sign_in(who)
        message = str(refused.value)
        assert "this vault is older than the one this PC last saw" in message
        assert message.count("audit event") == 2 and "here" in message and "last seen" in message
        assert "workbook vault accept-restore" in message
    with pytest.raises(NotPermitted, match="only the vault owner"):
        sign_in(team.path, worker.username, worker.passphrase, accept_restore=True)
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", team.owner.passphrase)
    assert cli_main(["vault", "accept-restore", "--vault", str(team.path),
                     "--as", team.owner.username]) == 0
    assert "You accepted this vault as it is" in capsys.readouterr().out
    with team.session(worker) as s:
        assert s.user_id == worker.user_id
    with team.session(team.owner) as s:
        assert any(e["event"] == "restore_accepted" for e in events(s))
        assert s.audit_trail.verify().ok
    assert cli_main(["vault", "accept-restore", "--vault", str(team.path),
                     "--as", team.owner.username]) == 0
    assert "Nothing to accept" in capsys.readouterr().out
    # Another OS account that saw the newer vault accepts the owner's signed acceptance.
    _keyring().store.clear()
    _keyring().store.update(other_pc)
    with team.session(worker) as s:
        assert any("the owner accepted a restored vault" in n for n in s.announcements)


def test_an_acceptance_copied_into_an_older_folder_does_not_count(
        pair: Pair, tmp_path: Path) -> None:
    """The owner's signed acceptance of one restored state is chained to it: appended to an
    even older copy, it accepts nothing."""
    team, worker = pair.home, pair.home.member(Role.SOCIAL_WORKER)
    with team.session(team.owner) as s:
        key = Secret(bytes(s.vault_key.value))
    oldest, older = tmp_path / "oldest", tmp_path / "older"
    copy_folder(team.path, oldest)
    with team.session(team.owner) as s:
        s.families.add("Second", "R-2")
    copy_folder(team.path, older)
    with team.session(team.owner) as s:
        s.families.add("Third", "R-3")
    other_pc = dict(_keyring().store)  # saw the newest state, not the acceptance
    copy_folder(older, team.path)
    sign_in(team.path, team.owner.username, team.owner.passphrase, accept_restore=True).lock()
    conn = connect(team.path, key)
    try:
        accepted = conn.execute("SELECT at, user_id, event, ids, detail, signer, prev_hash, hash, "
                                "signature FROM audit WHERE event = 'restore_accepted'"
                                ).fetchone()
    finally:
        conn.close()
    copy_folder(oldest, team.path)
    conn = connect(team.path, key)
    try:
        head = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
        conn.execute("INSERT INTO audit (seq, at, user_id, event, ids, detail, signer, "
                      "prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (head + 1, *accepted))
    finally:
        conn.close()
        key.wipe()
    _keyring().store.clear()
    _keyring().store.update(other_pc)
    with pytest.raises(TamperingDetected, match="older than the one this PC last saw"):
        team.sign_in(worker)


def test_a_vault_rekeyed_and_copied_back_with_its_old_key_file_is_refused(
        pair: Pair, tmp_path: Path) -> None:
    """Only the database and key file go back (no audit of the newer state in the copy)."""
    team = pair.home
    aside = tmp_path / "aside"
    copy_folder(team.path, aside)
    with team.session(team.owner) as s:
        s.accounts.disable(team.member(Role.POLICE).username)
    assert KeyFile.load(team.path).vault_key_generation > KeyFile.load(aside).vault_key_generation
    copy_folder(aside, team.path)
    with pytest.raises(TamperingDetected, match="older than the one this PC last saw"):
        team.sign_in(team.member(Role.POLICE))


def test_a_planted_seen_record_is_noticed(pair: Pair) -> None:
    team = pair.home
    with team.session(team.owner):
        pass
    account = device_secret.seen_account(team.vault_id, team.path)
    store = _keyring().store
    assert ("workbook", account) in store
    store[("workbook", account)] = store[("workbook", account)].replace("audit_seq", "audit_seX")
    with pytest.raises(TamperingDetected, match="was altered"):
        team.sign_in(Role.SOCIAL_WORKER)


def test_a_restored_backup_opens_in_its_new_folder(pair: Pair, tmp_path: Path) -> None:
    from workbook.services.upkeep import backup

    team = pair.home
    with team.session(team.owner) as s:
        backup.make_backup(s, tmp_path / "b.wbk")
    with team.session(team.owner) as s:
        s.families.add("Later", "R-9")
    restored = backup.restore_backup(tmp_path / "b.wbk", tmp_path / "restored",
                                     team.owner.username, team.owner.passphrase)
    assert device_secret.load_seen_state(team.vault_id, restored.vault_dir,
                                         team.device_secret) is not None
    session = sign_in(restored.vault_dir, team.owner.username, team.owner.passphrase)
    session.lock()


def _keyring() -> MemoryKeyring:
    ring = keyring.get_keyring()
    assert isinstance(ring, MemoryKeyring)
    return ring


# --- the lock-out counter ------------------------------------------------------------------------
FIXED = datetime(2030, 1, 1, tzinfo=UTC)


def _guess(vault: str, username: str, store: dict[tuple[str, str], str],
           results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    ring = MemoryKeyring()
    ring.store = dict(store)
    keyring.set_keyring(ring)
    try:
        sign_in(Path(vault), username, "not the passphrase at all", clock=lambda: FIXED)
        results.put("signed in")
    except SignInFailed as exc:
        results.put(str(exc))


@pytest.mark.skipif(os.name != "posix", reason="the key file lock is POSIX-only (K13)")
def test_parallel_wrong_passphrases_are_each_counted_before_the_kdf(pair: Pair) -> None:
    """24 tries at one instant: the free attempts run Argon2id, every other one waits."""
    team = pair.home
    worker = team.member(Role.SOCIAL_WORKER)
    ctx = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    store = dict(_keyring().store)
    procs = [ctx.Process(target=_guess, args=(str(team.path), worker.username, store, results))
             for _ in range(24)]
    for proc in procs:
        proc.start()
    answers = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    tried = [a for a in answers if a == GENERIC_FAILURE]
    assert len(tried) == FREE_ATTEMPTS, answers
    assert all(a == GENERIC_FAILURE or a.startswith("too many failed sign-ins") for a in answers)
    body = KeyFile.load(team.path).open_body(Secret(team.device_secret))
    assert body.accounts[worker.username].failed == len(tried)
