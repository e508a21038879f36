"""Remembering which versions this person has already verified, so a signature is checked
once per person rather than on every read.

Sound because a version id is the hash of the signed version (message and signature): a row
that decrypts and hashes to a verified id carries exactly the message and signature that were
verified. In memory for the session, and across sessions as receipts: HMAC(version id) under a
key derived from the person's own private key, stored per family. Only that person can make a
receipt, so a holder of the database key cannot mark a forgery as verified; copying receipts
between rows achieves nothing, because the id check runs first."""

from __future__ import annotations

from collections.abc import Iterable

from workbook.crypto.encoding import field, fields
from workbook.crypto.symmetric import KeyedMac, hkdf
from workbook.vault import receipt_store
from workbook.vault.database import Connection, VaultBusy, transaction

_RECEIPT = fields("receipt")


class VerifiedVersions:
    def __init__(self, key: bytes | None = None) -> None:
        self._key = key
        self._mac = None if key is None else KeyedMac(key)
        self._known: set[str] = set()
        self._receipts: set[bytes] = set()
        self._loaded_families: set[str] = set()
        self._loaded_kinds: set[str] = set()
        self._loaded_pairs: set[tuple[str, str]] = set()  # (family, kind)
        # Receipts not stored yet, by family: opening a family stores its own, and a first
        # sign-in's home leaves a hundred thousand others waiting for sign-out (issue 19).
        self._new: dict[str, dict[bytes, str]] = {}  # family -> receipt -> kind

    @classmethod
    def for_person(cls, seed: bytes | bytearray, vault_id: str, user_id: str) -> VerifiedVersions:
        return cls(hkdf(seed, fields("workbook verification receipt v1", vault_id, user_id)))

    def _receipt(self, version_id: str) -> bytes:
        assert self._mac is not None
        return self._mac.tag(_RECEIPT + field(version_id))[:16]

    def load_family(self, conn: Connection, family_id: str) -> None:
        if self._key is None or family_id in self._loaded_families:
            return
        self._receipts.update(receipt_store.of_family(conn, family_id))
        self._loaded_families.add(family_id)

    def load_families(self, conn: Connection, family_ids: Iterable[str],
                      kind: str | None = None) -> None:
        """The receipts of these families (of `kind` only, if given), those not loaded yet,
        in a few queries: a reader of the open families loads what it reads, not a kind's
        receipts for the whole vault (issue 19: ten years of closed families)."""
        if self._key is None or kind in self._loaded_kinds:
            return
        wanted = [f for f in dict.fromkeys(family_ids) if f not in self._loaded_families
                  and (kind is None or (f, kind) not in self._loaded_pairs)]
        if not wanted:
            return
        self._receipts.update(receipt_store.of_families(conn, wanted, kind))
        if kind is None:
            self._loaded_families.update(wanted)
        else:
            self._loaded_pairs.update((f, kind) for f in wanted)

    def families_loaded(self) -> frozenset[str]:
        """The families whose receipts (all, or of some kind) are loaded (tests: what a
        reader cost)."""
        return frozenset(self._loaded_families | {f for f, _kind in self._loaded_pairs})

    def load_kind(self, conn: Connection, kind: str) -> None:
        if self._key is None or kind in self._loaded_kinds:
            return
        self._receipts.update(receipt_store.of_kind(conn, kind))
        self._loaded_kinds.add(kind)

    def is_verified(self, version_id: str) -> bool:
        if version_id in self._known:
            return True
        if self._key is not None and self._receipts and self._receipt(version_id) in self._receipts:
            self._known.add(version_id)
            return True
        return False

    def mark(self, version_id: str, family_id: str, kind: str) -> None:
        self._known.add(version_id)
        if self._key is not None:
            receipt = self._receipt(version_id)
            if receipt not in self._receipts:
                self._receipts.add(receipt)
                self._new.setdefault(family_id, {})[receipt] = kind

    def flush(self, conn: Connection, family_id: str | None = None) -> None:
        """Store new receipts (only `family_id`'s, if given); inside the caller's transaction
        if one is open. Best effort: a busy vault only means the signatures are checked again
        next time. Opening a family stores that family's alone: a first sign-in's home and
        family list verify thousands of versions elsewhere, and storing their receipts in the
        family's first look made it wait seconds (issue 19); they are stored at sign-out."""
        waiting = self._new if family_id is None else {
            family_id: self._new.get(family_id, {})}
        # In the table's key order, so that receipts that share a page are written together.
        rows = sorted((family, kind, receipt) for family, receipts in waiting.items()
                      for receipt, kind in receipts.items())
        if not rows:
            return
        try:
            if conn.in_transaction:
                receipt_store.insert_many(conn, rows)
            else:
                # Outside a transaction each row would commit (and fsync) on its own: at
                # sign-out after a long session that was minutes for a hundred thousand.
                with transaction(conn):
                    receipt_store.insert_many(conn, rows)
        except VaultBusy:
            return
        if family_id is None:
            self._new.clear()
        else:
            del self._new[family_id]

    def wipe(self) -> None:
        self._key = None
        self._mac = None
        self._known.clear()
        self._receipts.clear()
        self._loaded_families.clear()
        self._loaded_kinds.clear()
        self._loaded_pairs.clear()
        self._new.clear()
