"""The risk and resilience assessment: semi-structured professional judgement in two domains.

The form is the Danish model's (DOMAIN.md): risk/threat - convictions and rhetoric, readiness
to use violence, networks and social influence - and resilience - psychological vulnerability,
family factors, networks and leisure, education and work, individual resilience. Each factor
has a rating and a rationale, and the whole has a written formulation. It is stored as an entry
of the risk-assessment section whose payload carries the structured fields beside a plain-text
summary (so the chronology and any printout read it like any entry), and it is versioned like
every entry: saving again writes a new version whose parents are the current heads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain.history import record_state
from workbook.domain.ids import new_id
from workbook.domain.roles import Section
from workbook.domain.workbook import FamilyWorkbook
from workbook.services import validation
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import group_by_record
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

FORM = "risk-resilience-v1"
SECTION = Section.RISK_ASSESSMENT.value
ENTRY_TYPE = "assessment"
RATINGS = ("none", "low", "medium", "high")
MAX_RATIONALE = 4000

RISK_FACTORS: tuple[tuple[str, str], ...] = (
    ("convictions", "Convictions and rhetoric"),
    ("violence", "Readiness to use violence"),
    ("networks", "Networks and social influence"),
)
RESILIENCE_FACTORS: tuple[tuple[str, str], ...] = (
    ("psychological", "Psychological vulnerability"),
    ("family", "Family factors"),
    ("leisure", "Networks and leisure"),
    ("education_work", "Education and work"),
    ("individual", "Individual resilience"),
)
FACTORS: dict[str, str] = dict(RISK_FACTORS + RESILIENCE_FACTORS)


@dataclass(frozen=True)
class Rating:
    rating: str          # one of RATINGS, or "" when not rated
    rationale: str = ""


@dataclass(frozen=True)
class Assessment:
    """The current version of a family's assessment."""

    entry_id: str
    version_id: str
    date: str
    author: str          # user id of the version's author
    created_at: str
    factors: dict[str, Rating]
    formulation: str
    significant: bool
    conflict: bool


def summary_text(factors: Mapping[str, Rating], formulation: str) -> str:
    """The plain-text form of an assessment, as the chronology and printouts show it."""

    def domain(title: str, keys: tuple[tuple[str, str], ...]) -> str:
        parts = []
        for key, label in keys:
            item = factors.get(key)
            if item is None or not item.rating:
                continue
            why = f" ({item.rationale})" if item.rationale else ""
            parts.append(f"{label.lower()}: {item.rating}{why}")
        return f"{title} - " + ("; ".join(parts) if parts else "not rated") + "."

    return (
        "Risk and resilience assessment. "
        + domain("Risk/threat", RISK_FACTORS) + " "
        + domain("Resilience", RESILIENCE_FACTORS) + " "
        + f"Formulation: {formulation}"
    )


def _checked(factors: Mapping[str, Rating | tuple[str, str]]) -> dict[str, Rating]:
    out: dict[str, Rating] = {}
    for key, value in factors.items():
        if key not in FACTORS:
            raise InvalidInput(f"unknown assessment factor {key!r}")
        item = value if isinstance(value, Rating) else Rating(*value)
        if item.rating and item.rating not in RATINGS:
            raise InvalidInput(
                f"the rating of {FACTORS[key].lower()} must be one of {', '.join(RATINGS)}"
            )
        rationale = item.rationale.strip()
        if len(rationale) > MAX_RATIONALE:
            raise InvalidInput(f"the rationale for {FACTORS[key].lower()} is too long "
                               f"(at most {MAX_RATIONALE} characters)")
        if "\x00" in rationale:
            raise InvalidInput("a rationale contains a NUL character")
        if item.rating or rationale:
            out[key] = Rating(item.rating, rationale)
    return out


