"""The board digest as stored: a head and pages of records (issue 19, decision 0011).

A digest of a vault where a person reads 20,000 open families holds about a million records;
stored as one blob, reading it back (the SQLCipher read, the decryption, the JSON parse) was
one piece of work of about half a second, and a family opened while home's deadlines read it
waited for all of it. Stored as a head (what the digest was worked out from, the closed
families' history, how many pages) and pages of at most `PAGE_RECORDS` records, it is read a
page per step, each step a few milliseconds.

Each part is its own AES-256-GCM seal under the person's digest key. The head's associated
data names the vault, the person and the format; a page's names those, a token drawn afresh
at every store, its number and how many pages the head names. So a page cannot be moved to
another number, taken from an earlier store or another person's digest, or left out, without
the read failing - and a read that fails only costs a rebuild (board_digest.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from typing import Any

from workbook.crypto.encoding import fields
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.symmetric import unwrap
from workbook.vault import board_digest_store
from workbook.vault.database import Connection

PAGE_RECORDS = 2_500


def page_ad(vault_id: str, user_id: str, fmt: int, token: str, index: int, count: int
            ) -> bytes:
    return fields("workbook board digest page v1", vault_id, user_id, fmt, token, index, count)


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def pages_of(kinds: dict[str, dict[str, Any]], size: int | None = None
             ) -> list[dict[str, dict[str, Any]]]:
    """The records of every kind, `size` (PAGE_RECORDS) at most to a page, in order."""
    size = size or PAGE_RECORDS
    pages: list[dict[str, dict[str, Any]]] = []
    page: dict[str, dict[str, Any]] = {}
    room = max(1, size)
    for kind, records in kinds.items():
        items = iter(records.items())
        while part := dict(itertools.islice(items, room)):
            page[kind] = part
            room -= len(part)
            if room == 0:
                pages.append(page)
                page, room = {}, max(1, size)
    if page:
        pages.append(page)
    return pages


def parse_head(raw: bytes, fmt: int) -> dict[str, Any]:
    """The head's fields, checked for shape; ValueError if it is not a head of `fmt`."""
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data["format"] != fmt:
            raise ValueError("another format")
        closed = data["closed"]
        if not isinstance(closed, dict) or not all(
                isinstance(v, list) and len(v) == 2 and isinstance(v[1], dict)
                for v in closed.values()):
            raise ValueError("closed")
        if (type(data["pages"]) is not int or data["pages"] < 0
                or not isinstance(data["token"], str)
                or not isinstance(data["held"], list) or not isinstance(data["readable"], list)):
            raise ValueError("head")
        int(data["seq"])
        int(data["removals"])
        str(data["anchor"])
        return data
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a board digest: {type(exc).__name__}") from None


def parse_page(raw: bytes, kinds: Iterable[str]) -> dict[str, dict[str, Any]]:
    """A page's records by kind; ValueError unless every record is a digest record."""
    known = set(kinds)
    try:
        page = json.loads(raw)
        if not isinstance(page, dict) or not set(page) <= known:
            raise ValueError("kinds")
        for records in page.values():
            if not isinstance(records, dict):
                raise ValueError("records")
            for rec in records.values():
                if not isinstance(rec, list) or len(rec) != 4:
                    raise ValueError("record")
        return page
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"not a board digest page: {type(exc).__name__}") from None


class PagedRead:
    """A stored digest read back a part per `step`: the head first (and, if `holds` says the
    digest it describes no longer holds, nothing more), then one page a step. Once `done`,
    `head` and `kinds` hold what was read, or `failed` says why none of it may be used."""

    def __init__(self, conn: Connection, user_id: str, vault_id: str, key: bytes,
                 head_ad: bytes, fmt: int, kinds: Iterable[str],
                 holds: Callable[[dict[str, Any]], bool]) -> None:
        self._conn, self._user_id, self._vault_id = conn, user_id, vault_id
        self._key, self._head_ad, self._fmt = key, head_ad, fmt
        self._holds = holds
        self.kinds: dict[str, dict[str, Any]] = {k: {} for k in kinds}
        self.head: dict[str, Any] | None = None
        self.next_page = 0
        self.done = False
        self.failed = ""

    def step(self) -> bool:
        """The head, or the next page; True once done (read whole, or failed)."""
        if self.done:
            return True
        try:
            if self.head is None:
                self._read_head()
            else:
                self._read_page()
        except (AuthenticationFailed, ValueError) as exc:
            self._fail(str(exc) or type(exc).__name__)
        return self.done

    def _read_head(self) -> None:
        blob = board_digest_store.load(self._conn, self._user_id)
        if blob is None:
            self._fail("no digest is stored")
            return
        head = parse_head(unwrap(self._key, blob, self._head_ad, "board digest"), self._fmt)
        if not self._holds(head):
            self._fail("the stored digest no longer holds")
            return
        self.head = head
        self.done = head["pages"] == 0

    def _read_page(self) -> None:
        assert self.head is not None
        count, n = self.head["pages"], self.next_page
        blob = board_digest_store.load_page(self._conn, self._user_id, n)
        if blob is None:
            raise ValueError(f"page {n} of the stored digest is missing")
        ad = page_ad(self._vault_id, self._user_id, self._fmt, self.head["token"], n, count)
        for kind, records in parse_page(unwrap(self._key, blob, ad, "board digest page"),
                                        self.kinds).items():
            self.kinds[kind].update(records)
        self.next_page += 1
        self.done = self.next_page >= count

    def _fail(self, why: str) -> None:
        self.failed, self.done = why, True
        self.head, self.kinds = None, {k: {} for k in self.kinds}
