"""Closings attested by a supervisor, so that a person's first sign-in checks one signature per
attestation rather than one per family closed in ten years (issue 19; crypto.md C23).

A fresh reading of the list of families (a first sign-in, and every sign-in after a disposal
or a change of keys) leaves unread the families the verified retention log shows closed, and
so verified every closing's signature: 19,600 signatures, 2.2 s before home at 20,000
families, for a person who has never signed in. Receipts (C22) spare that only from the
person's second fresh reading on.

When someone who may close a family ends a session whose fresh reading accepted closings no
attestation covers (each verified by its signature or by their own receipt of it), they sign
one attestation naming those closings by their ids (`retention_log.closing_id`: a digest of
the closing's signed message and its signature). A reader takes a closing as verified if an
attestation names it that verifies under the trusted key of a person who may close a family
*now* (active, by the signed membership log): that person could have signed the closing
themselves, so believing their word that its signature verified gives nobody more than they
hold. Everything else - the closer's own right to close, the family record's headers
(closed_by_log.py), reopenings - is checked as before; an attestation only stands in for a
closing's Ed25519 check.

Attestations travel as retention log entries under a family id no family has (so replicas
carry them like any entry), content-free: ids of closings, who, when. Planted, altered or
deleted by SQL (the attacker holds the database key), an attestation either does not verify,
is by someone who may not close a family, or is missing: each leaves the closings it would
have named to their own signatures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.crypto.encoding import b64, fields, unb64
from workbook.domain.acts import Act, may
from workbook.services.errors import NotPermitted
from workbook.vault import retention_store
from workbook.vault.database import VaultBusy, transaction
from workbook.vault.retention_store import LogEntry

if TYPE_CHECKING:
    from workbook.services.session import Session

ATTESTED = "attested"
# The family id attestations are kept under: family ids are hex, so no family has this one.
ATTESTATIONS = "attested closings"
# Fewer new closings than this wait for a later fresh reading: each attestation is one more
# signature every reader checks, so a vault keeps about one per AT_LEAST closings.
AT_LEAST = 64
_ID_BYTES = 32


def attestation_message(vault_id: str, by: str, at: str, closings: bytes) -> bytes:
    return fields("workbook retention closings attested v1", vault_id, by, at, closings)


def _packed(closing_ids: set[str]) -> bytes:
    return b"".join(bytes.fromhex(c) for c in sorted(closing_ids))


class ClosingAttestations:
    """The session's view of the attestations (loaded when a fresh reading first asks) and the
    closings its own fresh reading accepted that none covers (attested at sign-out)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._covered: set[str] | None = None
        self._accepted: set[str] = set()

    def covers(self, closing: str) -> bool:
        if self._covered is None:
            self._covered = self._load()
        return closing in self._covered

    def accepted(self, closing: str) -> None:
        """A closing this person's reading verified (by its signature or their receipt) that
        no attestation covers."""
        self._accepted.add(closing)

    def _load(self) -> set[str]:
        """The ids every believed attestation names."""
        s = self.s
        membership = s.membership()
        out: set[str] = set()
        for entry in retention_store.log_of(s.conn, ATTESTATIONS):
            by, at, packed = (entry.body.get(k) for k in ("by", "at", "closings"))
            if entry.kind != ATTESTED or not all(isinstance(v, str) for v in (by, at, packed)):
                continue
            assert isinstance(by, str) and isinstance(at, str) and isinstance(packed, str)
            if not (membership.is_active(by) and may(membership.role_of(by), Act.CLOSE_FAMILY)):
                continue
            try:
                closings = unb64(packed)
            except ValueError:
                continue
            if len(closings) % _ID_BYTES or not s.trust.verify_by(
                    by, entry.signature, attestation_message(s.vault_id, by, at, closings)):
                continue
            out.update(closings[i:i + _ID_BYTES].hex()
                       for i in range(0, len(closings), _ID_BYTES))
        return out

    def before_lock(self) -> None:
        """Sign out: attest what this session's reading accepted (Session.lock asks)."""
        self.attest()

    def attest(self) -> bool:
        """Sign and keep one attestation of the accepted closings, if there are AT_LEAST of
        them and this person may close a family with approved keys. Best effort, as receipts
        are: a busy vault only means a later reading attests them."""
        s = self.s
        if len(self._accepted) < AT_LEAST or not s.may(Act.CLOSE_FAMILY):
            return False
        try:
            keypair = s.require_certified()
        except NotPermitted:
            return False
        closings = _packed(self._accepted)
        at = s.now()
        entry = LogEntry(ATTESTATIONS, ATTESTED, {"by": s.user_id, "at": at,
                                                  "closings": b64(closings)},
                         keypair.sign(attestation_message(s.vault_id, s.user_id, at, closings)))
        try:
            if s.conn.in_transaction:
                retention_store.put_log_entry(s.conn, entry)
            else:
                with transaction(s.conn):
                    retention_store.put_log_entry(s.conn, entry)
        except VaultBusy:
            return False
        if self._covered is not None:
            self._covered |= self._accepted
        self._accepted = set()
        return True
