"""What the family workbook view loads in one operation off the GUI thread: the opened
workbook (only the sections this person may read, as the services decided), flattened once
into what every page shows. Plain data: it crosses from the worker thread to the GUI thread,
and no widget is touched here."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workbook.domain.roles import Section
from workbook.services.assessments import Assessment, from_workbook
from workbook.services.chronology import ChronologyRow, rows_from_workbook
from workbook.services.drafts import Draft, drafts_for
from workbook.services.session import Session


@dataclass
class FamilySnapshot:
    family_id: str
    family: dict[str, Any]
    readable: list[str]                    # section values, in the order of Section
    unreadable: list[str]
    rows: list[ChronologyRow]
    rows_by_section: dict[str, list[ChronologyRow]]
    persons: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    safety: list[dict[str, Any]]           # current home-visit safety entries, newest first
    conflicts: list[dict[str, Any]]        # records with several heads (entries and persons)
    other_conflicts: int                   # e.g. plan actions: counted, resolved elsewhere
    entries: dict[str, dict[str, Any]]     # entry id -> the entry, with its section
    drafts: list[Draft]
    assessment: Assessment | None
    users: list[str]                       # active practitioners who may own an action
    me: str
    today: date = field(default_factory=date.today)

    @property
    def conflict_count(self) -> int:
        family = 1 if self.family.get("conflict") else 0
        return len(self.conflicts) + self.other_conflicts + family


def load_family(session: Session, family_id: str, *, audit: bool = True) -> FamilySnapshot:
    """Open the family. The opening is audited once (P7); the view's refreshes after a change
    pass audit=False, since the person is still looking at the family they opened."""
    # Opening a big family allocates tens of thousands of short-lived objects and no cycles:
    # the cyclic collector's full passes over the heap meanwhile are a third of the flattening.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_family(session, family_id, audit)
    finally:
        if enabled:
            gc.enable()


def _load_family(session: Session, family_id: str, audit: bool) -> FamilySnapshot:
    workbook = session.workbooks.open(family_id, audit=audit).to_json()
    sections: dict[str, dict[str, list[dict[str, Any]]]] = workbook["sections"]
    order = [s.value for s in Section]
    readable = sorted(sections, key=order.index)
    conflicts = []
    entries: dict[str, dict[str, Any]] = {}
    for section, content in sections.items():
        for entry in content.get("entries", []):
            entries[str(entry["id"])] = {**entry, "section": section}
        for bucket in ("entries", "persons"):
            for item in content.get(bucket, []):
                if item.get("conflict"):
                    conflicts.append({**item, "section": section,
                                      "kind": bucket[:-1] if bucket == "entries" else "person"})
    household = sections.get(Section.HOUSEHOLD.value, {})
    plan = sections.get(Section.PLAN.value, {})
    safety = list(sections.get(Section.HOME_VISIT_SAFETY.value, {}).get("entries", []))
    safety.sort(key=lambda e: (e.get("date", ""), e.get("created_at", "")), reverse=True)
    users = []
    try:
        users = sorted(u.username for u in session.accounts.all()
                       if u.status == "active" and u.role != "admin")
    except Exception:  # noqa: BLE001 - the owner list is a convenience, never a reason to fail
        users = [session.user.username]
    rows = rows_from_workbook(workbook)
    by_section: dict[str, list[ChronologyRow]] = {s: [] for s in readable}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    return FamilySnapshot(
        family_id=family_id,
        family=workbook["family"],
        readable=readable,
        unreadable=[s for s in order if s not in sections],
        rows=rows,
        rows_by_section=by_section,
        persons=list(household.get("persons", [])),
        actions=list(plan.get("actions", [])),
        safety=safety,
        conflicts=conflicts,
        other_conflicts=sum(1 for a in plan.get("actions", []) if a.get("conflict")),
        entries=entries,
        drafts=drafts_for(session, family_id),
        assessment=from_workbook(workbook),
        users=users,
        me=session.user.username,
    )
