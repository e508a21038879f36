"""Receiving a bundle: verify, preview, apply (docs/bundle-format.md, "Receiving").

Verify reads nothing but the header, the signature and the body's digest. The preview decrypts
and validates every frame without writing, and is computed from clear version headers, so it
shows nothing of sections the person cannot read. Apply first validates the whole bundle
without writing, so a refused bundle leaves the vault unchanged, then writes it in batches
(services/sharing/receive_limits.py) with the "received" record in the last one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.domain.history import HistoryPoint, head_ids
from workbook.domain.roles import Section
from workbook.domain.sequence_gaps import sequence_gaps
from workbook.services.authority import (
    RECOVERY,
    GroupKey,
    encrypt_for_holder,
    row_ad,
    sealed_groups,
    verify_envelope,
)
from workbook.services.errors import InvalidInput, TamperingDetected
from workbook.services.sharing.consents import received_check
from workbook.services.sharing.partners import Partner, load_partners, unknown_sections
from workbook.services.sharing.receive_limits import (
    BatchWriter,
    ReceiveLimits,
    over_cap,
    partner_usage,
)
from workbook.services.sharing.sending import CONSENTS, SHAREABLE_KINDS
from workbook.services.sharing.vouches import SessionVouches, vouch_message
from workbook.services.upkeep.tombstones import disposed_refusal
from workbook.sync.bundle import CheckedBundle, check_bundle
from workbook.sync.card import Card, parse_card
from workbook.sync.errors import BundleRefused
from workbook.vault import accounts, audit_versions, sharing_store, version_store
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

Progress = Callable[[int, int], None]
_ID = re.compile(r"[0-9a-f]{32}")
_MAX_TEXT = 4000
_MAX_BODY = 6 * 1024 * 1024


class RefusedBundle(InvalidInput):
    """A bundle failed a check; the vault is unchanged."""


def acceptable_family(session: Session, family_id: str, decision_families: set[str]
                      ) -> str | None:
    """Why versions of this family may not be imported, or None if they may. The one place
    that decides which families a bundle may touch (the lead adds "not disposed" here)."""
    if family_id not in decision_families:
        return "a family that its sharing decision does not name"
    home = version_store.family_of_record(session.conn, family_id)
    if home is not None and home != family_id:
        return "a family whose id is another record's here"
    return None


@dataclass(frozen=True)
class Incoming:
    version_id: str
    family_id: str
    record_id: str
    kind: str
    parents: tuple[str, ...]
    created_at: str


@dataclass
class Preview:
    sender: str
    team: str
    bundle_id: str
    sequence: int
    created_at: str
    already_received: bool = False
    decision: dict[str, Any] = field(default_factory=dict)
    families: list[str] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    versions: int = 0
    known_versions: int = 0
    missing_sequences: list[int] = field(default_factory=list)
    missing_count: int = 0
    applied: bool = False
    transactions: int = 0
    longest_write_s: float = 0.0
    partner_received: int = 0
    caps: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "sender": self.sender, "team": self.team, "bundle_id": self.bundle_id,
            "sequence": self.sequence, "created_at": self.created_at,
            "already_received": self.already_received, "applied": self.applied,
            "decision": self.decision, "families": self.families, "added": self.new,
            "changed": self.changed, "conflicts": self.conflicts,
            "versions": self.versions, "already_here": self.known_versions,
            "missing_sequences": self.missing_sequences, "missing_count": self.missing_count,
            "partner_versions_in_period": self.partner_received, "caps": self.caps,
        }


def refuse(why: str) -> RefusedBundle:
    return RefusedBundle(f"bundle refused: {why}; nothing was changed")


class Receiving:
    def __init__(self, session: Session, limits: ReceiveLimits | None = None) -> None:
        self.s = session
        self.limits = limits or ReceiveLimits()

    # --- stage 1: verify -----------------------------------------------------------------
    def check(self, path: Path) -> tuple[CheckedBundle, Partner]:
        """Header, recipient, pinned sender and signature, body digest; nothing decrypted."""
        self.s.require_practitioner()
        partners = load_partners(self.s)
        found: dict[str, Partner] = {}

        def sender_key(sender: str) -> PublicKeys:
            partner = partners.get(sender)
            if partner is None:
                raise BundleRefused("the bundle is from a vault that is not a partner of this "
                                    "one (add it with `workbook partner add`)")
            if partner.removed:
                raise BundleRefused(f"the bundle is from {partner.team}, which was removed as a "
                                    "partner")
            found["partner"] = partner
            return partner.identity

        try:
            checked = check_bundle(path, this_vault=self.s.vault_id, sender_key=sender_key,
                                   max_body_bytes=self.limits.max_bytes)
        except BundleRefused as exc:
            raise refuse(str(exc)) from None
        return checked, found["partner"]

    # --- stages 2 and 3: preview, then apply ----------------------------------------------
    def preview(self, path: Path) -> Preview:
        return self.receive(path, dry_run=True)

    def receive(self, path: Path, *, dry_run: bool = False, progress: Progress | None = None
                ) -> Preview:
        """Every frame validated and every version checked, writing nothing; then (unless
        `dry_run`) the validated versions written in batches, the last batch with the vouches,
        the partner's card, the "received" record and the audit event. A crash between batches
        leaves versions (set union, idempotent) that a second import of the bundle completes."""
        checked, partner = self.check(path)
        h = checked.header
        preview = Preview(partner.vault_id, partner.team, h.bundle_id, h.sequence, h.created_at,
                          caps=self.limits.to_json())
        if sharing_store.was_received(self.s.conn, partner.vault_id, h.bundle_id):
            preview.already_received = True
            return preview
        seen = sharing_store.received_sequences(self.s.conn, partner.vault_id)
        gaps = sequence_gaps([h.sequence, *seen])
        preview.missing_sequences, preview.missing_count = gaps.missing, gaps.count
        used = partner_usage(self.s, partner.vault_id, self.limits)
        identity = self.s.identity
        walk = _Walk(self.s, checked, partner, identity.keypair(), apply=not dry_run,
                     progress=progress, limits=self.limits, partner_used=used)
        walk.run()
        preview.partner_received = used + walk.carried
        if not dry_run:
            writer = BatchWriter(self.s, self.limits)
            if walk.rows is not None:
                for row in walk.rows:
                    writer.add(row)
            else:
                again = _Walk(self.s, checked, partner, identity.keypair(), apply=True,
                              limits=self.limits, partner_used=used, expect=walk.validated,
                              sink=writer.add)
                again.run()

            def last() -> None:
                for row in walk.vouches:
                    sharing_store.put_vouch(self.s.conn, row)
                if walk.card is not None:
                    self.s.partners.offer_card(partner, walk.card)
                if sharing_store.was_received(self.s.conn, partner.vault_id, h.bundle_id):
                    return  # received meanwhile by another window: the versions are a union
                sharing_store.record_received(self.s.conn, partner.vault_id, h.bundle_id,
                                              h.sequence, self.s.now())
                identity.pass_on()
                self.s.audit("bundle_received", {
                    "partner": partner.vault_id, "bundle": h.bundle_id, "sequence": h.sequence,
                    "families": sorted(walk.decision_families), "added": writer.inserted,
                    "already_here": walk.already_here},
                    versions=writer.inserted_keys + _unnamed(self.s, walk.incoming,
                                                             writer.inserted_keys))

            writer.finish(last)
            if "transfer" in walk.decision:
                from workbook.services.sharing.transfers import await_case_owner

                await_case_owner(self.s, sorted(walk.decision_families), partner.team)
            preview.transactions = writer.transactions
            preview.longest_write_s = writer.longest_hold
            if isinstance(self.s.trust.vouches, SessionVouches):
                self.s.trust.vouches.reset()
            preview.applied = True
            self.s.events.emit("bundle_received", bundle_id=h.bundle_id)
        preview.decision = walk.decision
        preview.families = sorted(walk.decision_families)
        preview.versions = len(walk.incoming) + walk.already_here
        preview.known_versions = walk.already_here
        self._describe(preview, walk)
        return preview

    def _describe(self, preview: Preview, walk: _Walk) -> None:
        """New records, changed records and conflicts, from clear headers only: what was here
        before the bundle plus what it brings."""
        by_record: dict[str, list[Incoming]] = {}
        for item in walk.incoming:
            by_record.setdefault(item.record_id, []).append(item)
        for record_id, items in sorted(by_record.items()):
            local = walk.local_before.get(record_id, [])
            summary = {"record": record_id, "family": items[0].family_id, "kind": items[0].kind,
                       "versions": len(items)}
            (preview.changed if local else preview.new).append(summary)
            versions = [HistoryPoint(v, tuple(json.loads(p)), at) for v, p, at, _f in local]
            versions += [HistoryPoint(i.version_id, i.parents, i.created_at) for i in items]
            heads = head_ids(versions)
            if len(heads) > 1:
                preview.conflicts.append({**summary, "heads": heads})


@dataclass(frozen=True)
class _Group:
    family_id: str
    epoch: int
    token: bytes
    key: GroupKey | None


class _Walk:
    """One pass over the decrypted frames, validating each; inserts only when `apply`."""

    def __init__(self, s: Session, checked: CheckedBundle, partner: Partner, identity: KeyPair,
                 *, apply: bool, progress: Progress | None = None,
                 limits: ReceiveLimits | None = None, partner_used: int = 0,
                 expect: dict[str, bytes] | None = None,
                 sink: Callable[[VersionRow], None] | None = None) -> None:
        """`apply` prepares the rows to write: kept in `rows` up to the memory budget, else
        `rows` is None and `validated` (id -> digest of the body) lets a second walk with
        `expect` and `sink` write exactly what this one validated."""
        self.s = s
        self.checked = checked
        self.partner = partner
        self.identity = identity
        self.apply = apply
        self.progress = progress
        self.card: Card | None = None
        self.decision: dict[str, Any] = {}
        self.decision_families: set[str] = set()
        self.groups: dict[int, _Group] = {}
        self.local_before: dict[str, list[tuple[str, str, str, str]]] = {}
        self.ids_by_family: dict[str, list[str]] = {}
        self.vouched: set[str] = set()
        self.vouches: list[sharing_store.VouchRow] = []
        self.incoming: list[Incoming] = []
        self.already_here = 0
        self.limits = limits or ReceiveLimits()
        self.partner_used = partner_used
        self.carried = 0
        self.expect = expect
        self.sink = sink
        self.rows: list[VersionRow] | None = [] if apply and sink is None else None
        self.rows_bytes = 0
        self.validated: dict[str, bytes] = {}
        self.ended = False
        self.max_epoch = max((e for (_s, e) in s.trust.epochs), default=1)
        self._local: dict[str, bool] = {}
        self._families_checked: dict[str, str | None] = {}
        self._preloaded: set[str] = set()
        self._disposed: dict[str, bool] = {}  # family -> has a signed tombstone here
        self._new_records: dict[str, set[str]] = {}

    def run(self) -> None:
        try:
            for frame in self.checked.frames(self.identity, self.progress):
                self._frame(frame)
        except BundleRefused as exc:
            raise refuse(str(exc)) from None
        except TamperingDetected as exc:
            raise refuse(f"it carries a version that fails verification ({exc})") from None
        except ValueError:
            raise refuse("it has a malformed field") from None
        if not self.ended:
            raise refuse("its content is incomplete")
        for family_id, records in self._new_records.items():
            if sharing_store.records_elsewhere(self.s.conn, family_id, records):
                raise refuse("it would move a record to another family")
        for family_id, ids in self.ids_by_family.items():
            if not set(ids) <= self.vouched:
                raise refuse(f"versions of family {family_id} are not vouched for by the sender")

    def _frame(self, frame: dict[str, Any]) -> None:
        kind = frame["t"]
        if self.ended:
            raise refuse("it has content after its end")
        if self.card is None:
            if kind != "card":
                raise refuse("it does not begin with the sender's identity card")
            self._card(frame)
        elif not self.decision:
            if kind != "decision":
                raise refuse("it does not carry a sharing decision")
            self._decision(frame)
        elif kind == "group":
            self._group(frame)
        elif kind == "version":
            self._version(frame)
        elif kind == "vouch":
            self._vouch(frame)
        elif kind == "end":
            if frame.get("versions") != sum(len(v) for v in self.ids_by_family.values()):
                raise refuse("its end does not match its content")
            self.ended = True
        else:
            raise refuse("it carries something other than shareable records (never policy, "
                         "accounts or keys)")

    def _card(self, frame: dict[str, Any]) -> None:
        try:
            card = parse_card(unb64(_text(frame, "card", 1 << 20)),
                              unb64(_text(frame, "signature", 200)))
        except (BundleRefused, ValueError):
            raise refuse("the sender's identity card in it is malformed or altered") from None
        if card.vault_id != self.partner.vault_id or card.identity.raw != \
                self.partner.identity.raw:
            raise refuse("the identity card in it is not the pinned partner's")
        unknown = unknown_sections(card)
        if unknown:
            raise refuse(f"it carries section names this vault does not know "
                         f"({', '.join(unknown)})")
        self.card = card

    def _decision(self, frame: dict[str, Any]) -> None:
        families = frame.get("families")
        sections = frame.get("sections")
        if not (isinstance(families, list) and 0 < len(families) <= 10000
                and all(isinstance(f, str) and _ID.fullmatch(f) for f in families)):
            raise refuse("its sharing decision names no valid families")
        if not (isinstance(sections, list) and len(sections) <= 64
                and all(isinstance(x, str) for x in sections)):
            raise refuse("its sharing decision is malformed")
        known = {s.value for s in Section}
        unknown = [x[:40] for x in sections if x not in known]
        if unknown:
            raise refuse(f"it carries section names this vault does not know "
                         f"({', '.join(unknown)})")
        if frame.get("consent") not in CONSENTS:
            raise refuse("its sharing decision has no valid consent")
        restricted = frame.get("restricted")
        if type(restricted) is not int or not 0 <= restricted <= 64:
            raise refuse("its sharing decision is malformed")
        decision = {"sections": sections, "restricted_sections": restricted,
                    "families": families, "consent": frame["consent"]}
        for key in ("purpose", "lawful_basis", "reason", "notes", "decided_by", "decided_at"):
            decision[key] = _text(frame, key, _MAX_TEXT, allow_empty=True)
        if "consent_check" in frame:  # a consent override, kept in both vaults
            try:
                decision["consent_check"] = received_check(frame["consent_check"])
            except ValueError:
                raise refuse("its sharing decision's consent check is malformed") from None
        transfer = frame.get("transfer")  # a transfer's bundle (docs/bundle-format.md)
        if transfer is not None:
            if not (isinstance(transfer, dict) and isinstance(transfer.get("id"), str)
                    and _ID.fullmatch(transfer["id"]) and len(families) == 1):
                raise refuse("its transfer is malformed")
            decision["transfer"] = {"id": transfer["id"], "from": self.partner.team}
        self.decision = decision
        self.decision_families = set(families)

    def _group(self, frame: dict[str, Any]) -> None:
        index, family_id, epoch = frame.get("index"), frame.get("family"), frame.get("epoch")
        if type(index) is not int or index in self.groups or not 0 <= index < 1 << 20:
            raise refuse("it has a malformed section group")
        if not (isinstance(family_id, str) and family_id in self.decision_families):
            raise refuse("it has a section group for a family its decision does not name")
        if type(epoch) is not int or not 1 <= epoch <= self.max_epoch:
            raise refuse("it is sealed to section keys this vault never had")
        token = unb64(_text(frame, "token", 8192))
        info = sealed_groups.group_info(self.s.vault_id, self.checked.header.bundle_id, index,
                                        epoch)
        key = self.s.keys.group_key(token, info, epoch)
        if key is not None and (key.family_id != family_id
                                or not self.s.records.can_read(key.section)):
            if key.family_id != family_id:
                raise refuse("a section group in it does not match its label")
            key = None
        self.groups[index] = _Group(family_id, epoch, token, key)

    def _version(self, frame: dict[str, Any]) -> None:
        version_id = _id(frame, "id")
        family_id = _id(frame, "family")
        record_id = _id(frame, "record")
        kind = _text(frame, "kind", 20)
        if kind not in SHAREABLE_KINDS:
            raise refuse(f"it carries a record of kind {kind[:20]!r}, which is never shared")
        if family_id not in self._families_checked:
            self._families_checked[family_id] = acceptable_family(self.s, family_id,
                                                                  self.decision_families)
        why = self._families_checked[family_id]
        if why is not None:
            raise refuse(f"it carries versions of {why}")
        parents = frame.get("parents")
        if not (isinstance(parents, list) and len(parents) <= 64
                and all(isinstance(p, str) and _ID.fullmatch(p) for p in parents)):
            raise refuse("it carries a version with malformed parents")
        author = _text(frame, "author", 64)
        device = _text(frame, "device", 64)
        created_at = _text(frame, "at", 40)
        epoch, group = frame.get("epoch"), frame.get("group")
        if type(group) is not int or group not in self.groups:
            raise refuse("it carries a version outside any section group")
        g = self.groups[group]
        if g.family_id != family_id or epoch != g.epoch:
            raise refuse("it carries a version that does not match its section group")
        blob = unb64(_text(frame, "body", _MAX_BODY))
        if kind == "family" and record_id != family_id:
            raise refuse("it carries a family record under another family's id")
        if family_id not in self._preloaded:
            self._preloaded.add(family_id)
            for rid, headers in sharing_store.family_headers(self.s.conn, family_id).items():
                self.local_before.setdefault(rid, headers)
        local = self.local_before.get(record_id)
        if local is None:
            local = []
            self.local_before[record_id] = local
            self._new_records.setdefault(family_id, set()).add(record_id)
        ids = self.ids_by_family.setdefault(family_id, [])
        self.carried += 1
        why_not = over_cap(self.limits, self.carried, self.partner_used, self.partner.team)
        if why_not is not None:
            raise refuse(why_not)
        ids.append(version_id)
        if any(v == version_id for v, _p, _a, _f in local):
            self.already_here += 1
            return
        parents_text = json.dumps(sorted(parents))
        header = VersionRow(family_id, version_id, record_id, kind, None, epoch, parents_text,
                            author, device, created_at, True, b"")
        if g.key is not None:
            row = self._open_held(header, g.key, blob)
        else:
            row = replace(header, body=sealed_groups.pack_row_body(
                g.token, self.checked.header.bundle_id, group, blob))
        self.incoming.append(Incoming(version_id, family_id, record_id, kind,
                                      tuple(sorted(parents)), created_at))
        if family_id not in self._disposed:  # a disposal is final, if its tombstone is signed
            self._disposed[family_id] = disposed_refusal(self.s, family_id) is not None
        if self.apply and not self._disposed[family_id]:
            self._prepared(row, hashlib.sha256(blob).digest())

    def _prepared(self, row: VersionRow, digest: bytes) -> None:
        """Keep a validated row for writing, or hand it to the sink of a second walk after
        checking it is exactly what the first walk validated (the file may have been swapped
        between the walks)."""
        if self.expect is not None and self.expect.get(row.version_id) != digest:
            raise refuse("the bundle file changed while it was being applied")
        self.validated[row.version_id] = digest
        if self.sink is not None:
            self.sink(row)
        elif self.rows is not None:
            self.rows.append(row)
            self.rows_bytes += len(row.body)
            if self.rows_bytes > self.limits.keep_in_memory:
                self.rows = None  # too big to keep: the writer reads the bundle again

    def _open_held(self, header: VersionRow, key: GroupKey, blob: bytes) -> VersionRow:
        """A version of a section this person holds (its current epoch, so `can_read`): open,
        verify, and store it in the holder form under the current epoch."""
        ad = row_ad(header.version_id, header.family_id, header.record_id, header.kind, None,
                    header.epoch, header.parents, header.author, header.device,
                    header.created_at, True)
        try:
            plaintext = sealed_groups.decrypt(key.key, blob, ad)
        except AuthenticationFailed:
            raise refuse("a version in it does not open with its section's key") from None
        version = verify_envelope(header, plaintext, key.section, self.s.trust,
                                  vouched=not self._is_local(header.author))
        return encrypt_for_holder(version, self.s.keys, self.s.trust.current_epoch(key.section))

    def _is_local(self, author: str) -> bool:
        known = self._local.get(author)
        if known is None:
            known = (author == RECOVERY or author in self.s.trust.user_keys
                     or accounts.by_id(self.s.conn, author) is not None)
            self._local[author] = known
        return known

    def _vouch(self, frame: dict[str, Any]) -> None:
        family_id = _id(frame, "family")
        ids = frame.get("ids")
        if not (isinstance(ids, list) and all(isinstance(i, str) and _ID.fullmatch(i)
                                              for i in ids)) or ids != sorted(ids):
            raise refuse("it carries a malformed vouch")
        if family_id not in self.ids_by_family or sorted(self.ids_by_family[family_id]) != ids:
            raise refuse("its vouch does not cover exactly the versions it carries")
        signature = unb64(_text(frame, "signature", 200))
        h = self.checked.header
        try:
            self.partner.identity.verify(signature, vouch_message(
                h.sender, h.recipient, h.bundle_id, family_id, ids), "vouch")
        except AuthenticationFailed:
            raise refuse("its vouch does not verify against the partner's identity") from None
        self.vouched.update(ids)
        self.vouches.append(sharing_store.VouchRow(h.sender, h.bundle_id, family_id,
                                                   ",".join(ids), signature))


def _text(frame: dict[str, Any], key: str, limit: int, allow_empty: bool = False) -> str:
    value = frame.get(key)
    if not isinstance(value, str) or len(value) > limit or (not value and not allow_empty):
        raise refuse(f"it has a malformed field ({key[:20]})")
    return value


def _id(frame: dict[str, Any], key: str) -> str:
    value = frame.get(key)
    if not (isinstance(value, str) and _ID.fullmatch(value)):
        raise refuse(f"it has a malformed id ({key[:20]})")
    return value


def _unnamed(session: Session, incoming: list[Incoming],
             inserted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Versions of this bundle already in the vault that no event names: written by an earlier
    batch of an import that stopped before its last one (docs/bundle-format.md). The event
    that completes the import names them, so `audit verify` sees every version's event."""
    named = {v for _f, v in inserted}
    out: list[tuple[str, str]] = []
    by_family: dict[str, list[str]] = {}
    for item in incoming:
        if item.version_id not in named:
            by_family.setdefault(item.family_id, []).append(item.version_id)
    for family_id, version_ids in sorted(by_family.items()):
        audited = audit_versions.audited_of_family(session.conn, family_id)
        out.extend((family_id, v) for v in version_ids
                   if v not in audited and version_store.has_version(session.conn, v))
    return out
