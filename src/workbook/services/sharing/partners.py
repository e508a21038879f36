"""Pinned partners: other vaults whose bundles this vault accepts (docs/bundle-format.md).

A partner is an append-only series of signed events (add, remove) by the owner or a team
manager. Rows whose signature does not verify, or whose signer was not the owner or a team
manager, are ignored, so a holder of the database key alone can neither pin nor re-admit a
partner. Cards arriving in bundles replace the stored card only when signed by the pinned key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.crypto.keypairs import PublicKeys, normalise_fingerprint
from workbook.domain.roles import Section
from workbook.services import validation
from workbook.services.errors import InvalidInput, NotFound, TamperingDetected
from workbook.services.sharing.identity import is_sharing_manager, require_sharing_manager
from workbook.sync.card import MAX_CARD_FILE, Card, parse_card, parse_card_file
from workbook.sync.errors import BundleRefused
from workbook.vault import sharing_store
from workbook.vault.files import FileRefused, read_bounded

if TYPE_CHECKING:
    from workbook.services.session import Session

ADD, REMOVE = "add", "remove"


def partner_event_message(vault_id: str, partner_id: str, action: str, public_keys: bytes,
                          team: str, at: str, actor: str) -> bytes:
    return fields("workbook partner event v1", vault_id, partner_id, action, public_keys, team,
                  at, actor)


@dataclass(frozen=True)
class Partner:
    vault_id: str
    team: str
    identity: PublicKeys
    added_at: str
    added_by: str
    removed: bool
    keys_ever_pinned: tuple[bytes, ...]

    @property
    def fingerprint(self) -> str:
        return self.identity.fingerprint()

    def to_json(self) -> dict[str, object]:
        return {"vault_id": self.vault_id, "team": self.team, "fingerprint": self.fingerprint,
                "added_at": self.added_at, "removed": self.removed}


def load_partners(session: Session) -> dict[str, Partner]:
    """Every partner ever pinned, from the verified events, keyed by vault id."""
    out: dict[str, Partner] = {}
    ever: dict[str, list[bytes]] = {}
    for event in sharing_store.partner_events(session.conn):
        message = partner_event_message(session.vault_id, event.partner_id, event.action,
                                        event.public_keys, event.team, event.at, event.actor)
        if not session.trust.verify_by(event.actor, event.signature, message):
            continue
        if not is_sharing_manager(session, event.actor):
            continue
        try:
            identity = PublicKeys(event.public_keys)
        except ValueError:
            continue
        if event.action == ADD:
            ever.setdefault(event.partner_id, []).append(event.public_keys)
            out[event.partner_id] = Partner(event.partner_id, event.team, identity, event.at,
                                            event.actor, False,
                                            tuple(ever[event.partner_id]))
        elif event.action == REMOVE and event.partner_id in out:
            current = out[event.partner_id]
            out[event.partner_id] = Partner(current.vault_id, current.team, current.identity,
                                            current.added_at, current.added_by, True,
                                            current.keys_ever_pinned)
    return out


def read_card_file(path: str) -> bytes:
    """An identity card file given on the command line: a regular file of at most
    MAX_CARD_FILE bytes (pipes, devices and folders refused, never read whole)."""
    try:
        return read_bounded(Path(path).expanduser(), MAX_CARD_FILE, "identity card")
    except FileRefused as exc:
        raise InvalidInput(str(exc)) from None


class Partners:
    def __init__(self, session: Session) -> None:
        self.s = session

    def all(self) -> list[Partner]:
        self.s.require_practitioner()
        return sorted(load_partners(self.s).values(),
                      key=lambda p: (p.removed, p.team.casefold(), p.vault_id))

    def resolve(self, name: str, *, include_removed: bool = False) -> Partner:
        """A partner named by vault id or team name (case-insensitive)."""
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("name the partner by its vault id or team name")
        partners = [p for p in load_partners(self.s).values()
                    if include_removed or not p.removed]
        by_id = [p for p in partners if p.vault_id == name]
        if by_id:
            return by_id[0]
        by_team = [p for p in partners if p.team.casefold() == name.casefold()]
        if len(by_team) > 1:
            raise InvalidInput(f"more than one partner is called {name[:60]!r}: use its vault id")
        if not by_team:
            raise NotFound(f"no partner {name[:60]!r}: see `workbook partner list`")
        return by_team[0]

    def add(self, card_file: bytes, fingerprint: str) -> Partner:
        require_sharing_manager(self.s)
        signer = self.s.require_certified()
        try:
            card = parse_card_file(card_file)
        except BundleRefused as exc:
            raise InvalidInput(str(exc)) from None
        typed = normalise_fingerprint(fingerprint)
        if not typed:
            raise InvalidInput("give the fingerprint the partner read to you (--fingerprint)")
        if typed != normalise_fingerprint(card.fingerprint):
            raise InvalidInput(
                "the fingerprint does not match this identity card: do not add the partner; "
                "check with them by phone that you have the right card")
        if card.vault_id == self.s.vault_id:
            raise InvalidInput("this is this vault's own identity card")
        unknown = unknown_sections(card)
        if unknown:
            raise InvalidInput(
                f"the card names sections this vault does not know ({', '.join(unknown)}): "
                "both teams need the same Workbook version")
        team = validation.name(card.team, "team name")
        existing = load_partners(self.s).get(card.vault_id)
        if existing is not None and not existing.removed:
            if existing.identity.raw == card.identity.raw:
                raise InvalidInput(f"{existing.team} is already a partner")
            raise InvalidInput(
                f"{existing.team} is already a partner with another identity key: remove it "
                "first if the partner really replaced its identity")
        at = self.s.now()
        message = partner_event_message(self.s.vault_id, card.vault_id, ADD, card.identity.raw,
                                        team, at, self.s.user_id)
        with self.s.write():
            sharing_store.append_partner_event(self.s.conn, card.vault_id, ADD,
                                               card.identity.raw, team, at, self.s.user_id,
                                               signer.sign(message))
            sharing_store.put_partner_card(self.s.conn, card.vault_id, card.raw, card.signature,
                                           card.issued_at)
            self.s.audit("partner_added", {"partner": card.vault_id,
                                           "fingerprint": card.fingerprint})
        return self.resolve(card.vault_id)

    def remove(self, name: str) -> Partner:
        require_sharing_manager(self.s)
        signer = self.s.require_certified()
        partner = self.resolve(name)
        at = self.s.now()
        message = partner_event_message(self.s.vault_id, partner.vault_id, REMOVE,
                                        partner.identity.raw, partner.team, at, self.s.user_id)
        with self.s.write():
            sharing_store.append_partner_event(self.s.conn, partner.vault_id, REMOVE,
                                               partner.identity.raw, partner.team, at,
                                               self.s.user_id, signer.sign(message))
            self.s.audit("partner_removed", {"partner": partner.vault_id})
        return self.resolve(partner.vault_id, include_removed=True)

    def card_of(self, partner: Partner) -> Card:
        """The newest stored card signed by the partner's pinned key."""
        stored = sharing_store.partner_card(self.s.conn, partner.vault_id)
        if stored is None:
            raise TamperingDetected(f"the identity card of {partner.team} is missing")
        try:
            card = parse_card(stored[0], stored[1])
        except BundleRefused:
            raise TamperingDetected(f"the stored card of {partner.team} was altered") from None
        if card.identity.raw != partner.identity.raw or card.vault_id != partner.vault_id:
            raise TamperingDetected(
                f"the stored card of {partner.team} is not signed by its pinned identity")
        return card

    def offer_card(self, partner: Partner, card: Card) -> bool:
        """Keep a newer card signed by the pinned key; callers hold the transaction."""
        if card.identity.raw != partner.identity.raw or card.vault_id != partner.vault_id:
            return False
        stored = sharing_store.partner_card(self.s.conn, partner.vault_id)
        if stored is not None and stored[2] >= card.issued_at:
            return False
        sharing_store.put_partner_card(self.s.conn, partner.vault_id, card.raw, card.signature,
                                       card.issued_at)
        return True


def unknown_sections(card: Card) -> list[str]:
    known = {s.value for s in Section}
    return sorted(name[:40] for name in card.sections if name not in known)
