"""Finishing a transfer (services/sharing/transfers.py): one bundle, the sharing-log entry,
the transfer record's last version and the family closed as transferred, all in one
transaction; if writing the file fails, nothing of it stays (as a share)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.domain.display import uk_date
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.records import Transfer
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.errors import InvalidInput, TamperingDetected
from workbook.services.sharing.sending import refuse_unless_ready
from workbook.services.sharing.transfer_parts import (
    CONSENT,
    CONSENT_REASON,
    FINISHED,
    bundle_frames,
)
from workbook.sync.bundle import write_bundle
from workbook.sync.stream import CHUNK_SIZE
from workbook.vault import sharing_store
from workbook.vault.files import open_new

if TYPE_CHECKING:
    from workbook.services.family.records import Heads
    from workbook.services.session import Session
    from workbook.services.sharing.partners import Partner
    from workbook.services.sharing.transfers import Transfers, _Found
    from workbook.sync.card import Card


@dataclass(frozen=True)
class FinishResult:
    transfer_id: str
    family_id: str
    bundle_id: str
    partner: str
    team: str
    sequence: int
    versions: int
    out: str
    closed: str  # "transferred to TEAM on dd/mm/yyyy"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Ready:
    """Everything `finish` checked before it writes anything."""

    found: _Found
    family: Heads
    family_type: str
    partner: Partner
    card: Card


def _checked(m: Transfers, transfer_id: str, out: Path, family_type: str) -> _Ready:
    s = m.s
    s.require_practitioner()
    found = m.find(transfer_id)
    t = found.record
    transfer_id = found.heads.head.record_id
    if t.state == FINISHED:
        raise InvalidInput(f"transfer {transfer_id} was already finished on "
                           f"{uk_date(t.finished_at)}; nothing was sent again")
    missing = [x for x in t.waiting_for if t.answer(x) is None]
    if missing:
        raise InvalidInput(f"transfer {transfer_id} is still waiting for section(s) "
                           f"{', '.join(missing)} to answer; nothing was sent")
    family = m.family_head(found.family_id)
    m.require_owner_or_supervisor(family.head.payload)
    status = str(family.head.payload.get("status", "open"))
    if status != "open":
        raise InvalidInput(f"family {found.family_id} is {status}: only an open family can be "
                           "transferred")
    check_answers(s, found)
    family_type = _family_type(s, family_type, family.head.payload)
    partner = m.partner_of(t)
    if partner.removed:
        raise InvalidInput(f"{partner.team} is no longer a partner: nothing was sent")
    card = s.partners.card_of(partner)
    refuse_unless_ready(partner.team, card.sections,
                        [x.value for x in CORE_SECTIONS] + t.added(), out)
    return _Ready(found, family, family_type, partner, card)


def finish(m: Transfers, transfer_id: str, out: Path, family_type: str = "") -> FinishResult:
    s = m.s
    ready = _checked(m, transfer_id, out, family_type)
    found, partner, t = ready.found, ready.partner, ready.found.record
    transfer_id = found.heads.head.record_id
    on = m.today()
    identity = s.identity
    pair = identity.keypair()
    own_card = identity.card()
    created = False
    counter: list[int] = []
    try:
        with s.write():
            at = s.now()
            logged = _log(s, t, transfer_id, found.family_id, at)
            sequence = sharing_store.next_sequence(s.conn, partner.vault_id)
            with open_new(out) as f:
                created = True
                write_bundle(
                    f, identity=pair, sender=s.vault_id, recipient=partner.vault_id,
                    recipient_identity=ready.card.identity, sequence=sequence, created_at=at,
                    bundle_id=t.bundle, chunk_size=CHUNK_SIZE,
                    payload=bundle_frames(s, t, transfer_id, found.family_id, ready.card,
                                          own_card, pair, at, counter))
            sharing_store.record_sent(s.conn, partner.vault_id, sequence, t.bundle, at)
            done = Transfer.from_payload({**t.to_payload(), "state": FINISHED,
                                          "finished_by": s.user_id, "finished_at": at})
            s.records.supersede(found.heads, done.to_payload(), kind=RecordKind.TRANSFER,
                                event="transfer_finished",
                                ids={"transfer": transfer_id, "bundle": t.bundle,
                                     "partner": partner.vault_id, "versions": counter[0]})
            s.retention.close_as_transferred(ready.family, ready.family_type, partner.team, on)
            identity.pass_on()
            s.audit("bundle_shared", {
                "partner": partner.vault_id, "bundle": t.bundle, "sequence": sequence,
                "families": [found.family_id], "versions": counter[0],
                "transfer": transfer_id}, versions=[(found.family_id, logged)])
    except FileExistsError:
        raise InvalidInput(f"{out} already exists; choose a new file") from None
    except BaseException:
        if created:
            out.unlink(missing_ok=True)
        raise
    s.events.emit("bundle_shared", bundle_id=t.bundle)
    s.events.emit("family_closed", family_id=found.family_id)
    return FinishResult(transfer_id, found.family_id, t.bundle, partner.vault_id, partner.team,
                        sequence, counter[0], str(out),
                        f"transferred to {partner.team} on {uk_date(on)}")


def check_answers(s: Session, found: _Found) -> None:
    """Each answer was given by a holder of its section: the version of the transfer that
    first carries it is signed by the person it names, who then held the section (by the
    signed grants). A version written by anyone else, however well signed, is refused here:
    no one answers for a section they do not hold, by adding a part or by declining."""
    holders = s.trust.holders
    for answer in found.record.answers:
        section, by = str(answer.get("section")), str(answer.get("by"))
        first = min((v for v in found.versions if any(
            a.get("section") == section for a in Transfer.from_payload(v.payload).answers)),
            key=lambda v: v.created_at, default=None)
        if first is None or first.author != by or holders is None or \
                not holders.held_at(by, section, first.created_at):
            raise TamperingDetected(f"the answer for section {section} in transfer "
                                    f"{found.heads.head.record_id} was not given by a holder of "
                                    "that section; nothing was sent")


def _family_type(s: Session, given: str, family: dict[str, Any]) -> str:
    """The type the retention period is worked out from: the one given, else the family's
    own, else the policy's type kept longest (never disposed of sooner than it may be)."""
    known = s.policy.retention_years
    given = given.strip()
    if given:
        if given not in known:
            raise InvalidInput(f"unknown family type {given[:40]!r}; the policy knows: "
                               + ", ".join(s.policy.family_types()))
        return given
    own = family.get("family_type")
    if isinstance(own, str) and own in known:
        return own
    return max(sorted(known), key=lambda x: known[x])


def _log(s: Session, t: Transfer, transfer_id: str, family_id: str, at: str) -> str:
    """The sharing-log entry both vaults keep: it travels in the bundle."""
    added = t.added()
    declined = len(t.waiting_for) - len(added)
    text = (f"Transferred to {t.team}: the whole workbook, with {len(added)} restricted "
            f"section(s) added and {declined} declined. Purpose: {t.purpose}. Lawful basis: "
            f"{t.lawful_basis}.")
    structured = {"direction": "sent", "partner": t.partner, "team": t.team,
                  "bundle": t.bundle, "transfer": transfer_id,
                  "sections": [x.value for x in CORE_SECTIONS], "restricted_sections": len(added),
                  "declined_sections": declined, "purpose": t.purpose,
                  "lawful_basis": t.lawful_basis, "consent": CONSENT, "reason": CONSENT_REASON,
                  "notes": "", "decided_by": s.user_id, "decided_at": at}
    return s.records.write(
        family_id=family_id, record_id=new_id(), kind=RecordKind.ENTRY.value,
        section=Section.SHARING_LOG.value,
        payload={"text": text, "date": at[:10], "type": "other", "significant": True,
                 "sharing": structured}).version_id
