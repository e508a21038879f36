"""Laying out a genogram from a household: who stands in which generation, and where.

Pure and deterministic, so it is tested without Qt and the picture never jumps between two
openings of the same household. Generations come from parent links (a child stands one row
below the lower of its parents) and partners share a row; a person with no links at all is
placed by the words of their relationship ("grandmother" above "mother" above "son"). Within a
row, children sit under the middle of their parents and partners sit side by side. Positions
are in abstract slots: x in slot widths, y in generations; the view scales them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEXES = ("female", "male", "unknown")

_CHILD_WORDS = frozenset(("son", "daughter", "child", "baby", "stepson", "stepdaughter",
                          "niece", "nephew", "infant"))


@dataclass(frozen=True)
class GenogramPerson:
    """What the layout needs of one household member."""

    person_id: str
    name: str
    sex: str = "unknown"
    relationship: str = ""
    partner_of: str = ""
    parents: tuple[str, ...] = ()
    separated: bool = False
    index: bool = False
    dob: str = ""


@dataclass(frozen=True)
class Node:
    person: GenogramPerson
    x: float
    generation: int


@dataclass(frozen=True)
class Partnership:
    """A line between two partners; a separated one is drawn with a double slash."""

    left: str
    right: str
    separated: bool


@dataclass(frozen=True)
class Descent:
    """A child hanging from its parents' partnership line (or from a lone parent)."""

    child: str
    parents: tuple[str, ...]


@dataclass(frozen=True)
class GenogramLayout:
    nodes: dict[str, Node]
    partnerships: tuple[Partnership, ...]
    descents: tuple[Descent, ...]

    @property
    def generations(self) -> int:
        return 1 + max((n.generation for n in self.nodes.values()), default=-1)

    @property
    def width(self) -> float:
        return 1 + max((n.x for n in self.nodes.values()), default=-1)


def relationship_generation(relationship: str) -> int:
    """A fallback row from the words of a relationship: 0 grandparents, 1 parents and carers,
    2 children. Grandchildren ("grandson") count as children, not as grandparents."""
    words = relationship.casefold()
    if any(w in words for w in ("grandson", "granddaughter", "grandchild")):
        return 2
    if "grand" in words:
        return 0
    if any(token in _CHILD_WORDS for token in re.findall(r"[a-z]+", words)):
        return 2
    return 1


def _partners(people: dict[str, GenogramPerson]) -> dict[str, str]:
    """Each person's partner, links made symmetric; the first link named wins."""
    out: dict[str, str] = {}
    for pid in sorted(people):
        other = people[pid].partner_of
        if (other and other in people and other != pid and pid not in out and other not in out
                and other not in people[pid].parents and pid not in people[other].parents):
            out[pid] = other
            out[other] = pid
    return out


def _relax(people: dict[str, GenogramPerson], partner: dict[str, str]) -> tuple[dict[str, int],
                                                                               bool]:
    """A child stands below its parents and partners share the lower row. Bounded, because a
    cycle of links (bad data) must not hang the screen; the flag says whether it settled."""
    gen = {pid: relationship_generation(p.relationship) for pid, p in people.items()}
    for _ in range(len(people) + 2):
        changed = False
        for pid in sorted(people):
            parents = [q for q in people[pid].parents if q in people and q != pid]
            want = max((gen[q] + 1 for q in parents), default=gen[pid])
            mate = partner.get(pid)
            if mate is not None:
                want = max(want, gen[mate])
            if want > gen[pid]:
                gen[pid] = want
                changed = True
        if not changed:
            return gen, True
    return gen, False


def _generations(
    people: dict[str, GenogramPerson], partner: dict[str, str]
) -> tuple[dict[str, int], dict[str, str]]:
    gen, settled = _relax(people, partner)
    if not settled:
        # Partner links that contradict the parent links are dropped rather than guessed at.
        partner = {}
        gen, _ = _relax(people, partner)
    # Rows nobody stands in are closed up, so the picture has no empty bands.
    used = {g: i for i, g in enumerate(sorted(set(gen.values())))}
    return {pid: used[g] for pid, g in gen.items()}, partner


def _groups(row: Sequence[str], partner: dict[str, str],
            sex_rank: dict[str, int]) -> list[list[str]]:
    """Partners stand together as one group; everyone else alone."""
    seen: set[str] = set()
    out: list[list[str]] = []
    for pid in row:
        if pid in seen:
            continue
        mate = partner.get(pid)
        if mate is not None and mate in row and mate not in seen:
            # By convention the male partner stands on the left.
            out.append(sorted([pid, mate], key=lambda p: (sex_rank.get(p, 1), p)))
            seen.update((pid, mate))
        else:
            out.append([pid])
            seen.add(pid)
    return out


def layout(persons: Iterable[GenogramPerson]) -> GenogramLayout:
    """Place every person; generation 0 is the top row."""
    people = {p.person_id: p for p in persons}
    partner = _partners(people)
    gen, partner = _generations(people, partner)
    sex_rank = {pid: {"male": 0, "female": 2}.get(p.sex, 1) for pid, p in people.items()}
    x: dict[str, float] = {}
    rows = sorted(set(gen.values()))
    for g in rows:
        members = [pid for pid in people if gen[pid] == g]

        def wish(pid: str) -> float:
            placed = [x[q] for q in people[pid].parents if q in x]
            if not placed and partner.get(pid) in people:
                placed = [x[q] for q in people[partner[pid]].parents if q in x]
            return sum(placed) / len(placed) if placed else float("inf")

        def sort_key(pid: str) -> tuple[float, str, str, str]:
            # Children go under their parents, oldest on the left as genograms are drawn.
            person = people[pid]
            return (wish(pid), person.dob or "~", person.name.casefold(), pid)

        groups = _groups(sorted(members, key=sort_key), partner, sex_rank)
        cursor = 0.0
        for group in groups:
            wishes = [w for w in (wish(p) for p in group) if w != float("inf")]
            centre = sum(wishes) / len(wishes) if wishes else cursor + (len(group) - 1) / 2
            start = max(cursor, centre - (len(group) - 1) / 2)
            for offset, pid in enumerate(group):
                x[pid] = start + offset
            cursor = start + len(group)
    # Parents above a wide row of children move to the middle of them, when that is free.
    for g in reversed(rows[:-1]):
        row = sorted((p for p in people if gen[p] == g), key=lambda p: x[p])
        for group in _groups(row, partner, sex_rank):
            kids = [c for c, p in people.items() if set(group) & set(p.parents)]
            if not kids:
                continue
            mid = sum(x[c] for c in kids) / len(kids) - (len(group) - 1) / 2
            span = {x[o] for o in people if gen[o] == g and o not in group}
            target = [mid + i for i in range(len(group))]
            if mid > x[group[0]] and all(abs(t - s) >= 1 for t in target for s in span):
                for offset, pid in enumerate(group):
                    x[pid] = mid + offset
    nodes = {pid: Node(people[pid], x[pid], gen[pid]) for pid in people}
    partnerships = []
    for pid, mate in sorted(partner.items()):
        if pid < mate:
            left, right = (pid, mate) if x[pid] <= x[mate] else (mate, pid)
            separated = people[pid].separated or people[mate].separated
            partnerships.append(Partnership(left, right, separated))
    descents = []
    for pid in sorted(people):
        parents = tuple(sorted(q for q in people[pid].parents if q in people and q != pid))
        if parents:
            descents.append(Descent(pid, parents))
    return GenogramLayout(nodes, tuple(partnerships), tuple(descents))
