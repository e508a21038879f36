"""Recording consent before a share, through the real service, for the tests and benchmarks
that share "with consent given": a share now checks the records (issue 15), so the people of
the shared families must have given consent for the share's purpose first."""

from __future__ import annotations

from collections.abc import Iterable

from workbook.services.session import Session


def give_consent(s: Session, families: Iterable[str], purpose: str) -> int:
    """Record "given" for `purpose` for each person of `families` whose consent does not yet
    stand as given; how many were recorded (none when all had given it already)."""
    recorded = 0
    for family_id in families:
        for person_id, _name, status in s.consents.standing_of(family_id, purpose):
            if status != "given":
                s.consents.record(person_id, "given", purpose, "all", "in person")
                recorded += 1
    return recorded
