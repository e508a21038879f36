"""The chronology: every entry a person may see in a family, across sections, in date order.

Serious case reviews keep finding that no agency saw the whole chronology; this flattens an
opened workbook (only the sections the person may read, as `workbooks.open` decided) into rows,
and applies the filters practitioners ask for: section, author, type, a date range and
"significant events only" - the view a serious case review asks for. Plain data, no Qt."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from workbook.domain.records import Entry, Review
from workbook.domain.roles import SECTION_TITLES, Section
from workbook.domain.visits import visit_summary
from workbook.domain.workbook import FamilyWorkbook, Shown

if TYPE_CHECKING:
    from workbook.services.session import Session

PREVIEW_CHARS = 160
_UNKNOWN_ID = re.compile(r"[0-9a-f]{32}")


class ChronologyRow(NamedTuple):
    """One entry as the chronology shows it (a tuple: a big family makes thousands at once)."""

    date: str            # YYYY-MM-DD
    section: str         # section value, e.g. "case-notes"
    type: str            # visit, call, meeting, note, other, assessment
    author: str          # username
    significant: bool
    preview: str         # the first line of the text, shortened
    entry_id: str
    conflict: bool
    created_at: str = ""
    sealed: bool = False
    unaudited: bool = False  # no write event names it: added outside Workbook
    urgent: str = ""         # "open": an urgent concern awaiting its response; "answered"

    @property
    def section_title(self) -> str:
        return section_title(self.section)


@dataclass(frozen=True)
class ChronologyFilter:
    """Empty sets mean "any"; dates are inclusive ISO dates or empty."""

    sections: frozenset[str] = field(default_factory=frozenset)
    authors: frozenset[str] = field(default_factory=frozenset)
    types: frozenset[str] = field(default_factory=frozenset)
    date_from: str = ""
    date_to: str = ""
    significant_only: bool = False

    def accepts(self, row: ChronologyRow) -> bool:
        if self.sections and row.section not in self.sections:
            return False
        if self.authors and row.author not in self.authors:
            return False
        if self.types and row.type not in self.types:
            return False
        if self.date_from and row.date < self.date_from:
            return False
        if self.date_to and row.date > self.date_to:
            return False
        return not self.significant_only or row.significant


def section_title(section: str) -> str:
    try:
        return SECTION_TITLES[Section(section)]
    except ValueError:
        return section


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word where it can be."""
    # The flattening of a prefix is a prefix of the flattening of the whole text, so when the
    # first 2 x limit characters already flatten to more than `limit`, the cut is the same.
    if len(text) > 2 * limit:
        flat = " ".join(text[: 2 * limit].split())
        if len(flat) > limit:
            return _cut(flat, limit)
    # Only the head of a long text can reach the preview: flatten that, not the whole entry.
    head = text if len(text) <= 4 * limit else text[: 4 * limit]
    flat = " ".join(head.split())
    if len(flat) <= limit:
        if head is text:
            return flat
        flat = " ".join(text.split())  # mostly white space: the whole text decides
        if len(flat) <= limit:
            return flat
    return _cut(flat, limit)


def _cut(flat: str, limit: int) -> str:
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def _author(entry: Shown[Entry | Review], names: Mapping[str, str] | None = None) -> str:
    """Who wrote it; for a version received from a partner, which team it came from too.
    With `names` (username -> full name, for screens) a person shows by full name, and a
    partner's as "name, team" ("a colleague, team" when this vault cannot know the name)."""
    partner = entry.origin
    if names is not None:
        name = names.get(entry.author, "a colleague" if partner else "a former colleague")
        return f"{name}, {partner}" if partner else name
    if not partner:
        return entry.author
    if _UNKNOWN_ID.fullmatch(entry.author):  # a person of the partner's vault: no name here
        return f"from {partner}"
    return f"{entry.author} (from {partner})"


def _urgency(payload: Mapping[str, object]) -> str:
    if not payload.get("urgent"):
        return ""
    return "answered" if payload.get("response") else "open"


def rows_from_workbook(workbook: FamilyWorkbook,
                       names: Mapping[str, str] | None = None) -> list[ChronologyRow]:
    """Flatten an opened workbook into chronology rows, oldest first; with `names`, authors
    by full name (the screens), without, by username (the CLI's contract)."""
    out: list[ChronologyRow] = []
    append = out.append
    for section, entry in workbook.entries():
        record = entry.record
        created_at = entry.created_at
        append(ChronologyRow(
            record.date or created_at[:10], section, record.type or "note",
            _author(entry, names),
            record.significant, preview(_reading(record)), entry.id, entry.conflict, created_at,
            entry.sealed, entry.unaudited, _urgency(entry.payload),
        ))
    out.sort(key=_ORDER)
    return out


_ORDER = attrgetter("date", "created_at", "entry_id")


def _reading(record: Entry | Review) -> str:
    """The text as the chronology reads it: a visit's time and whether the child was seen
    (and with whom, who was there) come first, "14:30, child seen alone: ...". """
    if isinstance(record, Review) or not (record.time or record.child_seen
                                         or record.joint_with or record.people_present):
        return record.text
    visit = visit_summary(record.time, record.child_seen, record.joint_with,
                          record.people_present)
    return f"{visit[:1].upper()}{visit[1:]}: {record.text}"


def filter_rows(rows: Iterable[ChronologyRow], chosen: ChronologyFilter) -> list[ChronologyRow]:
    return [row for row in rows if chosen.accepts(row)]


def facets(rows: Iterable[ChronologyRow]) -> dict[str, list[str]]:
    """The values each filter can take, from the rows themselves (so a filter never offers a
    section or author that is not there)."""
    sections: set[str] = set()
    authors: set[str] = set()
    types: set[str] = set()
    for row in rows:
        sections.add(row.section)
        authors.add(row.author)
        types.add(row.type)
    order = {s.value: i for i, s in enumerate(Section)}
    return {
        "sections": sorted(sections, key=lambda s: (order.get(s, 99), s)),
        "authors": sorted(authors, key=str.casefold),
        "types": sorted(types),
    }


def chronology(
    session: Session, family_id: str, chosen: ChronologyFilter | None = None
) -> list[ChronologyRow]:
    """Open the family (audited as any opening is) and return its filtered chronology."""
    rows = rows_from_workbook(session.workbooks.open(family_id))
    return filter_rows(rows, chosen or ChronologyFilter())
