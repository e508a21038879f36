"""Sign-in slots travel between replicas, so a new account or a passphrase change made on one
PC holds on every PC after its next sync (decision 0009).

A slot is what the key file holds for one account: Argon2id parameters, salt, the KEK wrap and
the vault key sealed to the account's keys. A slot is "changed here" when its (salt, state)
differs from the version this replica last sent or received (`replica_slots`); it is then sent
with the time of that sync, and a receiver keeps whichever version carries the later time. The
sign-in counters and lock-outs stay per replica and never travel. Slots are no more trusted
than today: they open only with the person's passphrase, and what they unlock is checked
against signed state at sign-in as on a single PC."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64
from workbook.services.access import slot_changes
from workbook.services.authority import Trust, load_membership, load_trust
from workbook.services.errors import InvalidInput
from workbook.vault import replica_store
from workbook.vault.keyfile import KeyFile, KeyFileBody, Slot, vault_key_user_info

if TYPE_CHECKING:
    from workbook.services.session import Session

TRAVELLING = ("user_id", "kdf", "salt", "state", "kek_wrap", "vault_key_seal",
              "vault_key_generation", "changed_at", "changed_by", "change_signature")
OPTIONAL = ("vault_key_seal", "changed_at", "changed_by", "change_signature")


def outgoing(session: Session, stamp: str) -> dict[str, dict[str, Any]]:
    """The slots changed here since they last travelled, stamped `stamp`."""
    body = KeyFile.load(session.vault_dir).open_body(session.device_secret)
    marks = replica_store.slot_marks(session.conn)
    out = {}
    for username, slot in sorted(body.accounts.items()):
        mark = marks.get(username)
        if mark is not None and mark[:2] == (slot.salt, slot.state):
            continue
        out[username] = {**{k: getattr(slot, k) for k in TRAVELLING}, "stamp": stamp}
    return out


def remember_sent(session: Session, slots: dict[str, dict[str, Any]]) -> None:
    for username, slot in slots.items():
        replica_store.put_slot_mark(session.conn, username, slot["salt"], slot["state"],
                                    slot["stamp"])


def remember_all(session: Session, body: KeyFileBody, stamp: str) -> None:
    """Every slot of `body` counts as sent (at set-up and at a join)."""
    for username, slot in body.accounts.items():
        replica_store.put_slot_mark(session.conn, username, slot.salt, slot.state, stamp)


def _checked(username: object, data: object) -> tuple[str, dict[str, Any]]:
    if not isinstance(username, str) or not isinstance(data, dict):
        raise InvalidInput("a slot is malformed")
    kinds = {"user_id": str, "kdf": dict, "salt": str, "state": str, "kek_wrap": str,
             "vault_key_generation": int, "stamp": str}
    for key, kind in kinds.items():
        if not isinstance(data.get(key), kind):
            raise InvalidInput(f"a slot's {key} is malformed")
    for key in OPTIONAL:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidInput(f"a slot's {key} is malformed")
    if data["state"] not in {"initial", "active"}:
        raise InvalidInput("a slot's state is unknown")
    return username, data


def _seal_own_key(session: Session, trust: Trust, keyfile: KeyFile, slot: Slot,
                  local: Slot | None) -> None:
    """The received slot's seal is of the sending replica's database key, which is its own
    (each replica rekeys its own file at a disable: generations are not comparable across
    replicas). Seal this replica's key to the person's certified key instead; without one (an
    account not yet approved), keep this replica's own seal, or the received one where this
    replica has none (a slot new here, or an initial one: the replicas' keys are the same
    until a disable)."""
    key = trust.current_key(slot.user_id) if slot.state == "active" else None
    if key is not None:
        generation = keyfile.vault_key_generation
        slot.vault_key_seal = b64(key.seal(session.vault_key.value, vault_key_user_info(
            keyfile.vault_id, slot.user_id, generation)))
        slot.vault_key_generation = generation
    elif local is not None and local.vault_key_seal is not None:
        slot.vault_key_seal = local.vault_key_seal
        slot.vault_key_generation = local.vault_key_generation


def _received(data: dict[str, Any]) -> Slot:
    return Slot(data["user_id"], dict(data["kdf"]), data["salt"], data["state"],
                data["kek_wrap"], data.get("vault_key_seal"), data["vault_key_generation"],
                changed_at=data.get("changed_at"), changed_by=data.get("changed_by"),
                change_signature=data.get("change_signature"))


def _later(session: Session, trust: Trust, slot: Slot, stamp: str, local: Slot | None,
           local_stamp: str) -> bool:
    """Whether a received slot replaces this replica's: the later signed time wins
    (services/access/slot_changes.py), so an old slot sent again, or a local mark altered
    by SQL, cannot bring back an old passphrase; the sync's stamp decides only between two
    slots neither of which is signed (made before slots were signed). The same salt is the
    same slot: this replica keeps its own, whose wrap holds its own log heads."""
    if local is None:
        return True
    if local.salt == slot.salt:
        return False
    mine = slot_changes.signed_time(session.conn, session.vault_id, trust, local)
    theirs = slot_changes.signed_time(session.conn, session.vault_id, trust, slot)
    return (theirs, stamp, slot.salt) > (mine, local_stamp, local.salt)


def incoming(session: Session, slots: object) -> int:
    """Apply received slots made later than this replica's; the number applied. Called inside
    the file's transaction, so a refused file leaves the key file as it was."""
    if not isinstance(slots, dict):
        raise InvalidInput("the slots are malformed")
    marks = replica_store.slot_marks(session.conn)
    received = dict(_checked(name, raw) for name, raw in slots.items())
    here = KeyFile.load(session.vault_dir).open_body(session.device_secret).accounts
    if all(u in here and here[u].salt == d["salt"] for u, d in received.items()):
        return 0  # every one is a slot this replica holds already: the key file stays as it is
    # The file's certificates and membership events are stored, not yet in the session's trust.
    trust = load_trust(session.conn, session.vault_id, session.trust.recovery)
    disabled = load_membership(session.conn, session.vault_id, trust).disabled
    applied: dict[str, dict[str, Any]] = {}

    def change(keyfile: KeyFile, body: KeyFileBody) -> None:
        for username, data in received.items():
            local = body.accounts.get(username)
            slot = _received(data)
            mark = marks.get(username)
            if slot.user_id in disabled or not _later(
                    session, trust, slot, data["stamp"], local, mark[2] if mark else ""):
                continue
            _seal_own_key(session, trust, keyfile, slot, local)
            if local is not None:
                slot.failed, slot.last_failed, slot.locked = (local.failed, local.last_failed,
                                                              local.locked)
            body.accounts[username] = slot
            applied[username] = data

    KeyFile.update(session.vault_dir, session.device_secret, change)
    for username, data in applied.items():
        replica_store.put_slot_mark(session.conn, username, data["salt"], data["state"],
                                    data["stamp"])
    return len(applied)
