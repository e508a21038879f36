"""Following the signed membership chain through forks and the merges that resolve them.

Two replicas that each changed membership before either synced make two signed events that
follow the same one (decision 0009): a fork. Decision 0006 ended the chain there. A `merge`
event (the third format, C32), signed by an owner or team manager, names the digest of every
branch tip; readers then take the branches whole, ordered by (signed time, digest) of each
branch's first event - an order every replica computes alike from signed content alone - and
the merge after them, and follow the chain on from the merge. Nothing is re-signed. A branch
the merge does not name, and any event made off the chain later, stays outside and is
reported as a fork again: only a signed merge brings an event in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbook.services.authority.membership import MembershipEvent

MERGE_EVENT = "merge"

# Whether the merge's signer may resolve a fork, given the events that count before it.
MayMerge = Callable[[list["MembershipEvent"], "MembershipEvent"], bool]


@dataclass
class Chain:
    """The chained events in signed order, the forks still open, and what went wrong."""

    events: list[MembershipEvent] = field(default_factory=list)
    forks: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outside: list[MembershipEvent] = field(default_factory=list)  # verified, not counted


@dataclass
class _Index:
    by_digest: dict[bytes, MembershipEvent]
    by_prev: dict[bytes, list[MembershipEvent]]
    merges: list[MembershipEvent]


def follow(chained: list[MembershipEvent], may_merge: MayMerge) -> Chain:
    """Follow the chain from counter 1; at a fork, through the first valid merge."""
    index = _Index({e.digest: e for e in chained}, {}, [])
    for event in chained:
        if event.prevs:
            index.merges.append(event)
        else:
            index.by_prev.setdefault(event.prev, []).append(event)
    index.merges.sort(key=lambda e: (e.at, e.digest))
    chain, head, counter = Chain(), b"", 0
    while True:
        follows = [e for e in index.by_prev.get(head, []) if e.counter == counter + 1]
        if len(follows) == 1:
            chain.events.append(follows[0])
            head, counter = follows[0].digest, counter + 1
            continue
        if not follows:
            break
        found = _merge_of(index, head, counter, chain.events, may_merge)
        if found is None:
            break
        merge, branches = found
        for branch in branches:
            chain.events.extend(branch)
        chain.events.append(merge)
        head, counter = merge.digest, merge.counter or 0
    _report(chain, chained, counter)
    return chain


def _merge_of(index: _Index, head: bytes, counter: int, before: list[MembershipEvent],
              may_merge: MayMerge) -> tuple[MembershipEvent, list[list[MembershipEvent]]] | None:
    """The first merge, by (signed time, digest), that validly joins branches forking after
    `head`, with its branches in their order; None if no merge does."""
    for merge in index.merges:
        branches = _branches(index, head, counter, merge)
        if branches is not None and may_merge(before, merge):
            return merge, sorted(branches, key=lambda b: (b[0].at, b[0].digest))
    return None


def _branches(index: _Index, head: bytes, counter: int, merge: MembershipEvent
              ) -> list[list[MembershipEvent]] | None:
    """Each named tip's branch back to the fork after `head`; None unless the tips are
    sorted, distinct, at least two, known, on different branches, and the merge's counter
    follows the longest."""
    tips = merge.prevs
    if len(tips) < 2 or list(tips) != sorted(set(tips)) or merge.event != MERGE_EVENT:
        return None
    branches: list[list[MembershipEvent]] = []
    for tip in tips:
        branch = _back_to(index, head, counter, tip)
        if branch is None:
            return None
        branches.append(branch)
    if len({b[0].digest for b in branches}) != len(branches):
        return None  # two tips on one branch: one is not a tip
    if merge.counter != max(b[-1].counter or 0 for b in branches) + 1:
        return None
    return branches


def _back_to(index: _Index, head: bytes, counter: int, tip: bytes
             ) -> list[MembershipEvent] | None:
    """The events from the fork after `head` to `tip`, oldest first; None if `tip` is not
    an event of the second format that descends from `head` counter by counter."""
    out: list[MembershipEvent] = []
    event = index.by_digest.get(tip)
    while event is not None and not event.prevs:
        out.append(event)
        if event.prev == head:
            return out[::-1] if event.counter == counter + 1 else None
        before = index.by_digest.get(event.prev)
        if before is None or before.counter != (event.counter or 0) - 1:
            return None
        event = before
    return None


def _report(chain: Chain, chained: list[MembershipEvent], counter: int) -> None:
    """Forks: events outside the chain made right after an event in it. Problems: where the
    chain stops with events still waiting, and how many signed events stand outside."""
    taken = {e.digest for e in chain.events}
    inside = taken | {b""}
    outside = chain.outside = [e for e in chained if e.digest not in taken]
    chain.forks = sorted({e.counter or 0 for e in outside
                          if (e.prev in inside and not e.prevs) or set(e.prevs) & taken})
    stops = [e for e in outside if e.counter == counter + 1 and not e.prevs]
    if stops:
        chain.problems.append(f"the membership log was altered: its chain breaks at event "
                              f"{counter + 1}; later events are ignored")
    rest = len(outside) - len(stops)
    if rest:
        chain.problems.append(f"the membership log was altered: {rest} signed event(s) stand "
                              "outside its chain (a row before them was deleted or moved, or "
                              "no merge names their branch) and are ignored; tell your team "
                              "manager")


def open_branches(outside: list[MembershipEvent], head: tuple[int, bytes]
                  ) -> list[list[MembershipEvent]]:
    """The branches that fork right after the chain's head, in the order a merge would count
    them: each from its first event on while exactly one event follows (a branch that forks
    again ends there; the rest stays outside)."""
    counter, digest = head
    by_prev: dict[bytes, list[MembershipEvent]] = {}
    for event in outside:
        if not event.prevs:
            by_prev.setdefault(event.prev, []).append(event)
    branches = []
    for first in by_prev.get(digest, []):
        if first.counter != counter + 1:
            continue
        branch = [first]
        while len(after := [e for e in by_prev.get(branch[-1].digest, [])
                            if e.counter == (branch[-1].counter or 0) + 1]) == 1:
            branch.append(after[0])
        branches.append(branch)
    return sorted(branches, key=lambda b: (b[0].at, b[0].digest)) if len(branches) > 1 else []
