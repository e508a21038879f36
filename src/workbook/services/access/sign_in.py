"""Signing in (KEYS.md, "sign in") and the online controls against guessing (P8).

Failures slow down (no attempt is even tried before the delay has passed) and lock the account
after ten; each failure goes to the side journal, sealed, and is folded into the audit chain at
the next unlock. Against a copied file, Argon2id and the device secret are the control."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from workbook.crypto.encoding import b64, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.crypto.passphrase_kdf import KdfParams, derive_kek, stretch
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import unwrap
from workbook.domain.acts import Act, may
from workbook.domain.ids import new_id
from workbook.domain.policy import parse_policy
from workbook.services.access.log_heads import Snapshot, examine
from workbook.services.audit.completeness import adopt_unindexed
from workbook.services.authority import RECOVERY, SectionKeys, VerifiedVersions, signatures
from workbook.services.authority import trust as trust_mod
from workbook.services.clock import Clock, stamp, system_clock
from workbook.services.errors import SignInFailed, TamperingDetected
from workbook.services.session import Session
from workbook.services.sharing.vouches import SessionVouches
from workbook.vault import accounts, audit_log, device_secret, journal, meta, policy_store
from workbook.vault.accounts import UserRow
from workbook.vault.database import (
    Connection,
    DatabaseError,
    VaultAltered,
    VaultDamaged,
    connect,
)
from workbook.vault.keyfile import (
    KeyFile,
    KeyFileBody,
    KeyFileError,
    Slot,
    kek_wrap_ad,
    put_back,
    vault_key_user_info,
)
from workbook.vault.migrations import migrate

MAX_FAILURES = 10
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300
GENERIC_FAILURE = "wrong username or passphrase"


def delay_after(failures: int) -> int:
    """Seconds to wait before the next attempt: none for three, then doubling from one."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS))


def load_device_secret(vault_id: str) -> Secret:
    device_secret.select_backend()
    raw = device_secret.load_device_secret(vault_id)
    if raw is None:
        raise SignInFailed(
            "this OS account is not enrolled for this vault: its device secret is not in the "
            "keyring (enrol it with `workbook device enrol`)"
        )
    return Secret(raw)


def sign_in(
    vault_dir: Path, username: str, passphrase: str, *, clock: Clock = system_clock,
    accept_restore: bool = False,
) -> Session:
    """Sign in. `accept_restore` is for the owner only (`workbook vault accept-restore`): it
    accepts, audited, a vault older than this person or this OS account last saw."""
    username = username.strip()
    keyfile = KeyFile.load(vault_dir)
    d_secret = load_device_secret(keyfile.vault_id)
    try:
        body = keyfile.open_body(d_secret)
    except KeyFileError:
        d_secret.wipe()
        raise
    slot = body.accounts.get(username)
    now = clock()
    if slot is None:
        # Spend the same effort as a real attempt, so timing does not reveal valid usernames.
        stretch(passphrase, b"\0" * 16, KdfParams())
        _journal_failure(vault_dir, keyfile, body, username, now, "unknown user")
        d_secret.wipe()
        raise SignInFailed(GENERIC_FAILURE)
    try:
        slot, before, after = _take_attempt(vault_dir, d_secret, username, now)
    except BaseException:
        d_secret.wipe()
        raise
    params = KdfParams.from_json(slot.kdf)
    kek = derive_kek(stretch(passphrase, unb64(slot.salt), params), d_secret, keyfile.vault_id,
                     slot.user_id)
    try:
        opened = unwrap(kek.value, unb64(slot.kek_wrap),
                        kek_wrap_ad(keyfile.vault_id, slot.user_id, slot), "sign-in")
    except AuthenticationFailed:
        kek.wipe()
        _record_failure(vault_dir, keyfile, d_secret, username, now)
        d_secret.wipe()
        raise SignInFailed(GENERIC_FAILURE) from None

    content = json.loads(opened)
    keypair: KeyPair | None = None
    seen_seq, seen_hash = 0, ""
    person: Snapshot | None = None
    if slot.state == "initial":
        v_key = Secret(unb64(content["vault_key"]))
    else:
        keypair = KeyPair(Secret(unb64(content["seed"])))
        seen_seq, seen_hash = int(content.get("audit_seq", 0)), str(content.get("audit_hash", ""))
        try:
            person = Snapshot.from_json(content)
        except (ValueError, TypeError, IndexError, AttributeError):
            raise TamperingDetected("this account's remembered log heads do not read") from None
        if body.replica and content.get("replica") != body.replica:
            # Heads remembered on another replica (a slot that travelled, decision 0009) say
            # nothing about this replica's logs; this OS account's seen record still does.
            person, seen_seq, seen_hash = None, 0, ""
        if slot.vault_key_seal is None:
            raise TamperingDetected("the key file has no vault key for this account")
        try:
            v_key = Secret(keypair.open(
                unb64(slot.vault_key_seal),
                vault_key_user_info(keyfile.vault_id, slot.user_id, slot.vault_key_generation),
                "vault key",
            ))
        except AuthenticationFailed:
            raise TamperingDetected(
                "this account's vault key in the key file does not open: it was altered"
            ) from None
        if slot.pending_vault_key_seal is not None:
            # A rekey was interrupted: the database holds either the old or the new key.
            try:
                pending = Secret(keypair.open(
                    unb64(slot.pending_vault_key_seal),
                    vault_key_user_info(keyfile.vault_id, slot.user_id,
                                        keyfile.vault_key_generation + 1),
                    "vault key",
                ))
            except AuthenticationFailed:
                raise TamperingDetected("this account's pending vault key was altered") from None
            v_key = choose_vault_key(vault_dir, [v_key, pending])
    # The count taken before the KDF goes back to zero with the first key file update of the
    # session (its log heads), or here if the session cannot be opened.
    spare = Secret(bytes(d_secret.value))
    try:
        session = open_session(
            vault_dir, keyfile, body, d_secret, v_key, kek, slot.user_id, keypair, clock,
            seen=(seen_seq, seen_hash), person=person, accept_restore=accept_restore,
            reset_failures_of=username,
        )
    except BaseException:
        if not put_back(vault_dir, before, after):
            _reset_failures(vault_dir, spare, username)
        raise
    finally:
        spare.wipe()
    return session


