"""One sync: send what this replica has that it has not sent, then read every other replica's
new files, in any order they arrived, refusing and reporting each file that does not verify.

A refused file changes nothing (its rows are applied in one transaction that is rolled back)
and is not marked as read, so a file that arrives whole later, or from a replica whose approval
arrives later, is read then. A missing number is reported as a gap, never waited for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto import replica_file
from workbook.crypto.errors import AuthenticationFailed
from workbook.domain.errors import WorkbookError
from workbook.domain.sequence_gaps import sequence_gaps
from workbook.services.authority import load_trust, verified_log
from workbook.services.replicas import compaction, exchange, folder, replica_log
from workbook.vault import replica_rows, replica_store
from workbook.vault.files import FileRefused

if TYPE_CHECKING:
    from workbook.services.session import Session

UNKNOWN_REPLICA = "from a replica this vault has not approved (or whose approval has not " \
                  "arrived yet)"


@dataclass
class SyncReport:
    """What `workbook sync --json` prints (a contract: fields are added, never renamed)."""

    sent: int = 0
    received: int = 0
    conflicts: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    replicas: list[dict[str, Any]] = field(default_factory=list)
    files_sent: int = 0
    files_received: int = 0
    gaps: list[dict[str, Any]] = field(default_factory=list)
    files_removed: int = 0
    forks: list[dict[str, Any]] = field(default_factory=list)
    disposed: set[str] = field(default_factory=set)  # not printed: the file is then rebuilt

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "received": self.received, "conflicts": self.conflicts,
                "refused": self.refused, "replicas": self.replicas,
                "files_sent": self.files_sent, "files_received": self.files_received,
                "gaps": self.gaps, "files_removed": self.files_removed, "forks": self.forks}


def send(session: Session, own: replica_store.SelfRow, where: Path) -> tuple[int, int]:
    """Write this replica's next file if it has anything new: (versions sent, files written).

    The file is written before the marks move: a crash between leaves the rows unsent here and
    a file on the share; the next sync skips that number (a name is never reused) and sends
    the rows again in a later file, which readers apply idempotently. A number another replica
    says it has read is never reused either (a replica restored from a backup)."""
    vault_tag = replica_file.vault_tag(own.sync_key, session.vault_id)
    mine = replica_file.replica_tag(own.sync_key, session.vault_id, own.replica_id)
    out = exchange.gather(session, own, own.next_seq)
    if out.empty:
        return 0, 0
    seq = max(own.next_seq, compaction.highest_read_of_me(session, own, where) + 1)
    while folder.file_path(where, vault_tag, mine, seq).exists():
        seq += 1
    out.body["seq"] = seq
    key = replica_file.replica_keypair(own.secret)
    try:
        data = replica_file.seal(exchange.encode(out.body),
                                 sync_key=own.sealing_key(replica_log.retired(session)),
                                 vault_id=session.vault_id, replica_id=own.replica_id,
                                 seq=seq, replica_key=key)
    finally:
        key.wipe()
    folder.write_file(folder.file_path(where, vault_tag, mine, seq), data)
    with session.write():
        replica_store.set_marks(session.conn, next_seq=seq + 1, version_mark=out.version_mark,
                                audit_mark=out.audit_mark)
        replica_store.drop_skips_below(session.conn, out.version_mark)
        for table, digests in out.digests.items():
            replica_rows.mark_known(session.conn, table, digests)
        exchange.slots.remember_sent(session, out.slots)
        replica_store.grants_sent(session.conn, [g["key_id"] for g in out.body["sync_keys"]])
        session.audit("replica_sent", {"replica": own.replica_id, "file": seq,
                                       "versions": out.version_count})
    return out.version_count, 1


def _refuse(report: SyncReport, where: Path, path: Path, reason: str) -> None:
    report.refused.append({"file": folder.shown(where, path), "reason": reason})


def _open_one(session: Session, own: replica_store.SelfRow, replica: replica_log.Replica,
              seq: int, path: Path) -> dict[str, Any]:
    raw = folder.read_file(path)
    opened = replica_file.open_file(raw, sync_keys=own.read_keys, vault_id=session.vault_id,
                                    replica_id=replica.replica_id, seq=seq,
                                    replica_public=replica.public)
    return exchange.decode(opened, session.vault_id, replica.replica_id, seq)


def _apply_one(session: Session, replica: replica_log.Replica, seq: int,
               body: dict[str, Any]) -> exchange.Applied:
    with session.write():
        done = exchange.apply(session, body, replica.replica_id)
        replica_store.mark_applied(session.conn, replica.replica_id, seq, body["written_at"])
        if done.versions or done.rows:
            session.audit("replica_received", {"replica": replica.replica_id, "file": seq,
                                               "versions": done.versions})
    return done


Candidate = tuple[replica_log.Replica, int, Path, dict[str, Any]]


def _candidates(session: Session, own: replica_store.SelfRow, listing: folder.Listing,
                refused: dict[Path, str], known: dict[str, replica_log.Replica]
                ) -> list[Candidate]:
    """Every unread file of a known replica that opens, in order; the others refused."""
    by_tag = {replica_file.replica_tag(own.sync_key, session.vault_id, r): known[r]
              for r in known if r != own.replica_id}
    applied = replica_store.applied(session.conn)
    out = []
    for tag, files in sorted(listing.files.items()):
        replica = by_tag.get(tag)
        if replica is None:
            continue
        for seq, path in sorted(files.items()):
            if seq in applied.get(replica.replica_id, {}) or path in refused:
                continue
            try:
                out.append((replica, seq, path, _open_one(session, own, replica, seq, path)))
            except (AuthenticationFailed, FileRefused, WorkbookError) as exc:
                refused[path] = str(exc) or exc.__class__.__name__
    return out


def receive(session: Session, own: replica_store.SelfRow, where: Path,
            report: SyncReport) -> dict[str, replica_log.Replica]:
    """Read every unread file that verifies; returns the replica log as it stands after.

    Files that carry replica log events (an approval, a retirement) are applied first, and the
    log read again before any other file, so a retirement read in this sync already refuses
    the retired replica's later files read in the same sync."""
    vault_tag = replica_file.vault_tag(own.sync_key, session.vault_id)
    listing = folder.list_vault(where, vault_tag)
    mine = replica_file.replica_tag(own.sync_key, session.vault_id, own.replica_id)
    listing.files.pop(mine, None)
    refused: dict[Path, str] = {}
    records: set[str] = set()
    progress = True
    known = replica_log.verified(session)
    while progress:  # a file may approve a replica whose files are then readable
        progress = False
        found = _candidates(session, own, listing, refused, known)
        logs = [c for c in found if c[3]["tables"].get("replica_log")]
        for stage in (logs, [c for c in found if c not in logs]):
            if progress:  # the log changed: read it again before the other files
                known = replica_log.verified(session)
            for replica, seq, path, body in stage:
                after = known[replica.replica_id].retired_after \
                    if replica.replica_id in known else None
                if after is not None and seq > after:
                    refused[path] = "written by a retired replica after its retirement"
                    continue
                try:
                    done = _apply_one(session, replica, seq, body)
                except WorkbookError as exc:
                    refused[path] = str(exc) or exc.__class__.__name__
                    continue
                if done.sync_key_added:  # files under that key open now: try them again
                    own = _with_new_keys(session, refused)
                    progress = True
                report.files_received += 1
                report.received += done.versions
                report.disposed |= done.disposed
                records |= done.records
                if done.replica_log_changed or done.rows:
                    session.trust.replace_with(load_trust(session.conn, session.vault_id,
                                                          session.trust.recovery))
                    progress = progress or done.replica_log_changed
        if progress:
            known = replica_log.verified(session)
    _report_refused(session, own, where, listing, known, refused, report)
    report.conflicts = sum(1 for n in replica_rows.heads_of_records(session.conn, records)
                           .values() if n > 1)
    return known


