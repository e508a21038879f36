"""Which epoch of a section counts when two replicas rotated it at once (decision 0009, C34).

Two rotations made on two replicas before either synced are two signed epoch rows of one
number. Both are kept (`section_epoch_rivals`, and the grants of both in
`section_grants_kept`), so what was written under either still opens. Of the rows of one
number whose signatures hold, the one that sorts first by (signed time, signature) is the
section's epoch of that number: what new writes use, what later epochs chain from. Every
replica computes the same answer from signed content alone, whatever order rows arrived in;
a row that does not verify is refused, as any broken epoch is, and never wins.

Signed time is the signer's to choose, so a row backed by its rotation in the verified
membership chain (a `rotate` event by its creator, of that section and number, at its time,
the creator then a signed holder of the number before) beats every row that is not: someone
who once held the section cannot backdate an epoch of their own to win. Two genuine rotations
made on two replicas fork the membership chain; until an owner merges it (decision 0009, 13)
neither is backed, and the first by (signed time, signature) of those that verify counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import PublicKeys
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import hkdf, unwrap, wrap
from workbook.services.authority import signatures
from workbook.vault.section_store import EpochRow, RivalWrap


@dataclass
class BelievedEpochs:
    epochs: dict[tuple[str, int], PublicKeys] = field(default_factory=dict)
    rivals: dict[tuple[str, int], list[PublicKeys]] = field(default_factory=dict)
    broken: list[tuple[str, int]] = field(default_factory=list)


Rotation = tuple[str, str, int, str]  # (rotator, section, epoch, at) in the verified chain


def believe(rows: Iterable[EpochRow], vault_id: str,
            verify_by: Callable[[str, bytes, bytes], bool],
            rotations: set[Rotation]) -> BelievedEpochs:
    """Every number's winner and its believed rivals, from `rows` sorted by (section, epoch).
    A row counts only if its creator's signature verifies under a trusted key and, after
    epoch 1, the previous number's winner or one of its rivals signed it too (the rotator
    held the section, whichever epoch their replica had)."""
    out = BelievedEpochs()
    for (section, epoch), group in groupby(rows, key=lambda r: (r.section, r.epoch)):
        previous = [out.epochs[(section, epoch - 1)], *out.rivals.get((section, epoch - 1), [])] \
            if (section, epoch - 1) in out.epochs else []
        believed: list[tuple[EpochRow, PublicKeys]] = []
        for row in group:
            key = _believed_key(row, vault_id, verify_by, previous)
            if key is None:
                out.broken.append((section, epoch))
            elif all(key.raw != b.raw for _r, b in believed):
                believed.append((row, key))
        if believed:
            backed = [(r, k) for r, k in believed
                      if epoch == 1 or (r.created_by, section, epoch, r.created_at) in rotations]
            _row, winner = min(backed or believed, key=lambda p: (p[0].created_at, p[0].signature))
            out.epochs[(section, epoch)] = winner
            rivals = [key for _r, key in believed if key.raw != winner.raw]
            if rivals:
                out.rivals[(section, epoch)] = rivals
    return out


def _believed_key(row: EpochRow, vault_id: str, verify_by: Callable[[str, bytes, bytes], bool],
                  previous: list[PublicKeys]) -> PublicKeys | None:
    message = signatures.section_epoch(vault_id, row.section, row.epoch, row.public_keys,
                                       row.created_by, row.created_at)
    if not verify_by(row.created_by, row.signature, message):
        return None
    if row.epoch > 1:
        if row.prev_signature is None or not any(
                _verifies(p, row.prev_signature, message) for p in previous):
            return None
    try:
        return PublicKeys(row.public_keys)
    except ValueError:
        return None


def wrap_rival(vault_id: str, section: str, epoch: int, secret: Secret, public_keys: bytes,
               under: Secret, under_keys: bytes) -> RivalWrap:
    """A rival epoch's secret wrapped under the winner's, so whoever is given the winner
    later (a newcomer, a later epoch unwrapping backwards) reads what was written under both.
    Nothing signs it: the secret it gives is used only if its key pair is a believed epoch's
    of that number (`SectionKeys.add`)."""
    return RivalWrap(section, epoch, public_keys, under_keys, wrap(
        _wrap_key(vault_id, section, epoch, public_keys, under), secret.value,
        _wrap_ad(vault_id, section, epoch, public_keys, under_keys)))


def unwrap_rival(vault_id: str, row: RivalWrap, under: Secret) -> bytes:
    return unwrap(_wrap_key(vault_id, row.section, row.epoch, row.public_keys, under),
                  row.wrapped, _wrap_ad(vault_id, row.section, row.epoch, row.public_keys,
                                        row.under_keys), "rival epoch key")


def _wrap_key(vault_id: str, section: str, epoch: int, public_keys: bytes,
              under: Secret) -> bytes:
    return hkdf(under.value, fields("workbook rival epoch", vault_id, section, epoch,
                                    public_keys))


def _wrap_ad(vault_id: str, section: str, epoch: int, public_keys: bytes,
             under_keys: bytes) -> bytes:
    return fields("workbook rival epoch", vault_id, section, epoch, public_keys, under_keys)


def _verifies(key: PublicKeys, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except AuthenticationFailed:
        return False
    return True