def choose_vault_key(vault_dir: Path, candidates: list[Secret]) -> Secret:
    for candidate in candidates:
        try:
            connect(vault_dir, candidate).close()
            return candidate
        except VaultAltered:  # the key opened it: say what was altered
            raise
        except VaultDamaged:
            continue
    raise VaultDamaged("the vault database opens with none of this account's keys")


def open_session(
    vault_dir: Path, keyfile: KeyFile, body: KeyFileBody, d_secret: Secret, v_key: Secret,
    kek: Secret, user_id: str, keypair: KeyPair | None, clock: Clock,
    seen: tuple[int, str] = (0, ""), event: str = "sign_in",
    person: Snapshot | None = None, accept_restore: bool = False,
    reset_failures_of: str | None = None,
) -> Session:
    """Open the database and build the session; shared by sign-in and recovery."""
    conn = connect(vault_dir, v_key)
    try:
        migrate(conn)
        audit_pair = KeyPair(Secret(meta.get_blob(conn, "audit_seed") or b""))
        if b64(audit_pair.public.raw) != body.audit_public:
            raise TamperingDetected("the vault's audit key does not match the key file")
        trust = trust_mod.load_trust(conn, keyfile.vault_id, keyfile.recovery_public)
        user = signed_user(conn, keyfile, body, trust, user_id, keypair)
        if keypair is not None:
            trust.verified = VerifiedVersions.for_person(keypair.seed.value, keyfile.vault_id,
                                                          user_id)
        keys = SectionKeys(keyfile.vault_id, trust)
        if keypair is not None:
            keys.load_grants(conn, user_id, keypair)
        policy = parse_policy(verified_policy_text(conn, keyfile.vault_id, trust))
    except (DatabaseError, ValueError) as exc:
        conn.close()
        raise TamperingDetected(f"the vault could not be opened safely: {exc}") from None
    except BaseException:
        conn.close()
        raise
    session = Session(
        vault_dir=vault_dir, vault_id=keyfile.vault_id, conn=conn, clock=clock,
        device_secret=d_secret, vault_key=v_key, kek=kek, user=user, keypair=keypair,
        audit_key=audit_pair, trust=trust, keys=keys, policy=policy,
    )
    session.reset_failures_of = reset_failures_of
    trust.vouches = SessionVouches(session)
    if trust.broken_epochs:
        session.warnings.append(
            f"{len(trust.broken_epochs)} section key epoch(s) failed their signature check and "
            "were refused: the vault was altered outside Workbook; tell your team manager"
        )
    if _approval_lost(trust, user_id, keypair, session.must_replace_passphrase):
        session.warnings.append(
            "your keys were approved, but their certificate no longer holds: it was removed or "
            "altered outside Workbook, so entries written from now on may be kept from you; "
            "tell your team manager"
        )
    if trust.conflicted:
        session.warnings.append(
            "someone vouched for a second key for an account behind its owner's back; that "
            "account's signatures are not trusted until it is reset with the recovery key"
        )
    try:
        examine(session, person, keyfile.vault_key_generation, accept_restore)
        _check_audit_head(session, seen)
        _fold_journal(session)
        with session.write():
            session.audit(event)
            adopt_unindexed(session)
        session.remember_log_heads()
        if keypair is not None and not session.must_replace_passphrase:
            from workbook.services.authority import rotate_due_sections

            rotate_due_sections(session)
    except BaseException:
        session.lock()
        raise
    return session


