"""Finding families and persons as you type (issue 3, "Home"; P2: "search over names is built in
memory after unlock from what the user can decrypt, never stored in clear").

The index is a plain in-memory structure made from the household records this person can read:
families by name, reference and their members' addresses; persons by name, date of birth and
address. It is never written anywhere and is dropped on lock with everything else.

Matching is tolerant of accents, case and hyphens: text is folded (NFKD, combining marks
removed, casefolded) and split on spaces and hyphens, and every word typed must be the start of
some word of the record, so "zoe" finds "Zoë" and "smith" finds "Smith-Jones". Dates of birth are
matched as shown on screen (dd/mm/yyyy); "2/3/2015" and "2015-03-02" are understood too.

Building decrypts and verifies every household record, which costs about 0.1 ms each, so
`IndexBuilder` works in steps: the GUI runs one step at a time on its worker thread and other
work (opening a family) is never stuck behind a whole build."""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbook.domain.history import record_state
from workbook.domain.roles import Role, Section
from workbook.services.errors import NotPermitted
from workbook.services.record_codec import RecordVersion, open_row
from workbook.services.session import Session
from workbook.vault import version_store
from workbook.vault.version_store import VersionRow

HOUSEHOLD = Section.HOUSEHOLD.value
DEFAULT_LIMIT = 50
STEP_ROWS = 800
_SPLIT = re.compile(r"[\s\-\u2010-\u2015\u2212,;:()\[\]\"]+")
_DROP = re.compile(r"['\u2018\u2019`.]")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_CACHE_SIZE = 256


def fold(text: str) -> str:
    """Accent-, case- and compatibility-insensitive form: 'Zoë' and 'ZOE' both become 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that do not decompose (ł, ø, đ, ß) get their usual plain spelling.
    return stripped.casefold().translate(_PLAIN)


_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae",
                        "œ": "oe", "ı": "i"})


def tokens(text: str) -> list[str]:
    """The words of `text` as the index sees them: folded, split on spaces and hyphens."""
    folded = _DROP.sub("", fold(text))
    return [t for t in _SPLIT.split(folded) if t]


def display_date(iso: str) -> str:
    """'2015-03-02' -> '02/03/2015'; anything else is returned unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if match is None:
        return iso
    year, month, day = match.groups()
    return f"{day}/{month}/{year}"


def query_tokens(text: str) -> list[str]:
    """Words typed into the search box; ISO dates and dd.mm.yyyy become dd/mm/yyyy."""
    text = _ISO_DATE.sub(lambda m: f"{int(m[3]):02d}/{int(m[2]):02d}/{m[1]}", text)
    return tokens(re.sub(r"(?<=\d)\.(?=\d)", "/", text))


def date_tokens(iso: str) -> list[str]:
    """A date of birth as people type it: 02/03/2015, 2/3/2015 (and mixed), and the year."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if match is None:
        return tokens(iso)
    year, month, day = match.groups()
    days, months = {day, day.lstrip("0")}, {month, month.lstrip("0")}
    return [f"{d}/{m}/{year}" for d in sorted(days) for m in sorted(months)] + [year]


@dataclass(frozen=True)
class SearchHit:
    """One thing the search found: a family, or a person in a family."""

    kind: str  # "family" or "person"
    family_id: str
    person_id: str
    name: str
    family_name: str
    reference: str
    detail: str  # date of birth (dd/mm/yyyy) and relationship for a person


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int


class _PrefixMap:
    """Words kept sorted, so the words starting with a prefix are one contiguous range found
    by bisection; each word points at the records that contain it."""

    def __init__(self) -> None:
        self._pending: dict[str, set[int]] = {}
        self._words: list[str] = []
        self._postings: list[frozenset[int]] = []
        self._cache: dict[str, frozenset[int]] = {}

    def add(self, doc: int, words: Iterable[str]) -> None:
        for word in words:
            if word:
                self._pending.setdefault(word, set()).add(doc)

    def freeze(self) -> None:
        merged = {w: set(p) for w, p in zip(self._words, self._postings, strict=True)}
        for word, docs in self._pending.items():
            merged.setdefault(word, set()).update(docs)
        self._pending = {}
        self._words = sorted(merged)
        self._postings = [frozenset(merged[w]) for w in self._words]
        self._cache.clear()

    def clear(self) -> None:
        self._pending.clear()
        self._words.clear()
        self._postings.clear()
        self._cache.clear()

    def __bool__(self) -> bool:
        return bool(self._words)

    def starting_with(self, prefix: str) -> frozenset[int]:
        cached = self._cache.get(prefix)
        if cached is not None:
            return cached
        lo = bisect.bisect_left(self._words, prefix)
        hi = bisect.bisect_left(self._words, prefix + "\U0010ffff", lo)
        found: frozenset[int] = frozenset().union(*self._postings[lo:hi])
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[prefix] = found
        return found


class SearchIndex:
    """Prefix search over folded words: a few milliseconds per keystroke for 20,000 persons.

    A record matches when every word typed starts some word of it. Ranking needs no per-record
    string work: a second map over name words alone tells whether each typed word is in the
    name, and each record's sort key is computed once when it is added."""

    def __init__(self) -> None:
        self._hits: list[SearchHit] = []
        self._sort_keys: list[tuple[int, str, str]] = []
        self._all = _PrefixMap()
        self._names = _PrefixMap()

    def __len__(self) -> int:
        return len(self._hits)

    def add(self, hit: SearchHit, words: Iterable[str]) -> None:
        doc = len(self._hits)
        self._hits.append(hit)
        name_words = tokens(hit.name)
        self._sort_keys.append((0 if hit.kind == "family" else 1, fold(hit.name),
                                hit.person_id))
        self._names.add(doc, name_words)
        self._all.add(doc, [*name_words, *words])

    def freeze(self) -> SearchIndex:
        """Sort the words once every record is in (records added later need another call)."""
        self._all.freeze()
        self._names.freeze()
        return self

    def clear(self) -> None:
        """Forget everything (on lock)."""
        self._hits.clear()
        self._sort_keys.clear()
        self._all.clear()
        self._names.clear()

    def query(self, text: str, limit: int = DEFAULT_LIMIT) -> SearchResults:
        """Best first: records with more of the typed words in their name, families before
        their members, then by name."""
        words = list(dict.fromkeys(query_tokens(text)))
        if not words or not self._all:
            return SearchResults([], 0)
        sets = sorted((self._all.starting_with(w) for w in words), key=len)
        docs = set(sets[0])
        for other in sets[1:]:
            docs &= other
            if not docs:
                return SearchResults([], 0)
        in_name = [self._names.starting_with(w) for w in words]
        keys = self._sort_keys

        def rank(doc: int) -> tuple[int, tuple[int, str, str]]:
            return (-sum(1 for s in in_name if doc in s), keys[doc])

        best = heapq.nsmallest(limit, docs, key=rank)
        return SearchResults([self._hits[d] for d in best], len(docs))


