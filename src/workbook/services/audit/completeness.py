"""The audit complete both ways (P7): every version in the vault has the signed event that
wrote it. `services/audit/trail.py` checks each event's version is present; this checks each
version's event is present, from signed events only.

An event names the one version it wrote as `version` (with its `family`), or many, a received
bundle or the sharing-log entries of a share, as `version_sets`: one digest per family over
the version ids, which the unsigned index `audit_versions` must reproduce. A version no
verified event accounts for was added outside Workbook (or its event was deleted with the
audit tail); one dated far from the event that names it was backdated. A version received
from another replica was written by an event of that replica's chain, which travels: it is
found among that chain's verified events (indexed at receipt as -seq; decision 0009)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from workbook.vault import audit_log, audit_versions
from workbook.vault.audit_log import AuditRow
from workbook.vault.database import Connection

if TYPE_CHECKING:
    from workbook.services.session import Session

# Honest writes stamp the version and its event in one transaction, from one clock.
MAX_SKEW = timedelta(hours=1)
ADOPTED = "audit_versions_adopted"


@dataclass(frozen=True)
class Unaudited:
    """A version without a trustworthy write event, and why."""

    version: str
    family: str
    kind: str
    problem: str

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "family": self.family, "kind": self.kind,
                "problem": self.problem}


def adopt_unindexed(session: Session) -> int:
    """Versions a vault held when it was upgraded to 006_audit_versions that no event named
    (seq 0), adopted by one `audit_versions_adopted` event signed by the first certified
    person to sign in; the number adopted. Call inside the sign-in's write transaction."""
    if session.keypair is None or session.trust.current_key(session.user_id) is None:
        return 0
    pending = audit_versions.unadopted(session.conn)
    if not pending or audit_log.has_event(session.conn, ADOPTED):
        return 0   # adopted once, at the upgrade: seq-0 rows since are named by verify
    session.audit(ADOPTED, {"count": len(pending)}, versions=pending)
    audit_versions.adopt(session.conn, audit_log.head(session.conn)[0], pending)
    return len(pending)


@dataclass
class _Named:
    single: dict[tuple[str, str], AuditRow]
    sets: dict[int, tuple[AuditRow, dict[str, str]]]


def _named(rows: list[AuditRow]) -> _Named:
    out = _Named({}, {})
    for row in rows:
        family, version = row.ids.get("family"), row.ids.get("version")
        if isinstance(family, str) and isinstance(version, str) and family and version:
            out.single.setdefault((family, version), row)
        sets = row.ids.get("version_sets")
        if isinstance(sets, dict):
            out.sets[row.seq] = (row, {str(f): str(d) for f, d in sets.items()})
    return out


def check(conn: Connection, rows: list[AuditRow],
          disposal_problem: Callable[[str], str | None],
          elsewhere: list[AuditRow] | None = None) -> tuple[list[Unaudited], list[str]]:
    """(versions without a write event, problems with the version index). `rows` must be the
    whole, verified chain; `elsewhere` the other replicas' verified events (a received
    version's write event is on its writer's chain); `disposal_problem(family)` is None if the
    family was not disposed of, "" if by a valid signed disposal, else what is wrong with it."""
    named, remote = _named(rows), _named(elsewhere or [])
    for key, event in remote.single.items():
        named.single.setdefault(key, event)
    mapped: dict[tuple[int, str], set[str]] = {}
    for family, version, seq in audit_versions.all_rows(conn):
        mapped.setdefault((seq, family), set()).add(version)
    accepted = _received_sets(elsewhere or [], mapped)
    stored = audit_versions.all_versions(conn)
    present = {(f, v) for f, _k, v, _c in stored}
    problems: list[str] = [f"event {r.seq} adopts versions again: only the first sign-in after "
                           "the upgrade to schema 006 adopts versions"
                           for r in [r for r in rows if r.event == ADOPTED][1:]]
    for seq, (_row, digests) in sorted(named.sets.items()):
        for family, digest in sorted(digests.items()):
            versions = mapped.get((seq, family), set())
            if audit_versions.set_digest(family, versions) != digest:
                if disposal_problem(family) == "":
                    continue  # a signed disposal removed the family's rows
                problems.append(f"event {seq}'s list of the versions it wrote in family "
                                f"{family} was altered outside Workbook")
                continue
            accepted.update((family, v) for v in versions)
            for version in sorted(versions):
                if (family, version) not in present and disposal_problem(family) != "":
                    problems.append(f"event {seq} recorded version {version}, which is "
                                    "missing from the vault: a record was rolled back outside "
                                    "Workbook")
    out = []
    for family, kind, version, created_at in stored:
        row = named.single.get((family, version))
        if row is not None:
            if _skewed(created_at, row.at):
                out.append(Unaudited(version, family, kind, (
                    f"version {version} of family {family} is dated {created_at[:19]}, but "
                    f"event {row.seq} wrote it at {row.at[:19]}: it was backdated outside "
                    "Workbook")))
            continue
        if (family, version) in accepted:
            continue
        out.append(Unaudited(version, family, kind, (
            f"version {version} of family {family} has no write event in the audit log: it "
            "was added outside Workbook")))
    out.sort(key=lambda u: (u.family, u.version))
    return out, problems


def _received_sets(elsewhere: list[AuditRow], mapped: dict[tuple[int, str], set[str]]
                   ) -> set[tuple[str, str]]:
    """Received versions another replica's event wrote many at once, indexed at receipt as
    -seq: believed where the signed digest is theirs. A digest that does not match is no
    problem of its own (two replicas' events of one number and family would share -seq):
    the versions it does not account for are named as without an event."""
    out: set[tuple[str, str]] = set()
    for row in elsewhere:
        sets = row.ids.get("version_sets")
        for family, digest in (sets.items() if isinstance(sets, dict) else ()):
            versions = mapped.get((-row.seq, str(family)), set())
            if versions and audit_versions.set_digest(str(family), versions) == digest:
                out.update((str(family), v) for v in versions)
    return out


def _skewed(created_at: str, at: str) -> bool:
    try:
        return abs(datetime.fromisoformat(created_at) - datetime.fromisoformat(at)) > MAX_SKEW
    except (TypeError, ValueError):
        return True
