"""Finding families and persons as you type (issue 3, "Home"; P2: "search over names is built in
memory after unlock from what the user can decrypt, never stored in clear").

The index is a plain in-memory structure made from the household records this person can read:
families by name, reference and their members' addresses; persons by name, date of birth and
address. It is never written anywhere and is dropped on lock with everything else. Closed
families (most of a vault that keeps ten years, issue 19) are found by their name and
reference, flagged closed, from the person's family list; their members are not read (decision
0010: closed families cost nothing until asked for). After a first sign-in, whose list has not
read the closed families yet, the desktop's index covers the open ones until a person searches
(`IndexBuilder`'s `closed`).

Matching is tolerant of accents, case and hyphens: text is folded (NFKD, combining marks
removed, casefolded) and split on spaces and hyphens, and every word typed must be the start of
some word of the record, so "zoe" finds "Zoë" and "smith" finds "Smith-Jones". Dates of birth are
matched as shown on screen (dd/mm/yyyy); "2/3/2015" and "2015-03-02" are understood too.

Building decrypts and verifies the open families' person records, which costs about 0.1 ms
each, so `IndexBuilder` works in steps: the GUI runs one step at a time on its worker thread and
other work (opening a family) is never stuck behind a whole build."""

from __future__ import annotations

import bisect
import heapq
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from workbook.domain.acts import Act
from workbook.domain.display import uk_date
from workbook.domain.history import record_state
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.services.authority import RecordVersion
from workbook.services.errors import NotPermitted
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.family.family_list import FamilySummary
    from workbook.services.session import Session

HOUSEHOLD = Section.HOUSEHOLD.value
PERSON = RecordKind.PERSON.value
CLOSED = "closed"
DEFAULT_LIMIT = 50
STEP_FAMILIES = 40  # open families whose persons a step reads: about 400-800 versions
LIST_STEP = 4000  # families a step adds to the index (a vault keeps ten years of closed ones)
_SPLIT = re.compile(r"[\s\-\u2010-\u2015\u2212,;:()\[\]\"]+")
_DROP = re.compile(r"['\u2018\u2019`.]")
_APOSTROPHE = re.compile(r"['\u2018\u2019`]")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_CACHE_SIZE = 256


def fold(text: str) -> str:
    """Accent-, case- and compatibility-insensitive form: 'Zoë' and 'ZOE' both become 'zoe'."""
    if text.isascii():  # most names: nothing to decompose (and ten times quicker)
        return text.casefold().translate(_PLAIN)
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


