"""Identity cards (docs/bundle-format.md, "Identities, cards and partners"): a vault's public
sharing keys, its sections' current public keys, team name and vault id, signed by the identity
key. Parsing checks shape and self-signature; whether the identity is *trusted* is the pin's
business (services/sharing/partners.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from workbook.crypto import bounded_json
from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.sync.errors import BundleRefused

CARD_FORMAT = "workbook identity card v1"
# A card carries one public key set (ed25519, X25519 and ML-KEM-768: about 1.7 KB in base64) for
# the identity and for each section: 14 sections today make a signed card of about 33 KB, and
# its file (the card base64 again) about 45 KB. 96 KiB and 128 KiB leave room for twice as many
# sections while keeping a hostile card small.
MAX_CARD_BYTES = 96 * 1024
MAX_CARD_FILE = 128 * 1024
# A card nests three levels ({"sections": {name: {...}}}); anything deeper is not a card.
MAX_CARD_DEPTH = 8
_VAULT_ID = re.compile(r"[0-9a-zA-Z_-]{8,128}")


@dataclass(frozen=True)
class SectionKey:
    epoch: int
    public: PublicKeys


@dataclass(frozen=True)
class Card:
    vault_id: str
    team: str
    identity: PublicKeys
    sections: dict[str, SectionKey]
    issued_at: str
    raw: bytes
    signature: bytes

    @property
    def fingerprint(self) -> str:
        return self.identity.fingerprint()

    def to_file(self) -> bytes:
        return json.dumps({"card": b64(self.raw), "signature": b64(self.signature)},
                          sort_keys=True).encode() + b"\n"


def _message(raw: bytes) -> bytes:
    return fields(CARD_FORMAT, raw)


def make_card(identity: KeyPair, *, vault_id: str, team: str,
              sections: dict[str, tuple[int, PublicKeys]], issued_at: str) -> Card:
    data = {
        "format": CARD_FORMAT, "vault_id": vault_id, "team": team,
        "identity": b64(identity.public.raw), "issued_at": issued_at,
        "sections": {name: {"epoch": epoch, "public": b64(public.raw)}
                     for name, (epoch, public) in sorted(sections.items())},
    }
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    signature = identity.sign(_message(raw))
    return parse_card(raw, signature)


def parse_card_file(data: bytes) -> Card:
    if len(data) > MAX_CARD_FILE:
        raise BundleRefused(f"the identity card file is too large (at most {MAX_CARD_FILE} "
                            "bytes)")
    try:
        outer = bounded_json.loads(data, max_bytes=MAX_CARD_FILE, max_depth=MAX_CARD_DEPTH)
        raw = unb64(outer["card"])
        signature = unb64(outer["signature"])
    except bounded_json.JsonRefused as exc:
        raise BundleRefused(f"this is not a Workbook identity card: {exc}") from None
    except (ValueError, KeyError, TypeError):
        raise BundleRefused("this is not a Workbook identity card") from None
    return parse_card(raw, signature)


def parse_card(raw: bytes, signature: bytes) -> Card:
    """Shape and self-signature. Section names are returned as given: the caller decides
    whether it knows them."""
    try:
        data: Any = bounded_json.loads(raw, max_bytes=MAX_CARD_BYTES, max_depth=MAX_CARD_DEPTH)
        if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
            raise ValueError
        vault_id, team, issued_at = data["vault_id"], data["team"], data["issued_at"]
        if not (isinstance(vault_id, str) and _VAULT_ID.fullmatch(vault_id)):
            raise ValueError
        if not (isinstance(team, str) and 0 < len(team) <= 200):
            raise ValueError
        if not (isinstance(issued_at, str) and 0 < len(issued_at) <= 40):
            raise ValueError
        identity = PublicKeys(unb64(data["identity"]))
        sections: dict[str, SectionKey] = {}
        raw_sections = data["sections"]
        if not isinstance(raw_sections, dict) or len(raw_sections) > 64:
            raise ValueError
        for name, entry in raw_sections.items():
            epoch = entry["epoch"]
            if not (isinstance(name, str) and len(name) <= 64 and type(epoch) is int
                    and 1 <= epoch < 2**31):
                raise ValueError
            sections[name] = SectionKey(epoch, PublicKeys(unb64(entry["public"])))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise BundleRefused("the identity card is malformed") from None
    try:
        identity.verify(signature, _message(raw), "identity card")
    except AuthenticationFailed:
        raise BundleRefused(
            "the identity card's signature does not verify: it was altered") from None
    return Card(vault_id, team, identity, sections, issued_at, raw, signature)