# --- building from the vault --------------------------------------------------------------
class IndexBuilder:
    """Builds the index of what one session can read, a step at a time (see module doc).

    Construct and step it on the thread that owns the session; `done` is True when the index
    is complete. An administrator, or anyone without the household key, gets an empty index:
    the service, not the screen, decides that."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._rows: list[VersionRow] = []
        self._position = 0
        self._opened: dict[str, list[RecordVersion]] = {}
        self._tags: dict[str, dict[bytes, tuple[str, int]]] = {}
        self.index = SearchIndex()
        self.done = False
        if not may_search(session):
            self.done = True
            return
        for kind in ("family", "person"):
            session.trust.verified.load_kind(session.conn, kind)
        self._rows = list(version_store.of_kind(session.conn, "family"))
        self._rows += list(version_store.of_kind(session.conn, "person"))

    @property
    def progress(self) -> tuple[int, int]:
        return self._position, len(self._rows)

    def step(self, session: Session, rows: int = STEP_ROWS) -> bool:
        """Open the next `rows` stored versions; True once the index is complete."""
        if session is not self._session or session.closed:
            raise NotPermitted("this search index belongs to a session that has ended")
        if self.done:
            return True
        end = min(self._position + rows, len(self._rows))
        keys, trust = session.keys, session.trust
        for row in self._rows[self._position:end]:
            tags = self._tags.get(row.family_id)
            if tags is None:
                tags = keys.tags_for_section(HOUSEHOLD, row.family_id)
                self._tags[row.family_id] = tags
            version = open_row(row, keys, trust, tags)
            if version is not None and version.section == HOUSEHOLD:
                self._opened.setdefault(version.record_id, []).append(version)
        self._position = end
        if self._position >= len(self._rows):
            self._finish()
        return self.done

    def _finish(self) -> None:
        heads = {rid: _head(rid, versions) for rid, versions in self._opened.items()}
        families: dict[str, dict[str, Any]] = {}
        for head in heads.values():
            if head.kind == "family" and not head.payload.get("deleted"):
                families[head.family_id] = head.payload
        addresses: dict[str, list[str]] = {}
        persons = sorted((h for h in heads.values() if h.kind == "person"),
                         key=lambda v: (v.family_id, v.record_id))
        for person in persons:
            payload = person.payload
            family = families.get(person.family_id)
            if family is None or payload.get("deleted"):
                continue
            name = str(payload.get("name", ""))
            dob = str(payload.get("dob", ""))
            address = str(payload.get("address", ""))
            relationship = str(payload.get("relationship", ""))
            detail = ", ".join(p for p in (
                f"born {display_date(dob)}" if dob else "", relationship) if p)
            words = (date_tokens(dob) if dob else []) + tokens(address)
            self.index.add(SearchHit("person", person.family_id, person.record_id, name,
                                     str(family.get("name", "")),
                                     str(family.get("reference", "")), detail), words)
            if address:
                addresses.setdefault(person.family_id, []).append(address)
        for family_id, payload in sorted(families.items()):
            name, reference = str(payload.get("name", "")), str(payload.get("reference", ""))
            words = tokens(reference) + [fold(reference).replace("-", "")]
            for address in dict.fromkeys(addresses.get(family_id, [])):
                words += tokens(address)
            self.index.add(SearchHit("family", family_id, "", name, name, reference,
                                     reference), [w for w in words if w])
        self.index.freeze()
        self._rows = []
        self._opened.clear()
        self._tags.clear()
        self.done = True


def _head(record_id: str, versions: list[RecordVersion]) -> RecordVersion:
    state = record_state(record_id, versions)
    return next(v for v in versions if v.version_id == state.heads[-1])


def may_search(session: Session) -> bool:
    """Search covers the household section; only those who may read it get an index."""
    return session.role is not Role.ADMIN and not session.must_replace_passphrase \
        and session.records.can_read(HOUSEHOLD)


def build_index(session: Session) -> SearchIndex:
    """The whole index in one call (tests, the command line, small vaults)."""
    builder = IndexBuilder(session)
    while not builder.step(session):
        pass
    return builder.index
