"""Sharing: a practitioner sends chosen sections of chosen families to a pinned partner
(docs/bundle-format.md, "Sharing").

The decision (purpose, lawful basis, consent, families, sections) is written into each family's
sharing log before the bundle is written, in one transaction with the sent-bundle row and the
audit event, and travels in the bundle so that it stands in both vaults' logs. Each version
travels as a sealed envelope to the partner's key for its section: at the other end, too, only
holders of the section can read it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.domain.ids import new_id
from workbook.domain.roles import CORE_SECTIONS, SECTION_TITLES, Section, parse_section
from workbook.services import validation
from workbook.services.authority import row_ad, row_plaintext, sealed_groups
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.sharing.partners import Partner
from workbook.services.sharing.vouches import vouch_message
from workbook.sync.bundle import write_bundle
from workbook.sync.card import Card
from workbook.sync.stream import CHUNK_SIZE
from workbook.vault import sharing_store, version_store
from workbook.vault.files import open_new

if TYPE_CHECKING:
    from workbook.services.session import Session

CONSENTS = ("given", "refused", "not-sought")
SHAREABLE_KINDS = ("family", "person", "entry", "action")
HOME_VISIT_SECTIONS = (Section.HOUSEHOLD.value, Section.HOME_VISIT_SAFETY.value)
Progress = Callable[[int, int], None]


def refuse_unless_ready(team: str, card_sections: Iterable[str], sections: Iterable[str],
                        out: Path) -> None:
    """Before any bundle is written (a share or a transfer): the partner's card has a key for
    every section that goes, and `out` is a new file in an existing folder."""
    held = set(card_sections)
    missing = [s for s in sections if s not in held]
    if missing:
        raise InvalidInput(f"{team}'s identity card has no key for section "
                           f"{missing[0]}: ask them for a current card")
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new file")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write {out}: {out.parent} is not a folder")


@dataclass(frozen=True)
class SharingDecision:
    """What a person decided, in the words of the sharing log."""

    partner: str
    families: tuple[str, ...]
    sections: tuple[str, ...]
    purpose: str
    lawful_basis: str
    consent: str
    reason: str
    notes: str
    concern: str = ""   # a concern whose step 6 this share completes
    # The check against the people's consent records (services/sharing/consents.py); None
    # when the families hold none.
    consent_check: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ShareResult:
    bundle_id: str
    partner: str
    team: str
    sequence: int
    families: tuple[str, ...]
    sections: tuple[str, ...]
    versions: int
    out: str

    def to_json(self) -> dict[str, Any]:
        return {"bundle_id": self.bundle_id, "partner": self.partner, "team": self.team,
                "sequence": self.sequence, "families": list(self.families),
                "sections": list(self.sections), "versions": self.versions, "out": self.out}


class Sharing:
    def __init__(self, session: Session) -> None:
        self.s = session
        # (family, version) of the sharing-log entries a share writes: its event names them.
        self._logged: list[tuple[str, str]] = []

    def shareable_sections(self) -> list[Section]:
        """The sections this person may share: exactly those they can read."""
        return self.s.records.readable_sections()

    def decide(
        self, *, partner: str, families: list[str], sections: list[str], purpose: str,
        lawful_basis: str, consent: str, reason: str = "", notes: str = "", concern: str = "",
    ) -> SharingDecision:
        """Validate a sharing decision completely before anything is written."""
        self.s.require_practitioner()
        found = self.s.partners.resolve(partner)
        if not families:
            raise InvalidInput("choose at least one family to share (--family)")
        family_ids: list[str] = []
        for family in families:
            family_id = validation.record_id(family, "family id")
            if not version_store.family_exists(self.s.conn, family_id):
                raise NotFound(f"no family {family_id}")
            if family_id not in family_ids:
                family_ids.append(family_id)
        if not sections:
            raise InvalidInput("choose at least one section to share (--sections)")
        chosen: list[str] = []
        for text in sections:
            try:
                section = parse_section(text).value
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
            if not self.s.records.can_read(section):
                raise NotPermitted(f"you can share only sections you can read, not {section}")
            if section not in chosen:
                chosen.append(section)
        purpose = validation.text(purpose, "purpose of sharing")
        lawful_basis = validation.text(lawful_basis, "lawful basis")
        if consent not in CONSENTS:
            raise InvalidInput(f"consent must be one of {', '.join(CONSENTS)}, not "
                               f"{consent[:20]!r}")
        reason = reason.strip()
        if consent != "given" and not reason:
            raise InvalidInput(f"give the reason why consent was {consent.replace('-', ' ')} "
                               "(--reason)")
        for value, what in ((purpose, "purpose"), (lawful_basis, "lawful basis"),
                            (reason, "reason"), (notes, "notes")):
            if len(value) > 4000:
                raise InvalidInput(f"the {what} is too long (at most 4000 characters)")
        checked = self.s.consents.check_share(tuple(family_ids), purpose, consent, reason,
                                              lawful_basis)
        if concern:
            concern = self.s.concerns.ready_to_share(concern, tuple(family_ids)).id
        return SharingDecision(found.vault_id, tuple(family_ids), tuple(chosen), purpose,
                               lawful_basis, consent, reason, notes.strip(), concern, checked)

    def share(self, decision: SharingDecision, out: Path, progress: Progress | None = None,
              chunk_size: int = CHUNK_SIZE) -> ShareResult:
        self.s.require_practitioner()
        partners = self.s.partners
        partner = partners.resolve(decision.partner)
        card = partners.card_of(partner)
        refuse_unless_ready(partner.team, card.sections,
                            (*decision.sections, Section.SHARING_LOG.value), out)
        identity = self.s.identity
        pair = identity.keypair()
        own_card = identity.card()
        bundle_id = new_id()
        created = False
        try:
            with self.s.write():
                decided_at = self.s.now()
                self._logged = []
                decision_records = self._log_decision(decision, partner, bundle_id, decided_at)
                if decision.concern:
                    self.s.concerns.complete_by_share(decision.concern, {
                        "kind": "external", "bundle": bundle_id, "partner": partner.vault_id,
                        "team": partner.team}, f"Shared with {partner.team}")
                sequence = sharing_store.next_sequence(self.s.conn, partner.vault_id)
                counter = _Counter()
                with open_new(out) as f:
                    created = True
                    write_bundle(
                        f, identity=pair, sender=self.s.vault_id, recipient=partner.vault_id,
                        recipient_identity=card.identity, sequence=sequence,
                        created_at=decided_at, bundle_id=bundle_id, chunk_size=chunk_size,
                        payload=self._frames(decision, partner, card, own_card, pair, bundle_id,
                                             decided_at, decision_records, counter, progress),
                    )
                sharing_store.record_sent(self.s.conn, partner.vault_id, sequence, bundle_id,
                                          decided_at)
                identity.pass_on()
                self.s.audit("bundle_shared", {
                    "partner": partner.vault_id, "bundle": bundle_id, "sequence": sequence,
                    "families": list(decision.families), "versions": counter.versions},
                    versions=self._logged)
        except FileExistsError:
            raise InvalidInput(f"{out} already exists; choose a new file") from None
        except BaseException:
            if created:
                out.unlink(missing_ok=True)
            raise
        self.s.events.emit("bundle_shared", bundle_id=bundle_id)
        return ShareResult(bundle_id, partner.vault_id, partner.team, sequence,
                           decision.families, decision.sections, counter.versions, str(out))

    # --- the sharing log ---------------------------------------------------------------------
    def _log_decision(self, d: SharingDecision, partner: Partner, bundle_id: str, at: str
                      ) -> set[str]:
        """One sharing-log entry per family (core sections named, restricted ones counted),
        and one entry in each restricted section chosen, so that only its holders learn it."""
        core = [s for s in d.sections if Section(s) in CORE_SECTIONS]
        restricted = [s for s in d.sections if Section(s) not in CORE_SECTIONS]
        consent = d.consent.replace("-", " ")
        titles = ", ".join(SECTION_TITLES[Section(s)] for s in core) or "none"
        extra = f" and {len(restricted)} restricted section(s)" if restricted else ""
        text = (f"Shared with {partner.team}: {titles}{extra}. Purpose: {d.purpose}. "
                f"Lawful basis: {d.lawful_basis}. Consent: {consent}"
                + (f" ({d.reason})" if d.reason else "") + "."
                + (f" Notes: {d.notes}" if d.notes else "") + _consent_and_concern(d))
        structured = {"direction": "sent", "partner": partner.vault_id, "team": partner.team,
                      "bundle": bundle_id, "sections": core, "restricted_sections": len(restricted),
                      "purpose": d.purpose, "lawful_basis": d.lawful_basis,
                      "consent": d.consent, "reason": d.reason, "notes": d.notes,
                      "decided_by": self.s.user_id, "decided_at": at}
        if d.consent_check is not None:
            structured["consent_check"] = dict(d.consent_check)
        if d.concern:
            structured["concern"] = d.concern
        records: set[str] = set()
        for family_id in d.families:
            record_id = new_id()
            logged = self.s.records.write(
                family_id=family_id, record_id=record_id, kind="entry",
                section=Section.SHARING_LOG.value,
                payload={"text": text, "date": at[:10], "type": "other", "significant": True,
                         "sharing": structured})
            self._logged.append((family_id, logged.version_id))
            records.add(record_id)
            for section in restricted:
                record_id = new_id()
                logged = self.s.records.write(
                    family_id=family_id, record_id=record_id, kind="entry", section=section,
                    payload={"text": f"This section was shared with {partner.team} "
                                     f"(bundle {bundle_id[:8]}). Purpose: {d.purpose}.",
                             "date": at[:10], "type": "other", "significant": True,
                             "sharing": {**structured, "section": section}})
                self._logged.append((family_id, logged.version_id))
                records.add(record_id)
        return records

    # --- the payload -------------------------------------------------------------------------
    def _frames(
        self, d: SharingDecision, partner: Partner, card: Card, own_card: Card, pair: KeyPair,
        bundle_id: str, at: str, decision_records: set[str], counter: _Counter,
        progress: Progress | None,
    ) -> Iterator[dict[str, Any]]:
        yield {"t": "card", "card": b64(own_card.raw), "signature": b64(own_card.signature)}
        core = [s for s in d.sections if Section(s) in CORE_SECTIONS]
        decision = {"t": "decision", "decision_id": bundle_id, "families": list(d.families),
                    "sections": core,
                    "restricted": sum(1 for s in d.sections if Section(s) not in CORE_SECTIONS),
                    "purpose": d.purpose, "lawful_basis": d.lawful_basis, "consent": d.consent,
                    "reason": d.reason, "notes": d.notes, "decided_by": self.s.user_id,
                    "decided_at": at}
        if d.consent_check is not None:
            decision["consent_check"] = dict(d.consent_check)
        yield decision
        chosen = set(d.sections)
        group_index = 0
        total = 0
        for done, family_id in enumerate(d.families):
            self.s.trust.verified.load_family(self.s.conn, family_id)
            groups: dict[str, tuple[int, bytes]] = {}
            ids: list[str] = []
            rows = (row for row in version_store.of_family(self.s.conn, family_id)
                    if row.kind in SHAREABLE_KINDS)
            for row, version in self.s.records.open_pairs(rows):
                if version.section not in chosen and version.record_id not in decision_records:
                    continue
                target = card.sections[version.section]
                if version.section not in groups:
                    key, token = sealed_groups.make_token(
                        target.public, version.section, family_id,
                        sealed_groups.group_info(partner.vault_id, bundle_id, group_index,
                                                 target.epoch))
                    groups[version.section] = (group_index, key)
                    yield {"t": "group", "index": group_index, "family": family_id,
                           "epoch": target.epoch, "token": b64(token)}
                    group_index += 1
                index, key = groups[version.section]
                plaintext = row_plaintext(row, self.s.keys, version.section)
                ad = row_ad(row.version_id, family_id, row.record_id, row.kind, None,
                            target.epoch, row.parents, row.author, row.device, row.created_at,
                            True)
                yield {"t": "version", "id": row.version_id, "family": family_id,
                       "record": row.record_id, "kind": row.kind,
                       "parents": sorted(version.parents), "author": row.author,
                       "device": row.device, "at": row.created_at, "epoch": target.epoch,
                       "group": index, "body": b64(sealed_groups.encrypt(key, plaintext, ad))}
                ids.append(row.version_id)
                total += 1
            if ids:
                ids.sort()
                yield {"t": "vouch", "family": family_id, "ids": ids,
                       "signature": b64(pair.sign(vouch_message(
                           self.s.vault_id, partner.vault_id, bundle_id, family_id, ids)))}
            if progress is not None:
                progress(done + 1, len(d.families))
        counter.versions = total
        yield {"t": "end", "versions": total}


def _consent_and_concern(d: SharingDecision) -> str:
    """The sharing log's words for a consent override and a concern's step 6 (none before)."""
    out = ""
    check = d.consent_check
    if check is not None and check.get("overridden"):
        lacking = sum(1 for p in check.get("people", []) if p.get("status") != "given")
        out += (f" Consent missing, refused or withdrawn for {lacking} person(s); overridden: "
                f"{d.reason} (lawful basis: {d.lawful_basis}).")
    if d.concern:
        out += " This share completes step 6 of a concern."
    return out


class _Counter:
    versions = 0
