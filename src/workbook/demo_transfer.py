"""The demo's transfer to another organisation (docs/user-guide.md, "Transferring a family to
another organisation"): a partner, "Luton Early Help (demo)", pinned from a card made here,
and one family's transfer started by its case owner and answered by every restricted
section's holders but the police, so that the police officer can add or decline it.

The partner is not a vault anywhere: its keys are made for its card and forgotten, so a bundle
finished for it can be opened by no one. That is all a demo needs."""

from __future__ import annotations

from collections.abc import Mapping

from workbook.crypto.keypairs import KeyPair
from workbook.domain.ids import new_id
from workbook.domain.roles import Section
from workbook.services.session import Session
from workbook.sync.card import make_card

PARTNER_TEAM = "Luton Early Help (demo)"
LEFT_FOR = Section.POLICE.value


def add_transfer_demo(owner: Session, sessions: Mapping[str, Session], case_owner: str,
                      family_id: str) -> str:
    """Pin the demo partner (as the owner) and start the family's transfer (as its case
    owner); every waiting section but the police answers. Returns the transfer's id."""
    identity = KeyPair.generate()
    sections = {s.value: (1, KeyPair.generate().public) for s in Section}
    card = make_card(identity, vault_id=new_id(), team=PARTNER_TEAM, sections=sections,
                     issued_at=owner.now())
    owner.partners.add(card.to_file(), card.fingerprint)
    shown = sessions[case_owner].transfers.start(
        family_id, to=PARTNER_TEAM, purpose="the family has moved to Luton",
        lawful_basis="Children Act 1989 s17; UK GDPR Art 6(1)(e)")
    for section in shown.record.waiting_for:
        if section == LEFT_FOR:
            continue
        holder = next((s for s in sessions.values() if s.records.can_read(section)), None)
        if holder is None:
            continue
        if section == Section.MENTAL_HEALTH.value:
            holder.transfers.decline(shown.id, section, "the adult's mental-health service "
                                     "will refer on directly, with her consent")
        else:
            holder.transfers.add_section(shown.id, section)
    return shown.id
