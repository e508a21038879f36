"""Closed families attested by a supervisor, so that a person's first sign-in costs the families
open now, not every closing of ten years (issue 19; crypto.md C35).

A fresh reading of the list of families (a first sign-in, and every sign-in after a disposal
or a change of keys) leaves unread the families the verified retention log shows closed
(closed_by_log.py): it read every entry of the log and every family record's clear headers,
and checked every closing's signature - 19,600 of each at 20,000 families, 2.8 s before home
for a person who has never signed in. Receipts (C22) spare the signatures only from the
person's second fresh reading on.

When someone who may close a family ends a session whose fresh reading left closed families
unread that no attestation covers, they sign one attestation naming each such family with its
closer and how many versions its family record had, the families grouped by the two (decision
0010 point 31: the first form, still read, named each family's closing as well - 1.3 MB of a
2.8 MB body at 20,000, read and parsed at every first sign-in, and saying nothing the count
does not: a family closed again has a version more).
A reader believes an attestation that verifies under the trusted key of a person who may close
a family *now* (active, by the signed membership log): that person could have closed any of
those families themselves, so believing their reading gives nobody more than they hold. A
family it names is left unread while its family record has the same number of versions (they
are only ever added: a reopening, or any change, adds one) and its closer may still close a
family; every other family goes the log's way, as before. So a first sign-in reads the
attestations, counts each family's record versions in one pass of an index, and reads the
log and headers of the open families only.

Attestations travel as retention log entries under a family id no family has (replicas carry
them like any entry), content-free: ids, counts, who, when. Planted, altered or
deleted by SQL (the attacker holds the database key), an attestation either does not verify,
is by someone who may not close a family, or is missing: each leaves its families to the log.
A version added by SQL changes a count, so that family is read; deleting a genuine version
(a reopening) so that the count matches again is destroying it, which the log's way does not
withstand either (threat-model.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import fields
from workbook.domain.acts import Act, may
from workbook.services.errors import NotPermitted
from workbook.vault import retention_store
from workbook.vault.database import VaultBusy

if TYPE_CHECKING:
    from workbook.services.session import Session

ATTESTED = "attested"
# The two forms of the body: "closed" groups (now written), "families" one by one (read only).
GROUPED, ONE_BY_ONE = "closed", "families"
# The family id attestations are kept under: family ids are hex, so no family has this one.
ATTESTATIONS = "attested closings"
# Fewer newly settled families than this wait for a later fresh reading: each attestation is
# one more signature every first sign-in checks, so a vault keeps about one per AT_LEAST.
AT_LEAST = 64


@dataclass(frozen=True, slots=True)
class Settled:
    """A family closed and left unread by a fresh reading: whose closing, and the number of
    versions its family record then had."""

    closed_by: str
    records: int


# (closer, number of family-record versions, the family ids): what an attestation says.
Group = tuple[str, int, list[str]]


def attestation_message(vault_id: str, body: bytes) -> bytes:
    """Signed over the body exactly as stored, so what is read is what was signed; each form
    under its own label, so a body cannot be read in the other form."""
    return fields("workbook retention closings attested v2", vault_id, body)


def one_by_one_message(vault_id: str, body: bytes) -> bytes:
    """The first form's label (its families one by one, each with its closing)."""
    return fields("workbook retention closings attested v1", vault_id, body)


