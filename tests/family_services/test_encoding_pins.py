"""The bytes every stored version depends on, pinned: `fields`, the row's associated data, the
signed message, the version id and the verification receipt. Existing vaults and bundles
only open while these stay byte for byte the same, so any speed-up of them must pass here."""

from __future__ import annotations

import hashlib

import pytest

from workbook.crypto.encoding import fields
from workbook.services.authority.record_codec import row_ad, signed_message, version_id_of
from workbook.services.authority.verified_versions import VerifiedVersions

V = "0123456789abcdef0123456789abcdef"
WHEN = "2026-01-02T03:04:05.000006+00:00"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fields_bytes_are_pinned() -> None:
    mixed = fields("a", "", None, b"", b"\x00\xff", bytearray(b"xy"), 0, -1, 2**40, True, False,
                   "Zoë ✓")
    assert mixed.hex() == (
        "000000016100000000ffffffff000000000000000200ff0000000278790000000800000000000000000000"
        "0008ffffffffffffffff000000080000010000000000000000080000000000000001000000080000000000"
        "000000000000085a6fc3ab20e29c93"
    )
    assert fields() == b""


def test_fields_keeps_neighbours_apart() -> None:
    assert fields("ab", "c") != fields("a", "bc")
    assert fields(None) != fields("")
    assert fields(1) != fields("1")


def test_row_ad_bytes_are_pinned() -> None:
    sealed = row_ad("v", "fam", "rec", "family", None, 0, "[]", "recovery", "dev", "", True)
    assert sealed.hex() == (
        "00000017776f726b626f6f6b2076657273696f6e20726f7720763100000001760000000366616d000000"
        "037265630000000666616d696c79ffffffff000000080000000000000000000000025b5d000000087265"
        "636f766572790000000364657600000000000000080000000000000001"
    )
    plain = row_ad(V, "f" * 32, "r" * 32, "entry", b"\x01" * 16, 3, '["aa","bb"]', "u" * 32,
                   "d" * 32, WHEN, False)
    assert _sha(plain) == "9f54caff831116beae38cca06f34ae77ed65bae3ce6117367db1b148e1e6ed2e"
    unicode = row_ad("v", "fämily", "rec", "entry", b"", 1, "[]", "Zoë", "dév", "x", False)
    assert _sha(unicode) == "3b20ff5bc72ae6478f6a23a06071ce35cd38ed92f7c96aa1ff30f44dfd1e6199"


def test_signed_message_and_version_id_are_pinned() -> None:
    plain = signed_message("f" * 32, "r" * 32, "entry", "case-notes", ("bb", "aa"), "u" * 32,
                           "d" * 32, "2026-01-02T03:04:05+00:00", b'{"text":"hi"}')
    assert _sha(plain) == "c75d030203486e60a18cf60878d05e4b23a422917b0aa94e16b7369069d66982"
    assert version_id_of(plain, b"s" * 64) == "da69bee6fa57436884984f98e3db2b5e"
    unicode = signed_message("fäm", "rec", "person", "household", (), "Zoë", "dév", "",
                             "✓ payload".encode())
    assert _sha(unicode) == "77d814bcf3b5291e88c1b0deff35c2e19b4fe4a4281cb03be23c62e200c59645"


@pytest.mark.parametrize("repeat", [1, 3])
def test_receipt_is_pinned(repeat: int) -> None:
    """A receipt made now must match one stored by an earlier session (the same bytes each
    time, however many receipts this session has already made)."""
    receipts = VerifiedVersions(b"k" * 32)
    for _ in range(repeat):
        assert receipts._receipt(V).hex() == "4dc073d951e776a4915d646f9932a254"
