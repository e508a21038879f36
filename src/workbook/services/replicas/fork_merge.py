"""Resolving a fork of the signed membership log: what `workbook replica resolve-fork` and the
Replicas page show and sign (decision 0009, C32).

Two PCs that each changed accounts before either synced leave two signed branches after one
event; membership changes after that do not count anywhere. An owner or team manager signs
one `merge` naming every branch's tip; the branches then count in an order every replica
computes alike (signed time, then digest, of each branch's first event). Before signing, the
person sees each branch and the pairs of changes to one person on two branches (a role set on
one, the person disabled on the other), because the order decides which stands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.domain.display import role_label, uk_date
from workbook.services.authority import (
    MembershipEvent,
    append_merge,
    open_branches,
    verified_log,
)
from workbook.services.errors import InvalidInput
from workbook.vault import accounts

if TYPE_CHECKING:
    from workbook.services.session import Session

NO_FORK = "the membership log does not fork: there is nothing to resolve"
# The events that change what a person may do: two of them for one person on two branches
# are shown as a pair before the merge is signed.
_PEOPLE_EVENTS = ("role:", "disable", "grant")


@dataclass(frozen=True)
class ForkShown:
    """One open fork: where, each branch's changes in the order they will count, the pairs."""

    event: int
    branches: list[list[str]]
    pairs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"event": self.event, "branches": self.branches, "pairs": self.pairs}


def pending(session: Session) -> ForkShown | None:
    """The fork right after the chain's head, if there is one."""
    log = verified_log(session.conn, session.vault_id, session.trust)
    branches = open_branches(log.outside, log.head)
    return _shown(session, log.head[0] + 1, branches) if branches else None


def resolve(session: Session) -> ForkShown:
    """Sign the merge (the caller checked who may); returns what it joined."""
    keypair = session.require_certified()
    with session.write():
        head = verified_log(session.conn, session.vault_id, session.trust).head
        branches = append_merge(session.conn, session.vault_id, session.trust,
                                           session.now(), session.user_id, keypair.sign)
        if not branches:
            raise InvalidInput(NO_FORK)
        shown = _shown(session, head[0] + 1, branches)
        session.audit("membership_fork_resolved",
                      {"event": shown.event, "branches": len(branches)})
    return shown


def _shown(session: Session, event: int, branches: list[list[MembershipEvent]]) -> ForkShown:
    names = {u.user_id: u.full_name for u in accounts.all_users(session.conn)}

    def name(user_id: str) -> str:
        return names.get(user_id, "an account not known here")

    def said(e: MembershipEvent) -> str:
        return f"{_change(e, name)} (by {name(e.actor)}, {uk_date(e.at[:10])})"

    pairs = [
        f"{said(a)}, then {said(b)}"
        for i, first in enumerate(branches) for b_branch in branches[i + 1:]
        for a in first for b in b_branch
        if a.user_id and a.user_id == b.user_id and _touches(a) and _touches(b)
    ]
    return ForkShown(event, [[said(e) for e in branch] for branch in branches], pairs)


def _touches(event: MembershipEvent) -> bool:
    return event.event.startswith(_PEOPLE_EVENTS)


def _change(e: MembershipEvent, name: Callable[[str], str]) -> str:
    if e.event.startswith("role:"):
        return f"{name(e.user_id)} given the role {role_label(e.event[5:])}"
    if e.event.startswith("owner:"):
        return f"{name(e.user_id)} made the owner"
    if e.event == "disable":
        return f"{name(e.user_id)} disabled"
    if e.event == "grant":
        return f"{name(e.user_id)} given the section {e.section} (epoch {e.epoch})"
    if e.event == "rotate":
        return f"the section {e.section} rotated to epoch {e.epoch}"
    return f"{e.event} for {name(e.user_id)}"