class ClosingAttestations:
    """The session's view of the attestations (read when a fresh reading first asks) and the
    families its own fresh reading settled by the log (attested at sign-out)."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._said: list[Group] | None = None
        self._believed: dict[str, list[Settled]] | None = None
        self._accepted: dict[str, Settled] = {}

    def believed(self) -> dict[str, list[Settled]]:
        """Family id -> what each believed attestation says of it."""
        if self._believed is None:
            believed: dict[str, list[Settled]] = {}
            for closer, records, family_ids in self._groups_said():
                settled = Settled(closer, records)
                for family_id in family_ids:
                    believed.setdefault(family_id, []).append(settled)
            self._believed = believed
        return self._believed

    def unread(self, counts: Mapping[str, int], may_close: Callable[[str], bool]) -> set[str]:
        """The families some believed attestation leaves unread: it names the number of
        versions their family record has now, and a closer who may close a family now. One
        pass over what the attestations say, nothing made for each family: ten years of
        closings are twenty thousand of them, read at every first sign-in (issue 19)."""
        out: set[str] = set()
        closers: dict[str, bool] = {}
        for closer, records, family_ids in self._groups_said():
            allowed = closers.get(closer)
            if allowed is None:
                allowed = closers[closer] = may_close(closer)
            if allowed:
                out.update(f for f in family_ids if counts.get(f) == records)
        return out

    def accepted(self, family_id: str, settled: Settled) -> None:
        """A family this person's reading left unread by the verified log."""
        self._accepted[family_id] = settled

    def _groups_said(self) -> list[Group]:
        """What each attestation that is believed says (parsed and its signature checked once
        a session)."""
        if self._said is None:
            self._said = self._load()
        return self._said

    def _load(self) -> list[Group]:
        s = self.s
        membership = s.membership()
        out: list[Group] = []
        for signature, kind, body in retention_store.raw_log_of(s.conn, ATTESTATIONS):
            try:
                found = json.loads(body.decode())
            except ValueError:
                continue
            if not isinstance(found, dict) or kind != ATTESTED.encode():
                continue
            by = found.get("by")
            grouped = _groups(found)
            if (grouped is None or not isinstance(by, str)
                    or not (membership.is_active(by)
                            and may(membership.role_of(by), Act.CLOSE_FAMILY))):
                continue
            message = attestation_message if GROUPED in found else one_by_one_message
            if s.trust.verify_by(by, signature, message(s.vault_id, body)):
                out.extend(grouped)
        return out

    def before_lock(self) -> None:
        """Sign out: attest what this session's reading settled (Session.lock asks)."""
        self.attest()

    def attest(self) -> bool:
        """Sign and keep one attestation of the families settled by this session's reading
        that no believed attestation says the same of, if there are AT_LEAST and this person
        may close a family with approved keys. Best effort, as receipts are: a busy vault only
        means a later reading attests them."""
        s = self.s
        believed = self.believed() if self._accepted else {}
        new = {f: settled for f, settled in self._accepted.items()
               if settled not in believed.get(f, ())}
        if len(new) < AT_LEAST or not s.may(Act.CLOSE_FAMILY):
            return False
        try:
            keypair = s.require_certified()
        except NotPermitted:
            return False
        grouped: dict[tuple[str, int], list[str]] = {}
        for family_id, settled in sorted(new.items()):
            grouped.setdefault((settled.closed_by, settled.records), []).append(family_id)
        groups: list[Group] = [(closer, records, ids)
                               for (closer, records), ids in sorted(grouped.items())]
        body = json.dumps({"by": s.user_id, "at": s.now(), GROUPED: groups},
                          sort_keys=True, separators=(",", ":"))
        signature = keypair.sign(attestation_message(s.vault_id, body.encode()))
        try:
            with s.write():
                retention_store.put_raw_log_entry(s.conn, signature, ATTESTATIONS, ATTESTED,
                                                  body)
        except VaultBusy:
            return False
        for family_id, settled in new.items():
            believed.setdefault(family_id, []).append(settled)
        if self._said is not None:
            self._said.extend(groups)
        self._accepted = {}
        return True


def _groups(found: dict[str, Any]) -> list[Group] | None:
    """What a body says, in either form, or None if its shape is not one of them. A grouped
    body is taken whole or not at all; in the first form each family's entry stands alone,
    as that form was read."""
    if GROUPED in found:
        said = found[GROUPED]
        if ONE_BY_ONE in found or type(said) is not list:
            return None
        out: list[Group] = []
        for group in said:
            if not (type(group) is list and len(group) == 3 and type(group[0]) is str
                    and type(group[1]) is int and type(group[2]) is list
                    and all(type(f) is str for f in group[2])):
                return None
            out.append((group[0], group[1], group[2]))
        return out
    families = found.get(ONE_BY_ONE)
    if not isinstance(families, dict):
        return None
    by_closer: dict[tuple[str, int], list[str]] = {}
    for family_id, entry in families.items():
        if (type(entry) is list and len(entry) == 3 and type(entry[0]) is str
                and type(entry[1]) is str and type(entry[2]) is int):
            by_closer.setdefault((entry[1], entry[2]), []).append(family_id)
    return [(closer, records, ids) for (closer, records), ids in by_closer.items()]
