"""How the demo links each household for its genogram: a sex from each relationship, the
mother's partner, and the parents of each son and daughter (and of a kinship grandparent's
own child), so that every demo genogram is drawn connected rather than as loose people."""

from __future__ import annotations

from collections.abc import Sequence

FEMALE = ("mother", "daughter", "grandmother", "granddaughter", "aunt", "niece", "sister",
          "stepmother")
MALE = ("father", "son", "grandfather", "grandson", "uncle", "nephew", "brother",
        "stepfather", "mother's partner")
PARTNERS = ("father", "stepfather", "mother's partner")


def sex_of(relationship: str) -> str:
    """'grandmother (kinship carer)' -> 'female'; a relationship that says nothing, 'unknown'."""
    word = relationship.split(" (", 1)[0].strip().lower()
    return "female" if word in FEMALE else "male" if word in MALE else "unknown"


def genogram_links(relationships: Sequence[str], ids: Sequence[str]) -> list[dict[str, object]]:
    """For the household's people in writing order (`ids` of those written so far, the rest
    ""), each one's genogram fields: sex, partner_of and parents (by the ids given)."""
    words = [r.split(" (", 1)[0].strip().lower() for r in relationships]

    def first(*wanted: str) -> str:
        return next((ids[i] for i, w in enumerate(words) if w in wanted and ids[i]), "")

    mother, father = first("mother"), first("father")
    grandparent = first("grandfather", "grandmother")
    out: list[dict[str, object]] = []
    for word, relationship in zip(words, relationships, strict=True):
        fields: dict[str, object] = {"sex": sex_of(relationship)}
        if word in PARTNERS and mother:
            fields["partner_of"] = mother
        if word in ("son", "daughter"):
            fields["parents"] = [p for p in (mother, father if father else "") if p]
        if word == "mother" and grandparent:
            fields["parents"] = [grandparent]
        out.append(fields)
    return out
