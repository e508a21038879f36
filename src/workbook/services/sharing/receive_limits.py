"""What one bundle and one partner may add to this vault, and applying a bundle in batches
(docs/bundle-format.md, "Limits" and "Applying in batches").

A pinned partner is trusted to be who it is, not to be reasonable: a compromised or careless
partner could send hundreds of thousands of junk versions, which would be kept forever (the
version log is append-only) and, applied in one transaction, would hold the write lock for a
minute. So a receiving vault refuses a bundle over a cap, naming the cap and its value, and
writes a bundle that passed every check in transactions of at most `batch_size` versions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from workbook.services.clock import stamp
from workbook.services.upkeep.tombstones import disposed_refusal
from workbook.vault import sharing_store, version_store
from workbook.vault.version_store import VersionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

# One bundle: a team's whole caseload is a few hundred families of a few hundred versions each;
# 50,000 versions is several years of a busy family group, shared at once.
MAX_BUNDLE_VERSIONS = 50_000
# The body bytes of one bundle, from its signed header, refused before the body is hashed.
# Entries are text; 256 MiB is more than 50,000 versions of honest notes with attachments.
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
# One partner over a rolling period, counting every version its bundles carried (a version
# sent again counts again): five full bundles a month.
MAX_PARTNER_VERSIONS = 250_000
PARTNER_PERIOD_DAYS = 30
# Versions written per transaction: an insert costs 0.2-0.7 ms with the version log's indexes and
# triggers (measured on a busy 2-core machine), so 500 versions (or 16 MiB of bodies, whichever
# comes first) hold the write lock for well under a second (bench/bench_sharing.py, "longest
# write-lock hold").
APPLY_BATCH = 500
APPLY_BATCH_BYTES = 16 * 1024 * 1024
# Prepared rows kept in memory between checking a bundle and writing it; a bigger bundle is
# read a second time instead (the second pass writes only what the first validated).
KEEP_IN_MEMORY = 64 * 1024 * 1024


@dataclass(frozen=True)
class ReceiveLimits:
    max_versions: int = MAX_BUNDLE_VERSIONS
    max_bytes: int = MAX_BUNDLE_BYTES
    partner_versions: int = MAX_PARTNER_VERSIONS
    partner_days: int = PARTNER_PERIOD_DAYS
    batch_size: int = APPLY_BATCH
    batch_bytes: int = APPLY_BATCH_BYTES
    keep_in_memory: int = KEEP_IN_MEMORY

    def to_json(self) -> dict[str, int]:
        return {"bundle_versions": self.max_versions, "bundle_bytes": self.max_bytes,
                "partner_versions": self.partner_versions,
                "partner_period_days": self.partner_days}


def partner_usage(session: Session, partner_id: str, limits: ReceiveLimits) -> int:
    """Versions carried by this partner's bundles received in the current period."""
    since = stamp(session.clock() - timedelta(days=limits.partner_days))
    return sharing_store.versions_received_since(session.conn, partner_id, since)


def over_cap(limits: ReceiveLimits, carried: int, partner_used: int, team: str) -> str | None:
    """Why a bundle that has carried `carried` versions so far is over a cap, or None."""
    if carried > limits.max_versions:
        return (f"it carries more than {limits.max_versions:,} versions, the cap for one "
                "bundle: ask the partner to share fewer families at a time")
    if partner_used + carried > limits.partner_versions:
        return (f"{team} would exceed the cap of {limits.partner_versions:,} versions per "
                f"partner in {limits.partner_days} days ({partner_used:,} already received)")
    return None


class BatchWriter:
    """Inserts prepared versions in transactions of at most `batch_size` rows or `batch_bytes`
    of bodies; `finish` writes the rest together with the bundle's own records, so the
    "received" record is always in the last transaction."""

    def __init__(self, session: Session, limits: ReceiveLimits) -> None:
        self.s = session
        self.limits = limits
        self.pending: list[VersionRow] = []
        self.pending_bytes = 0
        self.inserted = 0
        self.inserted_keys: list[tuple[str, str]] = []  # (family, version): the event names them
        self.transactions = 0
        self.longest_hold = 0.0  # seconds, for bench/bench_sharing.py

    def add(self, row: VersionRow) -> None:
        self.pending.append(row)
        self.pending_bytes += len(row.body)
        if (len(self.pending) >= self.limits.batch_size
                or self.pending_bytes >= self.limits.batch_bytes):
            self._transaction(lambda: None)

    def finish(self, last: Callable[[], None]) -> None:
        self._transaction(last)

    def _transaction(self, also: Callable[[], None]) -> None:
        start = time.perf_counter()
        with self.s.write():
            self._insert_pending()
            also()
        self.longest_hold = max(self.longest_hold, time.perf_counter() - start)
        self.transactions += 1

    def _insert_pending(self) -> None:
        # Inside the write lock: a family disposed of since the checking pass takes nothing.
        disposed: dict[str, bool] = {}
        for row in self.pending:
            if row.family_id not in disposed:
                disposed[row.family_id] = disposed_refusal(self.s, row.family_id) is not None
            if not disposed[row.family_id] and version_store.insert(self.s.conn, row):
                self.inserted += 1
                self.inserted_keys.append((row.family_id, row.version_id))
        self.pending.clear()
        self.pending_bytes = 0