def name_tokens(text: str) -> list[str]:
    """A name's words as the index holds them: those of `tokens`, and for a name written
    with an apostrophe or a one-letter particle each way a person may type it - "O'Brien"
    is found by obrien, o'brien and o brien, "Ó Briain" by o briain and obriain."""
    plain = tokens(text)
    apostrophe = _APOSTROPHE.search(text) is not None
    if not apostrophe and not any(len(w) == 1 for w in plain[:-1]):
        return plain  # nearly every name: nothing more to add, nothing more to pay
    words = list(plain)
    if apostrophe:
        for part in _SPLIT.split(fold(text)):
            pieces = [p for p in _APOSTROPHE.split(part) if p]
            if len(pieces) > 1:
                words += [_DROP.sub("", p) for p in pieces]
    words += [a + b for a, b in zip(plain, plain[1:], strict=False) if len(a) == 1]
    return list(dict.fromkeys(w for w in words if w))


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


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thing the search found: a family, or a person in a family."""

    kind: str  # "family" or "person"
    family_id: str
    person_id: str
    name: str
    family_name: str
    reference: str
    detail: str  # date of birth (dd/mm/yyyy) and relationship for a person
    closed: bool = False  # a family closed (found by its name and reference only)


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit]
    total: int


class _PrefixMap:
    """Words kept sorted, so the words starting with a prefix are one contiguous range found
    by bisection. The records of word i are `_docs[_starts[i]:_starts[i + 1]]`: two flat
    arrays of 4-byte numbers instead of a set per word (a set per word was most of the
    index's memory for 20,000 persons)."""

    def __init__(self) -> None:
        self._pending: dict[str, list[int]] = {}
        self._words: list[str] = []
        self._starts = array("I", [0])
        self._docs = array("I")
        self._cache: dict[str, frozenset[int]] = {}

    def add(self, doc: int, words: Iterable[str]) -> None:
        for word in words:
            if word:
                docs = self._pending.get(word)
                if docs is None:
                    self._pending[sys.intern(word)] = [doc]
                elif docs[-1] != doc:
                    docs.append(doc)

    def freeze(self) -> None:
        merged = self._pending
        for i, word in enumerate(self._words):
            earlier = self._docs[self._starts[i]:self._starts[i + 1]].tolist()
            merged[word] = sorted({*earlier, *merged.get(word, ())})
        self._pending = {}
        self._words = sorted(merged)
        starts, docs = array("I", [0]), array("I")
        for word in self._words:
            docs.extend(merged[word])
            starts.append(len(docs))
        self._starts, self._docs = starts, docs
        self._cache.clear()

    def clear(self) -> None:
        self._pending.clear()
        self._words.clear()
        self._starts = array("I", [0])
        self._docs = array("I")
        self._cache.clear()

    def __bool__(self) -> bool:
        return bool(self._words)

    def starting_with(self, prefix: str) -> frozenset[int]:
        cached = self._cache.get(prefix)
        if cached is not None:
            return cached
        lo = bisect.bisect_left(self._words, prefix)
        hi = bisect.bisect_left(self._words, prefix + "\U0010ffff", lo)
        found = frozenset(self._docs[self._starts[lo]:self._starts[hi]])
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[prefix] = found
        return found


class SearchIndex:
    """Prefix search over folded words: a few milliseconds per keystroke for 20,000 persons.

    A record matches when every word typed starts some word of it. Ranking needs no per-record
    string work: a second map over name words alone tells whether each typed word is in the
    name, and each record's place in name order is worked out once, when the index is frozen."""

    def __init__(self) -> None:
        self._hits: list[SearchHit] = []
        # Each record's place in the ranking's order, worked out as it is added (the freeze
        # of 220,000 records spent 1.5 s folding names in one job: issue 19).
        self._ranks: list[tuple[int, str, str]] = []
        self._order = array("I")  # each record's place: families first, then by folded name
        self._all = _PrefixMap()
        self._names = _PrefixMap()

    def __len__(self) -> int:
        return len(self._hits)

    def add(self, hit: SearchHit, words: Iterable[str]) -> None:
        doc = len(self._hits)
        self._hits.append(hit)
        self._ranks.append((0 if hit.kind == "family" else 1, fold(hit.name), hit.person_id))
        name_words = name_tokens(hit.name)
        self._names.add(doc, name_words)
        self._all.add(doc, [*name_words, *words])

    def freeze(self) -> SearchIndex:
        """Sort the words once every record is in (records added later need another call)."""
        self._all.freeze()
        self._names.freeze()
        hits = self._hits
        ranked = sorted(range(len(hits)), key=self._ranks.__getitem__)
        order = array("I", bytes(4 * len(hits)))
        for place, doc in enumerate(ranked):
            order[doc] = place
        self._order = order
        return self

    def clear(self) -> None:
        """Forget everything (on lock)."""
        self._hits.clear()
        self._ranks.clear()
        self._order = array("I")
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
        order = self._order

        def rank(doc: int) -> tuple[int, int]:
            return (-sum(1 for s in in_name if doc in s), order[doc])

        best = heapq.nsmallest(limit, docs, key=rank)
        return SearchResults([self._hits[d] for d in best], len(docs))


# --- building from the vault --------------------------------------------------------------
class _Seen(NamedTuple):
    """What the index needs of one decrypted person version; the version itself (its whole
    payload) is dropped as soon as this is taken from it."""

    version_id: str
    parents: tuple[str, ...]
    created_at: str
    family_id: str
    deleted: bool
    name: str
    dob: str
    address: str
    relationship: str


def _seen(version: RecordVersion) -> _Seen:
    p = version.payload
    return _Seen(version.version_id, version.parents, version.created_at, version.family_id,
                 bool(p.get("deleted")), str(p.get("name", "")), str(p.get("dob", "")),
                 str(p.get("address", "")), str(p.get("relationship", "")))


class IndexBuilder:
    """Builds the index of what one session can read, a step at a time (see module doc).

    Construct and step it on the thread that owns the session; `done` is True when the index
    is complete. An administrator, or anyone without the household key, gets an empty index:
    the service, not the screen, decides that.

    A vault keeps ten years of closed families (issue 19, decision 0010): the families, open
    and closed, come from this person's family list (`session.families.all()`: verified
    family heads, kept per person as one encrypted blob), so a closed family is found by its
    name and reference, flagged closed, at no cost; only the open families' person records
    are read (their verification receipts a family at a time), so building costs what is
    open, not what was ever kept. Each step reads a few open families' persons and keeps just
    the fields the index uses.

    After a first sign-in the closed families are not in the kept list yet: the verified
    retention log left them unread (closed_by_log.py), and their names are only in their
    records. Reading them costs the vault's history, so with `closed=False` the builder does
    not: its index covers the open families, and `closed_waiting` says how many closed ones
    it left out. The desktop builds again with `closed=True` when a person searches."""

    def __init__(self, session: Session, *, closed: bool = True) -> None:
        self._session = session
        self._closed = closed
        self.closed_waiting = 0  # closed families left out, unread (closed=False only)
        self._families: list[FamilySummary] | None = None  # every family, once persons are in
        self._open: list[FamilySummary] = []
        self._position = 0  # open families whose persons are read
        self._listed = 0  # families added to the index
        self._total = 0
        self._open_by_id: dict[str, FamilySummary] = {}
        self._addresses: dict[str, list[str]] = {}
        self.index = SearchIndex()
        self.done = False
        if not may_search(session):
            self.done = True
            return
        # The open families only: the closed ones (most of ten years) are read from the kept
        # list when the index comes to them, not while home is being shown (issue 19).
        self._open = [f for f, _owner in session.families.open_with_owners()]
        self._open_by_id = {f.family_id: f for f in self._open}
        self._total = len(self._open) + session.families.count()

    @property
    def progress(self) -> tuple[int, int]:
        """(open families read and families listed, about how many of both there are)."""
        return self._position + self._listed, self._total

    def step(self, session: Session, families: int = STEP_FAMILIES) -> bool:
        """One part: the persons of the next `families` open families, or (once every open
        family is read) the next LIST_STEP families into the index; True once complete."""
        if session is not self._session or session.closed:
            raise NotPermitted("this search index belongs to a session that has ended")
        if self.done:
            return True
        if self._position < len(self._open):
            self._read_persons(session, families)
        elif self._families is None and not self._closed and (
                waiting := session.families.unread()):
            self.closed_waiting = waiting
            self._families = list(self._open)
            self._total = len(self._open) + len(self._families)
        elif self._families is None and not session.families.read_unread():
            pass  # a first sign-in: a few hundred closed families' records read this step
        else:
            if self._families is None:
                self._families = session.families.all()
                self._total = len(self._open) + len(self._families)
            self._add_families(self._families)
        if self._families is not None and self._listed >= len(self._families):
            self._families, self._open, self._open_by_id = [], [], {}
            self.index.freeze()
            self.done = True
        return self.done

    def _read_persons(self, session: Session, families: int) -> None:
        end = min(self._position + max(1, families), len(self._open))
        chunk = [f.family_id for f in self._open[self._position:end]]
        session.trust.verified.load_families(session.conn, chunk, PERSON)
        stored = version_store.of_families_kind(session.conn, chunk, PERSON)
        seen: dict[str, list[_Seen]] = {}
        for version in session.records.open_each(stored, section=HOUSEHOLD):
            seen.setdefault(version.record_id, []).append(_seen(version))
        self._add_persons(seen)
        self._position = end

    def _add_persons(self, seen: dict[str, list[_Seen]]) -> None:
        persons = sorted(((rid, _head(rid, versions)) for rid, versions in seen.items()),
                         key=lambda item: (item[1].family_id, item[0]))
        families = self._open_by_id
        for record_id, person in persons:
            family = families.get(person.family_id)
            if family is None or person.deleted:
                continue
            dob, address = person.dob, person.address
            detail = ", ".join(p for p in (
                f"born {uk_date(dob)}" if dob else "", person.relationship) if p)
            words = (date_tokens(dob) if dob else []) + tokens(address)
            self.index.add(SearchHit("person", family.family_id, record_id, person.name,
                                     family.name, family.reference, detail), words)
            if address:
                self._addresses.setdefault(person.family_id, []).append(address)

    def _add_families(self, every: list[FamilySummary]) -> None:
        """The next families, open and closed (a closed one by its name and reference)."""
        end = min(self._listed + LIST_STEP, len(every))
        for family in every[self._listed:end]:
            name, reference = family.name, family.reference
            words = tokens(reference) + [fold(reference).replace("-", "")]
            for address in dict.fromkeys(self._addresses.pop(family.family_id, [])):
                words += tokens(address)
            closed = family.status == CLOSED
            detail = f"{reference}, closed" if closed else reference
            self.index.add(SearchHit("family", family.family_id, "", name, name, reference,
                                     detail.lstrip(", "), closed), [w for w in words if w])
        self._listed = end


def _head(record_id: str, seen: list[_Seen]) -> _Seen:
    if len(seen) == 1:
        return seen[0]
    state = record_state(record_id, seen)
    return next(v for v in seen if v.version_id == state.heads[-1])


def may_search(session: Session) -> bool:
    """Search covers the household section; only those who may read it get an index."""
    return session.may(Act.CASEWORK) and not session.must_replace_passphrase \
        and session.records.can_read(HOUSEHOLD)


def build_index(session: Session) -> SearchIndex:
    """The whole index, closed families included, in one call (tests, the command line)."""
    builder = IndexBuilder(session)
    while not builder.step(session):
        pass
    return builder.index
