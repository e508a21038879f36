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
from workbook.services.authority import epoch_rivals
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
        self._ciphers: dict[tuple[str, int, str], EpochCipher] = {}
        self._groups: dict[bytes, GroupKey | None] = {}
        # Secrets of epochs that lost to another of the same number (epoch_rivals.py, C34):
        # kept to read what was written under them; never written with.
        self._rivals: dict[tuple[str, int], list[tuple[Secret, KeyPair]]] = {}

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
        if self.trust.rival_epochs:
            wraps = section_store.rival_wraps(conn)
            while self._unwrap_rivals(wraps):
                self._unwrap_older(conn)

    def add(self, section: str, epoch: int, secret: Secret) -> None:
        """Keep a secret whose key pair is the signed epoch's, or one of its believed rivals'
        (C34); anything else is tampering."""
        expected = self.trust.section_public(section, epoch)
        keypair = section_keypair(secret, self.vault_id, section, epoch)
        if expected is not None and expected.raw == keypair.public.raw:
            self._secrets[(section, epoch)] = secret
            self._keypairs[(section, epoch)] = keypair
        elif any(r.raw == keypair.public.raw for r in self.trust.rival_publics(section, epoch)):
            kept = self._rivals.setdefault((section, epoch), [])
            if all(k.public.raw != keypair.public.raw for _s, k in kept):
                kept.append((secret, keypair))
        else:
            raise TamperingDetected(
                f"the key for section {section} epoch {epoch} does not match its signed public "
                "key: refusing to use it"
            )

    def _all_held(self) -> list[tuple[str, int, Secret, KeyPair]]:
        out = [(s, e, secret, self._keypairs[(s, e)]) for (s, e), secret in self._secrets.items()]
        return out + [(s, e, secret, pair) for (s, e), kept in self._rivals.items()
                      for secret, pair in kept]

    def _unwrap_older(self, conn: Connection) -> None:
        """From each epoch held (winner or rival), the secret its row wraps: the one its
        rotator held before, whichever of that number their replica had."""
        rows = {(r.section, r.epoch, r.public_keys): r
                for r in section_store.epochs_and_rivals(conn)}
        changed = True
        while changed:
            changed = False
            for section, epoch, secret, pair in self._all_held():
                if epoch <= 1 or ((section, epoch - 1) in self._secrets and
                                  (section, epoch - 1) not in self.trust.rival_epochs):
                    continue  # the one epoch before is held already (no rival to find)
                row = rows.get((section, epoch, pair.public.raw))
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
                if not self._has(section, epoch - 1, older):
                    self.add(section, epoch - 1, Secret(older))
                    changed = True

    def _unwrap_rivals(self, wraps: list[section_store.RivalWrap]) -> bool:
        """Rival epochs' secrets wrapped under a secret held (C34); True if any was new."""
        changed = False
        for row in wraps:
            under = self._secret_of(row.section, row.epoch, row.under_keys)
            if under is None or self._secret_of(row.section, row.epoch, row.public_keys):
                continue
            try:
                value = epoch_rivals.unwrap_rival(self.vault_id, row, under)
            except AuthenticationFailed:
                raise TamperingDetected(f"a kept key of section {row.section} (epoch "
                                        f"{row.epoch}) was altered") from None
            self.add(row.section, row.epoch, Secret(value))
            changed = True
        return changed

    def _secret_of(self, section: str, epoch: int, public_keys: bytes) -> Secret | None:
        for s, e, secret, pair in self._all_held():
            if (s, e) == (section, epoch) and pair.public.raw == public_keys:
                return secret
        return None

    def rival_wraps_to_make(self, made: set[tuple[str, int, bytes, bytes]]
                            ) -> list[section_store.RivalWrap]:
        """Each rival secret held, wrapped under the winner's, where no wrap is stored yet
        (`made`: (section, epoch, public keys, under keys) of those stored)."""
        out = []
        for (section, epoch), kept in sorted(self._rivals.items()):
            if (section, epoch) not in self._secrets:
                continue
            winner = self._keypairs[(section, epoch)].public.raw
            for secret, pair in kept:
                if (section, epoch, pair.public.raw, winner) not in made:
                    out.append(epoch_rivals.wrap_rival(
                        self.vault_id, section, epoch, secret, pair.public.raw,
                        self._secrets[(section, epoch)], winner))
        return out

    def _has(self, section: str, epoch: int, value: bytes) -> bool:
        return any(s == section and e == epoch and secret.value == value
                   for s, e, secret, _pair in self._all_held())

    # --- questions -------------------------------------------------------------------------
    def holds(self, section: str) -> bool:
        current = self.trust.current_epoch(section)
        return current > 0 and (section, current) in self._secrets

    def held_sections(self) -> set[str]:
        return {s for (s, _e) in self._secrets if self.holds(s)}

    def held(self) -> list[tuple[str, int]]:
        """Each (section, epoch) held, once per key (a rival's too, C34), so that a cache keyed
        on it is dropped when a rival's key is added."""
        return sorted([*self._secrets, *((s, e) for (s, e), kept in self._rivals.items()
                                           for _k in kept)])

    def secret(self, section: str, epoch: int) -> Secret:
        return self._secrets[(section, epoch)]

    def keypair(self, section: str, epoch: int) -> KeyPair:
        return self._keypairs[(section, epoch)]

    def keypairs(self, section: str, epoch: int) -> list[KeyPair]:
        """The epoch's key pair and its rivals' (C34): what a sealed row may be sealed to."""
        own = [self._keypairs[(section, epoch)]] if (section, epoch) in self._keypairs else []
        return own + [pair for _s, pair in self._rivals.get((section, epoch), [])]

    def tag(self, section: str, epoch: int, family_id: str) -> bytes:
        key = self._tag_keys.get((section, epoch))
        if key is None:
            key = tag_key(self._secrets[(section, epoch)], self.vault_id, section, epoch)
            self._tag_keys[(section, epoch)] = key
        return row_tag(key, family_id)

    def tags_for_section(self, section: str, family_id: str) -> dict[bytes, tuple[str, int]]:
        """Only one section's tags: listing families needs the household's, nothing more."""
        return {**self._rival_tags(section, family_id),
                **{self.tag(s, e, family_id): (s, e) for (s, e) in self._secrets if s == section}}

    def tags_for_family(self, family_id: str) -> dict[bytes, tuple[str, int]]:
        return {**self._rival_tags(None, family_id),
                **{self.tag(s, e, family_id): (s, e) for (s, e) in self._secrets}}

    def _rival_tags(self, section: str | None, family_id: str) -> dict[bytes, tuple[str, int]]:
        """Rows written under a rival epoch carry its tag; they map to the same (section,
        epoch), and `cipher` opens them with the rival's key."""
        return {row_tag(tag_key(secret, self.vault_id, s, e), family_id): (s, e)
                for (s, e), kept in self._rivals.items() if section in (None, s)
                for secret, _pair in kept}

    def cipher(self, section: str, epoch: int, family_id: str) -> EpochCipher:
        cached = self._ciphers.get((section, epoch, family_id))
        if cached is None:
            secrets = [self._secrets[(section, epoch)]] if (section, epoch) in self._secrets \
                else []
            secrets += [secret for secret, _p in self._rivals.get((section, epoch), [])]
            cached = EpochCipher([ContentCipher(hkdf(
                secret.value, fields("workbook content", self.vault_id, section, epoch,
                                     family_id))) for secret in secrets],
                writable=(section, epoch) in self._secrets)
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
        for section, held_epoch in self.held():
            if held_epoch != epoch:
                continue
            for keypair in self.keypairs(section, held_epoch):
                try:
                    opened = open_token(keypair, token, info)
                except AuthenticationFailed:
                    continue
                found = opened if opened.section == section else None
                self._groups[cache_key] = found
                return found
        self._groups[cache_key] = found
        return found

    def wipe(self) -> None:
        for secret in self._secrets.values():
            secret.wipe()
        for keypair in self._keypairs.values():
            keypair.wipe()
        for kept in self._rivals.values():
            for secret, keypair in kept:
                secret.wipe()
                keypair.wipe()
        self._rivals.clear()
        self._secrets.clear()
        self._keypairs.clear()
        self._tag_keys.clear()
        self._ciphers.clear()
        self._groups.clear()
        self._groups.clear()


class EpochCipher:
    """The content keys of one (section, epoch, family): the epoch's own, which writes, and
    its rivals' (C34), which only read; a row opens with whichever sealed it (a failed
    AES-GCM open costs microseconds)."""

    __slots__ = ("_ciphers", "_writable")

    def __init__(self, ciphers: list[ContentCipher], writable: bool) -> None:
        self._ciphers, self._writable = ciphers, writable

    def encrypt(self, plaintext: bytes, ad: bytes) -> bytes:
        if not self._writable:
            raise KeyError("only a rival epoch's key is held: it is never written with")
        return self._ciphers[0].encrypt(plaintext, ad)

    def decrypt(self, blob: bytes, ad: bytes, what: str = "record") -> bytes:
        for cipher in self._ciphers[:-1]:
            try:
                return cipher.decrypt(blob, ad, what)
            except AuthenticationFailed:
                continue
        if not self._ciphers:
            raise AuthenticationFailed(what)
        return self._ciphers[-1].decrypt(blob, ad, what)

    def __repr__(self) -> str:
        return "EpochCipher(<hidden>)"


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