def _with_new_keys(session: Session, refused: dict[Path, str]) -> replica_store.SelfRow:
    """This replica's row with the key just received; files refused for want of it are
    forgotten, so the next pass opens them."""
    for path in [p for p, why in refused.items() if why == replica_file.NO_KEY]:
        del refused[path]
    own = replica_store.own(session.conn)
    assert own is not None
    return own


def _report_refused(session: Session, own: replica_store.SelfRow, where: Path,
                    listing: folder.Listing, known: dict[str, replica_log.Replica],
                    refused: dict[Path, str], report: SyncReport) -> None:
    """Every file refused in this sync, with the files of replicas nobody approved and the
    names that are not replica file names."""
    known_tags = {replica_file.replica_tag(own.sync_key, session.vault_id, r) for r in known}
    for tag, files in listing.files.items():
        if tag not in known_tags:
            for path in files.values():
                refused.setdefault(path, UNKNOWN_REPLICA)
    for path in listing.odd:
        refused.setdefault(path, "not a replica file name")
    for path, reason in sorted(refused.items()):
        _refuse(report, where, path, reason)


def gaps(session: Session, own: replica_store.SelfRow) -> list[dict[str, Any]]:
    out = []
    for replica_id, seqs in sorted(replica_store.applied(session.conn).items()):
        if replica_id == own.replica_id or not seqs:
            continue
        found = sequence_gaps(seqs)
        if found.count:
            out.append({"replica": replica_id, "missing": found.missing})
    return out


FORK = ("the team's membership log forked at event {event}: two PCs changed accounts or roles "
        "before either synced, and membership changes after it do not count until an owner "
        "resolves it (decision 0009)")


def forks(session: Session) -> list[dict[str, Any]]:
    """Where the signed membership log now has two signed events after the same one: what
    concurrent changes on two replicas make (decision 0006 ends the chain there). Reported
    plainly on every sync while it lasts, never resolved by guessing an order."""
    log = verified_log(session.conn, session.vault_id, session.trust)
    return [{"log": "membership", "event": n, "reason": FORK.format(event=n)}
            for n in log.forks]
