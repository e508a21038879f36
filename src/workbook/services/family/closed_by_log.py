"""Which families a fresh reading of the list of families may leave unread (issue 19): a
first sign-in on a vault that keeps ten years of closed families should cost the families the
person works on, not every family record ever kept.

A family is left unread - listed as closed once every family is asked for, its name read
then - only when all of these hold:

- the retention log's *verified* entries (decision 0009 point 15: each closing signed by its
  closer's trusted key, each reopening that ends one verified and made by someone who then
  held `Act.REOPEN_FAMILY`) say it is closed now;
- its closer holds `Act.CLOSE_FAMILY` in the signed membership log now (a closing signed by
  anyone else, genuine or planted, is simply read);
- its family record's clear headers show the closing as the last word: one head, written at
  or after the closing, and no other version written since. A reopening supersedes the head,
  so it is either a second version written after the closing or, from a replica whose clock
  lagged, a head written before it: either way the family is read.

So a retention row planted, altered or deleted by SQL (the attacker holds the database key)
can only make a family be read: a planted or altered closing does not verify, and deleting a
reopening's entry leaves the reopening's version as the head. The clear headers are bound to
each version's authenticated data and signature: changing one to fake "no version since"
makes that version fail to open anywhere (decision 0011's destroy-not-forge class), and the
family's own view refuses it.

A family a believed supervisor's attestation names (closing_attestations.py, C35) is left
unread while its family record has the versions it had then and its closer may still close a
family, without reading its part of the log or its headers: a first sign-in then reads the
log's way only the families no attestation settles (those open now, and those closed since).

Nothing here decides what anyone may do; it only decides what is read now and what later."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from workbook.domain.acts import Act, may
from workbook.domain.record_kind import RecordKind
from workbook.services.upkeep.closing_attestations import Settled
from workbook.services.upkeep.retention_log import verified_closings
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.authority import Membership
    from workbook.services.session import Session
    from workbook.vault.version_store import VersionHeader

FAMILY = RecordKind.FAMILY.value


class _Closers:
    """Whether a closer may close a family now, asked once per person."""

    def __init__(self, membership: Membership) -> None:
        self._membership = membership
        self._known: dict[str, bool] = {}

    def __call__(self, user_id: str) -> bool:
        known = self._known.get(user_id)
        if known is None:
            known = self._known[user_id] = may(self._membership.role_of(user_id),
                                               Act.CLOSE_FAMILY)
        return known


def split_by_log(session: Session) -> tuple[list[str], set[str]]:
    """(the families to read now, the families closed to leave unread)."""
    counts = version_store.counts_of_kind(session.conn, FAMILY)
    closers = _Closers(session.membership())
    unread = session.closing_attestations.unread(counts, closers)
    rest = [family_id for family_id in counts if family_id not in unread]
    by_log = _closed_by_log(session, rest, counts, closers)
    return [family_id for family_id in rest if family_id not in by_log], unread | by_log


def _closed_by_log(session: Session, families: list[str], counts: dict[str, int],
                   closers: _Closers) -> set[str]:
    """Those of `families` the verified log shows closed (told to the attestations): from a
    pass over the whole log and headers when they are most of the vault, else from theirs."""
    conn, vault_id = session.conn, session.vault_id
    if len(families) * 2 > len(counts):
        found: Iterable[VersionHeader] = version_store.headers_of_kind(conn, FAMILY)
        closings = verified_closings(conn, vault_id, session.trust)
    else:
        found = version_store.headers_of_families_kind(conn, families, FAMILY)
        closings = verified_closings(conn, vault_id, session.trust, families)
    if not closings:
        return set()
    headers: dict[str, list[VersionHeader]] = {}
    for h in found:
        headers.setdefault(h.family_id, []).append(h)
    wanted = set(families)
    out = set()
    for family_id, closing in closings.items():
        if (family_id in wanted and closers(closing.closed_by)
                and _closing_is_last(headers.get(family_id, []), closing.closed_at)):
            out.add(family_id)
            session.closing_attestations.accepted(
                family_id, Settled(closing.closed_by, counts[family_id]))
    return out


def _closing_is_last(headers: list[VersionHeader], closed_at: str) -> bool:
    try:
        named = {p for h in headers for p in json.loads(h.parents)}
    except (ValueError, TypeError):
        return False
    heads = [h for h in headers if h.version_id not in named]
    since = [h for h in headers if h.created_at >= closed_at]
    return len(heads) == 1 and since == heads
