"""Believing versions written by another vault's people (docs/bundle-format.md, "Believing
versions written by the other vault's people").

A version whose author is not a user of this vault is believed when a pinned partner vouched
for its id in a bundle: the vouch is the partner identity's signature over the sorted version
ids of one family in one bundle, stored as it arrived and checked again by every reader. A
version claiming a local author never takes this path: it needs that author's certified key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.services.authority import RECOVERY, Trust
from workbook.vault import accounts, sharing_store
from workbook.vault.database import Connection

if TYPE_CHECKING:
    from workbook.services.session import Session


def vouch_message(sender: str, recipient: str, bundle_id: str, family_id: str,
                  version_ids: list[str]) -> bytes:
    return fields("workbook vouch v1", sender, recipient, bundle_id, family_id,
                  ",".join(version_ids))


class PartnerVouches:
    """Per family, which version ids which partner vouched for; verified once per session."""

    def __init__(self, conn: Connection, vault_id: str, trust: Trust,
                 pinned: dict[str, tuple[bytes, ...]]) -> None:
        self._conn = conn
        self._vault_id = vault_id
        self._trust = trust
        self._pinned = pinned  # partner vault id -> every identity key ever pinned for it
        self._families: dict[str, dict[str, str]] = {}
        self._local: dict[str, bool] = {}

    def origin(self, version_id: str, family_id: str, author: str) -> str | None:
        """The partner who vouched for this version, if its author is not one of ours."""
        if author == RECOVERY or author in self._trust.user_keys:
            return None
        local = self._local.get(author)
        if local is None:
            local = accounts.by_id(self._conn, author) is not None
            self._local[author] = local
        if local:
            return None
        return self._family(family_id).get(version_id)

    def forget(self, family_id: str) -> None:
        self._families.pop(family_id, None)

    def _family(self, family_id: str) -> dict[str, str]:
        known = self._families.get(family_id)
        if known is not None:
            return known
        known = {}
        for row in sharing_store.vouches_of_family(self._conn, family_id):
            ids = row.version_ids.split(",") if row.version_ids else []
            message = vouch_message(row.sender, self._vault_id, row.bundle_id, family_id, ids)
            if any(_verifies(key, row.signature, message)
                   for key in self._pinned.get(row.sender, ())):
                for version_id in ids:
                    known.setdefault(version_id, row.sender)
        self._families[family_id] = known
        return known


def _verifies(raw: bytes, signature: bytes, message: bytes) -> bool:
    try:
        PublicKeys(raw).verify(signature, message)
        return True
    except (AuthenticationFailed, ValueError):
        return False


class SessionVouches:
    """PartnerVouches for a session, built on first use (most sessions never meet an imported
    version) and rebuilt after partners change or a bundle is received."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._inner: PartnerVouches | None = None

    def origin(self, version_id: str, family_id: str, author: str) -> str | None:
        if self._inner is None:
            from workbook.services.sharing.partners import load_partners

            s = self._session
            pinned = {p.vault_id: p.keys_ever_pinned for p in load_partners(s).values()}
            self._inner = PartnerVouches(s.conn, s.vault_id, s.trust, pinned)
        return self._inner.origin(version_id, family_id, author)

    def reset(self) -> None:
        self._inner = None
