"""A holder for key material that hides itself from repr() and can be zeroed.

Python copies bytes freely, so zeroing is best effort: secrets live in one bytearray that
every derivation reads from, and `wipe()` overwrites it when a session locks."""

from __future__ import annotations

import secrets as _secrets


class Secret:
    """Key material that never prints and can be wiped."""

    __slots__ = ("_buf",)

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._buf = bytearray(data)

    @classmethod
    def random(cls, length: int = 32) -> Secret:
        return cls(_secrets.token_bytes(length))

    @property
    def value(self) -> bytearray:
        if not self._buf:
            raise ValueError("this secret was wiped when the session locked")
        return self._buf

    def __len__(self) -> int:
        return len(self._buf)

    def wipe(self) -> None:
        for i in range(len(self._buf)):
            self._buf[i] = 0
        self._buf = bytearray()

    def __repr__(self) -> str:
        return "Secret(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return _secrets.compare_digest(bytes(self._buf), bytes(other._buf))

    def __hash__(self) -> int:
        raise TypeError("secrets are not hashable")

    def __reduce__(self) -> str:
        raise TypeError("secrets cannot be pickled")
