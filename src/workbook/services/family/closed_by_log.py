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
family's own view refuses it. Nothing here decides what anyone may do; it only decides what
is read now and what later."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workbook.domain.acts import Act, may
from workbook.domain.record_kind import RecordKind
from workbook.services.upkeep.retention_log import verified_closings
from workbook.vault import version_store

if TYPE_CHECKING:
    from workbook.services.session import Session
    from workbook.vault.version_store import VersionHeader

FAMILY = RecordKind.FAMILY.value


def split_by_log(session: Session) -> tuple[list[str], set[str]]:
    """(the families to read now, the families closed by the verified log to leave unread)."""
    headers: dict[str, list[VersionHeader]] = {}
    for h in version_store.headers_of_kind(session.conn, FAMILY):
        headers.setdefault(h.family_id, []).append(h)
    closings = verified_closings(session.conn, session.vault_id, session.trust,
                                 session.closing_attestations)
    unread: set[str] = set()
    if closings:
        membership = session.membership()
        closers = {c.closed_by for c in closings.values()
                   if may(membership.role_of(c.closed_by), Act.CLOSE_FAMILY)}
        unread = {family_id for family_id, closing in closings.items()
                  if closing.closed_by in closers
                  and _closing_is_last(headers.get(family_id, []), closing.closed_at)}
    return [family_id for family_id in headers if family_id not in unread], unread


def _closing_is_last(headers: list[VersionHeader], closed_at: str) -> bool:
    try:
        named = {p for h in headers for p in json.loads(h.parents)}
    except (ValueError, TypeError):
        return False
    heads = [h for h in headers if h.version_id not in named]
    since = [h for h in headers if h.created_at >= closed_at]
    return len(heads) == 1 and since == heads