def signed_user(conn: Connection, keyfile: KeyFile, body: KeyFileBody, trust: trust_mod.Trust,
                user_id: str, keypair: KeyPair | None) -> UserRow:
    """The account as signed state says (decision 0006): disabled, role and ownership from the
    signed membership log, "must replace the passphrase" from the key file slot. The users row
    is a display cache: altered or deleted, it neither locks anyone out nor lets anyone in."""
    from workbook.services.authority import load_membership

    membership = load_membership(conn, keyfile.vault_id, trust)
    if user_id in membership.disabled:
        raise SignInFailed("this account is disabled")
    username, slot = body.slot_for_user_id(user_id)
    row = accounts.by_id(conn, user_id) or UserRow(
        user_id, username, username, "", "", False, "", "",
        None if keypair is None else keypair.public.raw)
    role = membership.role_of(user_id)
    return replace(row, username=username, role=role.value if role else row.role,
                   status="initial" if slot.state == "initial" else "active",
                   is_owner=user_id == membership.owner)


def _approval_lost(trust: trust_mod.Trust, user_id: str, keypair: KeyPair | None,
                   initial: bool) -> bool:
    """A signed grant event sealed a section to this very key, yet no certificate makes it the
    person's current key now. Honest work never does that (a reset gives new keys); a moved or
    deleted certificate does, and rotations then leave the person out, so say so every time."""
    if keypair is None or initial or trust.holders is None:
        return False
    current = trust.current_key(user_id)
    if current is not None and current.raw == keypair.public.raw:
        return False
    mine = signatures.keys_digest(keypair.public.raw)
    return any(h.keys_digest == mine for held in trust.holders.held.values()
               for h in held.values() if h.holder == user_id)


def verified_policy_text(conn: Connection, vault_id: str, trust: trust_mod.Trust) -> str:
    """The newest policy, believed only if its author (the recovery key at init, else the
    administrator who changed it) signed it."""
    row = policy_store.newest(conn)
    if row is None:
        raise TamperingDetected("the vault has no policy")
    text, author, at, signature = row.text, row.author, row.at, row.signature
    message = signatures.policy(vault_id, text, author, at)
    if author != RECOVERY:
        from workbook.services.authority import load_membership, may_administer

        # The author's standing when they signed, not now: a later role change must not
        # turn an honest policy into "tampering" and lock the team out.
        then = load_membership(conn, vault_id, trust, until=at)
        if not may_administer(conn, vault_id, trust, then, author) or \
                not may(then.role_of(author), Act.CHANGE_POLICY):
            raise TamperingDetected("the vault's policy was altered: it was not set by the "
                                    "administrator")
    if trust.verify_by(author, signature, message):
        return text
    raise TamperingDetected("the vault's policy was altered: its signature does not verify")


