"""Which child protection visits the board's digest keeps: only those of families with a
conference. A visit starts or meets no clock before a family's first conference
(services/family/time_limits.limits_from_steps), and visits are most of the case notes whose
type is a statutory step: keeping every one made each person's digest a fifth larger, and every
first read after sign-in decrypts and parses all of it.

A family that gains its first conference later (perhaps dated before visits already recorded)
has its case notes read again (`digest_folder.Folder.fold`), so no visit it needs is missed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbook.domain.entry_types import EntryType

FAMILY, SECTION, FACTS = range(3)
# An entry's facts (digest_folder._facts): [milestone, date, urgent, urgent at, response at,
# deleted, type].
_URGENT, _DELETED, _TYPE = 2, 5, 6
CONFERENCE = EntryType.CONFERENCE.value
VISIT = EntryType.VISIT.value


def with_conference(entries: dict[str, list[Any]], section: str) -> set[str]:
    """The families whose case notes (`section`) in `entries` hold a conference."""
    return {rec[FAMILY] for rec in entries.values()
            if rec[SECTION] == section and _type(rec) == CONFERENCE
            and not rec[FACTS][_DELETED]}


def drop_unneeded(entries: dict[str, list[Any]], section: str,
                  families: Iterable[str] | None = None) -> int:
    """Drop the kept visits of families without a conference (of `families` only, if given);
    how many were dropped. A visit that is also a milestone or an urgent concern stays."""
    keep = with_conference(entries, section)
    among = None if families is None else set(families)
    gone = [record_id for record_id, rec in entries.items()
            if rec[SECTION] == section and _type(rec) == VISIT and rec[FAMILY] not in keep
            and (among is None or rec[FAMILY] in among)
            and not rec[FACTS][_URGENT] and not rec[FACTS][0]]
    for record_id in gone:
        del entries[record_id]
    return len(gone)


def _type(rec: list[Any]) -> str:
    facts = rec[FACTS]
    return str(facts[_TYPE]) if facts and len(facts) > _TYPE else ""
