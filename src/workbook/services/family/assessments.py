"""The risk and resilience assessment: semi-structured professional judgement, rated against a
framework the practitioner chooses per family (`domain/frameworks.py`): family safeguarding
(the child's developmental needs, parenting capacity, family and environment) or
radicalisation (the Danish model's risk/threat and resilience domains, with the Channel
vulnerability assessment's dimensions for a Channel case), or one the authority added as a file
in the vault folder's `frameworks` folder.

Each factor has a level on its scale and a rationale, and the whole has a written formulation.
It is stored as an entry of the risk-assessment section whose payload carries the structured
fields (with the framework's id) beside a plain-text summary, so the chronology and any
printout read it like any entry, and it is versioned like every entry: saving again writes a
new version whose parents are the current heads. An assessment saved before frameworks existed
has no framework field and reads as `radicalisation`, unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.domain.frameworks import (
    DEFAULT_FRAMEWORK,
    Framework,
    FrameworkError,
    builtin_frameworks,
    combine,
)
from workbook.domain.history import record_state
from workbook.domain.ids import new_id
from workbook.domain.roles import Section
from workbook.domain.workbook import FamilyWorkbook
from workbook.services import validation
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.records import group_by_record
from workbook.vault import accounts, version_store

if TYPE_CHECKING:
    from workbook.services.session import Session

FORM = "risk-resilience-v1"
SECTION = Section.RISK_ASSESSMENT.value
ENTRY_TYPE = "assessment"
MAX_RATIONALE = 4000
# The authority's own frameworks: *.toml files in this folder of the vault folder.
FRAMEWORKS_FOLDER = "frameworks"
_MAX_FRAMEWORK_FILE = 64 * 1024


def _radicalisation_domain(key: str) -> tuple[tuple[str, str], ...]:
    domain = next(d for d in builtin_frameworks()[DEFAULT_FRAMEWORK].domains if d.key == key)
    return tuple((f.key, f.label) for f in domain.factors)


# The radicalisation framework's levels and first two domains, as callers read them before
# frameworks were data (the printed summary still does).
RATINGS = ("none", "low", "medium", "high")
RISK_FACTORS: tuple[tuple[str, str], ...] = _radicalisation_domain("risk")
RESILIENCE_FACTORS: tuple[tuple[str, str], ...] = _radicalisation_domain("resilience")
FACTORS: dict[str, str] = dict(RISK_FACTORS + RESILIENCE_FACTORS)


def frameworks_of(vault_dir: Path) -> dict[str, Framework]:
    """Every framework this vault offers: the built-in ones and the authority's files. A
    malformed file is one FrameworkError naming it (nothing of it is used)."""
    folder = Path(vault_dir) / FRAMEWORKS_FOLDER
    texts: list[tuple[str, str]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            source = f"{FRAMEWORKS_FOLDER}/{path.name}"
            try:
                raw = path.read_bytes()
                if len(raw) > _MAX_FRAMEWORK_FILE:
                    raise FrameworkError(f"{source}: larger than 64 KB")
                texts.append((source, raw.decode("utf-8")))
            except UnicodeDecodeError:
                raise FrameworkError(f"{source}: not UTF-8 text") from None
            except OSError as exc:
                raise FrameworkError(f"{source}: cannot be read ({exc.strerror})") from None
    return combine(texts)


def frameworks(session: Session) -> dict[str, Framework]:
    return frameworks_of(session.vault_dir)


def framework_named(session: Session, name: str) -> Framework:
    offered = frameworks(session)
    if name not in offered:
        raise InvalidInput(f"unknown assessment framework {name!r}; use one of "
                           f"{', '.join(sorted(offered))}")
    return offered[name]


@dataclass(frozen=True)
class Rating:
    rating: str          # a level of the factor's scale, or "" when not rated
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
    framework: str = DEFAULT_FRAMEWORK


def summary_text(factors: Mapping[str, Rating], formulation: str,
                 framework: Framework | None = None) -> str:
    """The plain-text form of an assessment, as the chronology and printouts show it (for the
    radicalisation framework, word for word what it was before frameworks were data)."""
    framework = framework or builtin_frameworks()[DEFAULT_FRAMEWORK]
    parts = [f"{framework.heading}."]
    for domain in framework.domains:
        rated = []
        for factor in domain.factors:
            item = factors.get(factor.key)
            if item is None or not item.rating:
                continue
            why = f" ({item.rationale})" if item.rationale else ""
            rated.append(f"{factor.label.lower()}: {item.rating}{why}")
        if rated or not domain.optional:
            parts.append(f"{domain.title} - " + ("; ".join(rated) if rated else "not rated")
                         + ".")
    return " ".join(parts) + f" Formulation: {formulation}"


def _checked(framework: Framework,
             factors: Mapping[str, Rating | tuple[str, str]]) -> dict[str, Rating]:
    out: dict[str, Rating] = {}
    for key, value in factors.items():
        factor = framework.factor(key)
        if factor is None:
            raise InvalidInput(f"unknown assessment factor {key!r} in the {framework.title} "
                               f"framework; use one of {', '.join(framework.factor_keys())}")
        item = value if isinstance(value, Rating) else Rating(*value)
        label = factor.label.lower()
        if item.rating and item.rating not in factor.scale.levels:
            raise InvalidInput(
                f"the rating of {label} must be one of {factor.scale.describe()}")
        rationale = item.rationale.strip()
        if len(rationale) > MAX_RATIONALE:
            raise InvalidInput(f"the rationale for {label} is too long "
                               f"(at most {MAX_RATIONALE} characters)")
        if "\x00" in rationale:
            raise InvalidInput("a rationale contains a NUL character")
        if item.rating or rationale:
            out[key] = Rating(item.rating, rationale)
    return out


def save_assessment(
    session: Session, family_id: str, factors: Mapping[str, Rating | tuple[str, str]],
    formulation: str, *, date: str = "", entry_id: str = "", significant: bool = False,
    framework: str = DEFAULT_FRAMEWORK,
) -> str:
    """Save the assessment, rated against `framework`; with `entry_id`, as a new version of
    that assessment (parents = its current heads, which also resolves a conflict). Returns the
    version id."""
    family_id = validation.record_id(family_id, "family id")
    session.require_practitioner()
    chosen = framework_named(session, framework)
    checked = _checked(chosen, factors)
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
        "text": summary_text(checked, formulation, chosen), "date": date,
        "type": ENTRY_TYPE, "significant": bool(significant),
        "assessment": {
            "form": FORM, "framework": chosen.id,
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
    name = data.get("framework", DEFAULT_FRAMEWORK)
    name = name if isinstance(name, str) and name else DEFAULT_FRAMEWORK
    # A built-in framework's factors are read by its keys; an authority's (perhaps a
    # partner's, not known here) are kept as they were written.
    known = builtin_frameworks().get(name)
    factors: dict[str, Rating] = {}
    raw = data.get("factors", {})
    if isinstance(raw, dict):
        for key, item in raw.items():
            if (known is None or known.factor(key)) and isinstance(item, dict):
                factors[key] = Rating(str(item.get("rating", "")),
                                      str(item.get("rationale", "")))
    return Assessment(
        version.record_id, version.version_id, str(version.payload.get("date", "")),
        version.author, version.created_at, factors, str(data.get("formulation", "")),
        bool(version.payload.get("significant", False)), conflict, name,
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
        best = _newer(best, from_version(version, entry.conflict))
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
        best = _newer(best, from_version(head, state.in_conflict))
    return best


def _newer(best: Assessment | None, found: Assessment | None) -> Assessment | None:
    """The more recent of two assessments (by its date, then when it was written)."""
    if found is None:
        return best
    if best is None or (found.date, found.created_at) > (best.date, best.created_at):
        return found
    return best


def assessment_of_family(session: Session, family_id: str) -> dict[str, Any]:
    """The family's current assessment as the command line shows it (`assessment show`): its
    framework, each rated factor with its level and the worse end of its scale, the
    formulation, and the author by full name; `"assessment": null` when there is none yet."""
    family_id = validation.record_id(family_id, "family id")
    session.require_practitioner()
    if not version_store.family_exists(session.conn, family_id):
        raise NotFound(f"no family {family_id} in this vault")
    if not session.records.can_read(SECTION):
        raise NotPermitted("the risk and resilience assessment needs its section's key")
    found = latest_assessment(session, family_id)
    if found is None:
        return {"family_id": family_id, "assessment": None}
    framework = frameworks(session).get(found.framework)
    factors: dict[str, Any] = {}
    for key, item in found.factors.items():
        factor = framework.factor(key) if framework else None
        factors[key] = {"level": item.rating, "rationale": item.rationale,
                        "label": factor.label if factor else key,
                        "worse": factor.scale.worse if factor else ""}
    names = {u.user_id: u.full_name or u.username for u in accounts.all_users(session.conn)}
    return {"family_id": family_id, "assessment": {
        "id": found.entry_id, "version": found.version_id, "framework": found.framework,
        "framework_title": framework.title if framework else found.framework,
        "date": found.date, "author": names.get(found.author, found.author),
        "factors": factors, "formulation": found.formulation,
        "significant": found.significant, "conflict": found.conflict}}
