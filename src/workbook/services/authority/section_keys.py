"""The section secrets a signed-in person holds, and everything derived from them.

From S(s, n): the section's HPKE/Ed25519 key pair, the tag key that hides which section a row
belongs to, the key that wraps the previous epoch's secret, and one content key per family."""

from __future__ import annotations

import hashlib

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import ContentCipher, hkdf, mac, unwrap
from workbook.services.authority.sealed_groups import GroupKey, open_token
from workbook.services.authority.signatures import grant_info
from workbook.services.authority.trust import Trust
from workbook.services.errors import TamperingDetected
from workbook.vault import section_store
from workbook.vault.database import Connection


def section_keypair(secret: Secret, vault_id: str, section: str, epoch: int) -> KeyPair:
    return KeyPair.derive(secret, f"section|{vault_id}|{section}|{epoch}")


def tag_key(secret: Secret, vault_id: str, section: str, epoch: int) -> bytes:
    return hkdf(secret.value, fields("workbook section tag", vault_id, section, epoch))


def previous_wrap_key(secret: Secret, vault_id: str, section: str, epoch: int) -> bytes:
    return hkdf(secret.value, fields("workbook previous epoch", vault_id, section, epoch))


def previous_wrap_ad(vault_id: str, section: str, epoch: int) -> bytes:
    return fields("workbook previous epoch", vault_id, section, epoch)


def row_tag(tag_key_bytes: bytes, family_id: str) -> bytes:
    """Per family, so equal tags never reveal that two families share a restricted section."""
    return mac(tag_key_bytes, fields("workbook row tag", family_id))[:16]


class SectionKeys:
    """Unsealed section secrets for one session; wiped on lock."""

    def __init__(self, vault_id: str, trust: Trust) -> None:
        self.vault_id = vault_id
        self.trust = trust
        self._secrets: dict[tuple[str, int], Secret] = {}
        self._keypairs: dict[tuple[str, int], KeyPair] = {}
        self._tag_keys: dict[tuple[str, int], bytes] = {}
        self._ciphers: dict[tuple[str, int, str], ContentCipher] = {}
        self._groups: dict[bytes, GroupKey | None] = {}

    # --- loading ---------------------------------------------------------------------------
    def load_grants(self, conn: Connection, holder: str, opener: KeyPair) -> None:
        for grant in section_store.grants(conn, holder):
            info = grant_info(self.vault_id, grant.section, grant.epoch, holder)
            try:
                secret = Secret(opener.open(grant.sealed, info, "section key"))
            except AuthenticationFailed:
                raise TamperingDetected(
                    f"a stored section key grant ({grant.section}, epoch {grant.epoch}) does not "
                    "open: it was altered or moved"
                ) from None
            self.add(grant.section, grant.epoch, secret)
        self._unwrap_older(conn)

    def add(self, section: str, epoch: int, secret: Secret) -> None:
        expected = self.trust.section_public(section, epoch)
        keypair = section_keypair(secret, self.vault_id, section, epoch)
        if expected is None or expected.raw != keypair.public.raw:
            raise TamperingDetected(
                f"the key for section {section} epoch {epoch} does not match its signed public "
                "key: refusing to use it"
            )
        self._secrets[(section, epoch)] = secret
        self._keypairs[(section, epoch)] = keypair

    def _unwrap_older(self, conn: Connection) -> None:
        rows = {(r.section, r.epoch): r for r in section_store.all_epochs(conn)}
        changed = True
        while changed:
            changed = False
            for (section, epoch), secret in list(self._secrets.items()):
                if epoch <= 1 or (section, epoch - 1) in self._secrets:
                    continue
                row = rows.get((section, epoch))
                if row is None or row.prev_wrapped is None:
                    continue
                try:
                    older = unwrap(
                        previous_wrap_key(secret, self.vault_id, section, epoch),
                        row.prev_wrapped,
                        previous_wrap_ad(self.vault_id, section, epoch),
                        "previous epoch key",
                    )
                except AuthenticationFailed:
                    raise TamperingDetected(
                        f"the previous key of section {section} (epoch {epoch - 1}) was altered"
                    ) from None
                self.add(section, epoch - 1, Secret(older))
                changed = True

    # --- questions -------------------------------------------------------------------------
    def holds(self, section: str) -> bool:
        current = self.trust.current_epoch(section)
        return current > 0 and (section, current) in self._secrets

    def held_sections(self) -> set[str]:
        return {s for (s, _e) in self._secrets if self.holds(s)}

    def held(self) -> list[tuple[str, int]]:
        return sorted(self._secrets)

    def secret(self, section: str, epoch: int) -> Secret:
        return self._secrets[(section, epoch)]

    def keypair(self, section: str, epoch: int) -> KeyPair:
        return self._keypairs[(section, epoch)]

    def tag(self, section: str, epoch: int, family_id: str) -> bytes:
        key = self._tag_keys.get((section, epoch))
        if key is None:
            key = tag_key(self._secrets[(section, epoch)], self.vault_id, section, epoch)
            self._tag_keys[(section, epoch)] = key
        return row_tag(key, family_id)

    def tags_for_section(self, section: str, family_id: str) -> dict[bytes, tuple[str, int]]:
        """Only one section's tags: listing families needs the household's, nothing more."""
        return {self.tag(s, e, family_id): (s, e) for (s, e) in self._secrets if s == section}

    def tags_for_family(self, family_id: str) -> dict[bytes, tuple[str, int]]:
        return {self.tag(s, e, family_id): (s, e) for (s, e) in self._secrets}

    def cipher(self, section: str, epoch: int, family_id: str) -> ContentCipher:
        cached = self._ciphers.get((section, epoch, family_id))
        if cached is None:
            key = hkdf(
                self._secrets[(section, epoch)].value,
                fields("workbook content", self.vault_id, section, epoch, family_id),
            )
            cached = ContentCipher(key)
            if len(self._ciphers) > 4096:
                self._ciphers.clear()
            self._ciphers[(section, epoch, family_id)] = cached
        return cached

    def group_key(self, token: bytes, info: bytes, epoch: int) -> GroupKey | None:
        """The key of a sealed group (services/authority/sealed_groups.py), if a held section key of
        `epoch` opens its token; opened once per session, so reading many imported versions
        costs one public-key operation per group."""
        cache_key = hashlib.sha256(info + token).digest()
        if cache_key in self._groups:
            return self._groups[cache_key]
        found: GroupKey | None = None
        for (section, held_epoch), keypair in sorted(self._keypairs.items()):
            if held_epoch != epoch:
                continue
            try:
                opened = open_token(keypair, token, info)
            except AuthenticationFailed:
                continue
            if opened.section == section:
                found = opened
            break
        self._groups[cache_key] = found
        return found

    def wipe(self) -> None:
        for secret in self._secrets.values():
            secret.wipe()
        for keypair in self._keypairs.values():
            keypair.wipe()
        self._secrets.clear()
        self._keypairs.clear()
        self._tag_keys.clear()
        self._ciphers.clear()
        self._groups.clear()
        self._groups.clear()


class FamilyTags:
    """Each family's section tags for the keys held, worked out once per family (an HKDF per
    section and epoch) for a pass over many families' rows."""

    def __init__(self, keys: SectionKeys) -> None:
        self._keys = keys
        self._tags: dict[str, dict[bytes, tuple[str, int]]] = {}

    def __call__(self, family_id: str) -> dict[bytes, tuple[str, int]]:
        found = self._tags.get(family_id)
        if found is None:
            found = self._keys.tags_for_family(family_id)
            self._tags[family_id] = found
        return found

    def clear(self) -> None:
        self._tags.clear()