def _check_audit_head(session: Session, seen: tuple[int, str]) -> None:
    seq, digest = seen
    if seq <= 0:
        return
    stored = audit_log.hash_at(session.conn, seq)
    if stored is None or stored.hex() != digest:
        session.warnings.append(
            "the audit log was truncated or rewritten since you last signed in: tell your team "
            "manager and run `workbook audit verify`"
        )
        with session.write():
            session.audit("audit_rollback_detected", {"expected_seq": seq})
    uses: dict[str, list[str]] = {}
    for row in audit_log.rows(session.conn, after_seq=seq):
        if row.event == "recovery_key_used":
            uses.setdefault(str(row.ids.get("purpose", "recovery")), []).append(row.at[:10])
    for purpose, days in sorted(uses.items()):
        times = "once" if len(days) == 1 else f"{len(days)} times"
        session.announcements.append(
            f"the recovery key was used {times} to {purpose} ({days[0]} to {days[-1]})"
            if len(days) > 1 else f"the recovery key was used on {days[0]} to {purpose}"
        )


def _fold_journal(session: Session) -> None:
    events, bad = journal.read(session.vault_dir, session.vault_id, session.audit_key)
    if not events and not bad:
        return
    with session.write():
        for event in events:
            ids = {"journal_id": str(event.get("id", "")), "attempted_at": str(event.get("at", "")),
                   "username": str(event.get("username", ""))[:64]}
            if not audit_log.has_event_with_ids(session.conn, "sign_in_failed", ids):
                session.audit("sign_in_failed", ids)
        if bad:
            session.audit("journal_damaged", {"unreadable_lines": bad})
    journal.clear(session.vault_dir)


def _journal_failure(
    vault_dir: Path, keyfile: KeyFile, body: KeyFileBody, username: str, now: datetime,
    reason: str,
) -> None:
    if not body.audit_public:
        return
    journal.append(
        vault_dir, keyfile.vault_id, PublicKeys(unb64(body.audit_public)),
        {"id": new_id(), "at": stamp(now), "username": username[:64], "reason": reason},
    )


def _take_attempt(vault_dir: Path, d_secret: Secret, username: str, now: datetime
                  ) -> tuple[Slot, bytes, bytes]:
    """Count this attempt as a failure BEFORE the passphrase is stretched, under the key file's
    lock, so N attempts running in parallel count N and the delay or lock-out applies to the
    next one (reading the counter before Argon2id and writing it after let 24 parallel tries
    run 13 evaluations). A correct passphrase takes the count back to zero."""
    taken: list[Slot] = []
    before: list[bytes] = []

    def change(_kf: KeyFile, body: KeyFileBody) -> None:
        before.append(KeyFile.path(vault_dir).read_bytes())
        slot = body.accounts.get(username)
        if slot is None:
            raise SignInFailed(GENERIC_FAILURE)
        if slot.locked:
            raise SignInFailed(
                f"this account is locked after {MAX_FAILURES} failed sign-ins; an administrator "
                "can unlock it (workbook user unlock)"
            )
        if slot.failed and slot.last_failed:
            wait_until = datetime.fromisoformat(slot.last_failed) + timedelta(
                seconds=delay_after(slot.failed)
            )
            if now < wait_until:
                seconds = int((wait_until - now).total_seconds()) + 1
                raise SignInFailed(
                    f"too many failed sign-ins: wait {seconds} seconds before trying again"
                )
        slot.failed += 1
        slot.last_failed = now.isoformat()
        taken.append(slot)

    # Not fsynced: what makes parallel attempts count is the lock and the atomic rename; a wrong
    # passphrase's failure is written durably just after (_record_failure).
    written = KeyFile.update(vault_dir, d_secret, change, durable=False)
    return taken[0], before[0], written.to_bytes()


def _record_failure(
    vault_dir: Path, keyfile: KeyFile, d_secret: Secret, username: str, now: datetime
) -> None:
    """The attempt was already counted (_take_attempt); lock the account at the limit."""
    def change(_kf: KeyFile, body: KeyFileBody) -> None:
        slot = body.accounts[username]
        if slot.failed >= MAX_FAILURES:
            slot.locked = True

    updated = KeyFile.update(vault_dir, d_secret, change)
    _journal_failure(vault_dir, keyfile, updated.open_body(d_secret), username, now,
                     "wrong passphrase")


def _reset_failures(vault_dir: Path, d_secret: Secret, username: str) -> None:
    def change(_kf: KeyFile, body: KeyFileBody) -> None:
        slot = body.accounts[username]
        slot.failed = 0
        slot.last_failed = None

    KeyFile.update(vault_dir, d_secret, change)