def save_assessment(
    session: Session, family_id: str, factors: Mapping[str, Rating | tuple[str, str]],
    formulation: str, *, date: str = "", entry_id: str = "", significant: bool = False,
) -> str:
    """Save the assessment; with `entry_id`, as a new version of that assessment (parents =
    its current heads, which also resolves a conflict). Returns the version id."""
    family_id = validation.record_id(family_id, "family id")
    session.require_practitioner()
    checked = _checked(factors)
    formulation = validation.text(formulation, "formulation")
    date = validation.iso_date(date, "assessment date") if date else session.now()[:10]
    parents: tuple[str, ...] = ()
    event = "entry_added"
    if entry_id:
        entry_id = validation.record_id(entry_id, "entry id")
        versions = session.records.of_record(entry_id)
        if not versions or versions[0].kind != "entry" or versions[0].section != SECTION:
            raise NotFound(f"no assessment {entry_id} that you can read")
        if versions[0].family_id != family_id:
            raise InvalidInput("that assessment belongs to another family")
        parents = record_state(entry_id, versions).heads
        event = "entry_edited"
    else:
        if not session.records.can_read(SECTION):
            raise NotPermitted("the risk and resilience assessment needs its section's key")
        if not version_store.family_exists(session.conn, family_id):
            raise NotFound(f"no family {family_id} in this vault")
        entry_id = new_id()
    payload: dict[str, Any] = {
        "text": summary_text(checked, formulation), "date": date, "type": ENTRY_TYPE,
        "significant": bool(significant),
        "assessment": {
            "form": FORM,
            "factors": {k: {"rating": v.rating, "rationale": v.rationale}
                        for k, v in checked.items()},
            "formulation": formulation,
        },
    }
    with session.write():
        version = session.records.write(
            family_id=family_id, record_id=entry_id, kind="entry", section=SECTION,
            payload=payload, parents=parents,
        )
        session.audit(event, {"family": family_id, "entry": entry_id,
                              "version": version.version_id})
    session.events.emit(event, family_id=family_id, entry_id=entry_id)
    return version.version_id


def from_version(version: RecordVersion, conflict: bool = False) -> Assessment | None:
    """The structured assessment in a version, or None if it is a plain entry."""
    data = version.payload.get("assessment")
    if not isinstance(data, dict) or data.get("form") != FORM:
        return None
    factors: dict[str, Rating] = {}
    raw = data.get("factors", {})
    if isinstance(raw, dict):
        for key, item in raw.items():
            if key in FACTORS and isinstance(item, dict):
                factors[key] = Rating(str(item.get("rating", "")),
                                      str(item.get("rationale", "")))
    return Assessment(
        version.record_id, version.version_id, str(version.payload.get("date", "")),
        version.author, version.created_at, factors, str(data.get("formulation", "")),
        bool(version.payload.get("significant", False)), conflict,
    )


def from_workbook(workbook: FamilyWorkbook) -> Assessment | None:
    """The latest structured assessment in an opened workbook (`workbooks.open(...)`), so a
    screen that already opened the family need not decrypt it twice. `author` is then the
    username the workbook shows."""
    best: Assessment | None = None
    for entry in workbook.section(SECTION).entries:
        version = RecordVersion(
            entry.version, workbook.family_id, entry.id, "entry", SECTION, (), entry.author, "",
            entry.created_at, entry.record.to_payload(), entry.sealed,
        )
        found = from_version(version, entry.conflict)
        if found is None:
            continue
        if best is None or (found.date, found.created_at) > (best.date, best.created_at):
            best = found
    return best


def latest_assessment(session: Session, family_id: str) -> Assessment | None:
    """The most recent structured assessment of the family that this person may read."""
    family_id = validation.record_id(family_id, "family id")
    session.require_practitioner()
    if not session.records.can_read(SECTION):
        return None
    candidates = [v for v in session.records.of_family(family_id)
                  if v.kind == "entry" and v.section == SECTION]
    best: Assessment | None = None
    for record_id, versions in group_by_record(candidates).items():
        state = record_state(record_id, versions)
        head = next(v for v in versions if v.version_id == state.heads[-1])
        found = from_version(head, state.in_conflict)
        if found is None:
            continue
        if best is None or (found.date, found.created_at) > (best.date, best.created_at):
            best = found
    return best
