"""The parts of a transfer's bundle (docs/bundle-format.md, "Transfers"): a restricted
section's part, sealed by its holder when they answer, and the frames `transfer finish` writes
around the parts.

A part is the `group` frame (its token HPKE-sealed to the partner's key for the section) and
the section's `version` frames, each body AES-GCM under the group key, exactly as a share seals
them; the token's info binds the partner, the transfer's bundle id (fixed when the transfer
starts), the group's index and the epoch, so a part is made for that one bundle. It is kept in
the transfer's signed record until finish: the case owner who finishes can copy it into the
bundle but never open it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.domain.records import Transfer
from workbook.domain.roles import CORE_SECTIONS
from workbook.services.authority import RecordVersion, row_ad, row_plaintext, sealed_groups
from workbook.services.errors import TamperingDetected
from workbook.services.sharing.sending import SHAREABLE_KINDS
from workbook.services.sharing.vouches import vouch_message
from workbook.sync.card import Card
from workbook.vault import version_store
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

WAITING, READY, FINISHED = "waiting", "ready", "finished"
ADDED, DECLINED = "added", "declined"
CONSENT = "not-sought"
CONSENT_REASON = "a transfer of the whole case to another organisation, on the lawful basis given"


def seal_part(s: Session, card: Card, t: Transfer, family_id: str, section: str
              ) -> dict[str, Any]:
    """The holder's part: every shareable version of `section` in the family, sealed to the
    partner's key for it. Its group index is the section's place in `waiting_for`."""
    index = t.waiting_for.index(section)
    target = card.sections[section]
    key, token = sealed_groups.make_token(
        target.public, section, family_id,
        sealed_groups.group_info(t.partner, t.bundle, index, target.epoch))
    s.trust.verified.load_family(s.conn, family_id)
    rows = (row for row in version_store.of_family(s.conn, family_id)
            if row.kind in SHAREABLE_KINDS)
    versions = [_version_frame(s, row, version, key, index, target.epoch)
                for row, version in s.records.open_pairs(rows, section=section)]
    return {"group": {"t": "group", "index": index, "family": family_id,
                      "epoch": target.epoch, "token": b64(token)},
            "versions": versions}


def _version_frame(s: Session, row: VersionRow, version: RecordVersion, key: bytes, index: int,
                   epoch: int) -> dict[str, Any]:
    plaintext = row_plaintext(row, s.keys, version.section)
    ad = row_ad(row.version_id, row.family_id, row.record_id, row.kind, None, epoch,
                row.parents, row.author, row.device, row.created_at, True)
    return {"t": "version", "id": row.version_id, "family": row.family_id,
            "record": row.record_id, "kind": row.kind, "parents": sorted(version.parents),
            "author": row.author, "device": row.device, "at": row.created_at, "epoch": epoch,
            "group": index, "body": b64(sealed_groups.encrypt(key, plaintext, ad))}


def stored_part(section: str, answer: Mapping[str, Any], family_id: str, index: int
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A part read back from the signed record, its shape checked before it goes into a
    bundle (the partner checks it again, and only its holders can open it)."""
    part = answer.get("part")
    group = part.get("group") if isinstance(part, dict) else None
    versions = part.get("versions") if isinstance(part, dict) else None
    if not (isinstance(group, dict) and isinstance(versions, list)
            and group.get("t") == "group" and group.get("index") == index
            and group.get("family") == family_id
            and all(isinstance(v, dict) and v.get("t") == "version" and v.get("group") == index
                    and v.get("family") == family_id and isinstance(v.get("id"), str)
                    for v in versions)):
        raise TamperingDetected(f"the sealed part of section {section} in this transfer is "
                                "malformed; nothing was sent")
    return group, versions


def bundle_frames(s: Session, t: Transfer, transfer_id: str, family_id: str, card: Card,
                  own_card: Card, pair: KeyPair, at: str, counter: list[int]
                  ) -> Iterator[dict[str, Any]]:
    """The whole bundle: the card, the decision (with its `transfer` field), the core sections
    read now by the person finishing, each added section's stored part, the vouch, the end."""
    added = t.added()
    core = [x.value for x in CORE_SECTIONS if x.value in card.sections]
    yield {"t": "card", "card": b64(own_card.raw), "signature": b64(own_card.signature)}
    yield {"t": "decision", "decision_id": t.bundle, "families": [family_id], "sections": core,
           "restricted": len(added), "purpose": t.purpose, "lawful_basis": t.lawful_basis,
           "consent": CONSENT, "reason": CONSENT_REASON, "notes": "",
           "decided_by": s.user_id, "decided_at": at,
           "transfer": {"id": transfer_id, "from": own_card.team,
                        "declined": len(t.waiting_for) - len(added)}}
    ids: list[str] = []
    groups: dict[str, tuple[int, bytes, int]] = {}
    s.trust.verified.load_family(s.conn, family_id)
    rows = (row for row in version_store.of_family(s.conn, family_id)
            if row.kind in SHAREABLE_KINDS)
    for row, version in s.records.open_pairs(rows):
        if version.section not in core:
            continue
        if version.section not in groups:
            target = card.sections[version.section]
            index = len(t.waiting_for) + len(groups)
            key, token = sealed_groups.make_token(
                target.public, version.section, family_id,
                sealed_groups.group_info(t.partner, t.bundle, index, target.epoch))
            groups[version.section] = (index, key, target.epoch)
            yield {"t": "group", "index": index, "family": family_id, "epoch": target.epoch,
                   "token": b64(token)}
        index, key, epoch = groups[version.section]
        yield _version_frame(s, row, version, key, index, epoch)
        ids.append(row.version_id)
    for section in added:
        group, versions = stored_part(section, t.answer(section) or {}, family_id,
                                      t.waiting_for.index(section))
        yield group
        for frame in versions:
            yield frame
            ids.append(frame["id"])
    ids.sort()
    yield {"t": "vouch", "family": family_id, "ids": ids,
           "signature": b64(pair.sign(vouch_message(s.vault_id, t.partner, t.bundle,
                                                    family_id, ids)))}
    counter.append(len(ids))
    yield {"t": "end", "versions": len(ids)}
