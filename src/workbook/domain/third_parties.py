"""Who an entry is about, and third parties' details inside it, for a subject access export.

A subject access export gives a person their own data. From the household's known values (the
other members' names, dates of birth, addresses and phone numbers) and simple UK patterns
(phone numbers, postcodes) this module decides:

- whether an entry is about other household members only: it names at least one of them and
  never the subject (an entry that names nobody is about the family, the subject included, and
  is kept);
- what to redact inside what is kept, counted by category so that the export can tell the
  reviewer what was withheld and why.

The subject's own values are never redacted: a postcode or a phone number that is the
subject's own stays. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

NAME, DATE_OF_BIRTH, ADDRESS, PHONE = "name", "date of birth", "address", "phone number"
ABOUT_OTHERS = "entry about other household members only"
MARKS = {NAME: "[third party]", DATE_OF_BIRTH: "[date of birth withheld]",
         ADDRESS: "[address withheld]", PHONE: "[phone number withheld]"}
# Why each category is withheld, as the reviewer reads it.
REASONS = {
    ABOUT_OTHERS: "Entries that name other household members and not this person are their "
                  "data, not this person's, and are left out.",
    NAME: "Names of other people (third parties) are replaced by [third party].",
    DATE_OF_BIRTH: "Other people's dates of birth are third parties' personal data.",
    ADDRESS: "Other people's addresses and postcodes other than this person's own are third "
             "parties' personal data.",
    PHONE: "Phone numbers other than this person's own are third parties' personal data.",
}
CATEGORIES = (ABOUT_OTHERS, NAME, DATE_OF_BIRTH, ADDRESS, PHONE)

POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}(?![A-Za-z0-9])",
                      re.IGNORECASE)
PHONE_NUMBER = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}"
                          r"(?!\w)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Member:
    """What the household holds about one person."""

    name: str
    dob: str = ""        # ISO date or ""
    address: str = ""
    phone: str = ""


@dataclass
class ThirdParties:
    """The redaction and the entry filter for one subject, counting what it withholds."""

    subject: Member
    others: tuple[Member, ...]
    family_name: str = ""
    withheld: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        family_words = _words(self.family_name)
        subject_words = _words(self.subject.name)
        other_words: set[str] = set()
        phrases: set[str] = set()
        for person in self.others:
            name = person.name.strip()
            if name:
                phrases.add(name)
                words = {w for w in _WORD.findall(name) if len(w) > 1}
                phrases.update(w for w in words
                               if w.casefold() not in subject_words | family_words)
                other_words |= {w.casefold() for w in words}
        self._others = _alternation(phrases)
        own = {w for w in _WORD.findall(self.subject.name) if len(w) > 1
               and w.casefold() not in family_words | other_words}
        if self.subject.name.strip():
            own.add(self.subject.name.strip())
        self._subject = _alternation(own)
        self._dates = _alternation({d for p in self.others for d in _date_forms(p.dob)})
        self._addresses = _alternation(
            {p.address.strip() for p in self.others
             if p.address.strip() and p.address.strip().casefold()
             != self.subject.address.strip().casefold()})
        self._own_postcodes = {_squash(m) for m in POSTCODE.findall(self.subject.address)}
        self._own_phone = _digits(self.subject.phone)
        self._known_phones = {_digits(p.phone) for p in self.others if _digits(p.phone)}

    def about_others_only(self, text: str) -> bool:
        """True when `text` names another household member and never the subject."""
        return (self._others is not None and self._others.search(text) is not None
                and (self._subject is None or self._subject.search(text) is None))

    def leave_out(self) -> None:
        self.withheld[ABOUT_OTHERS] += 1

    def redact(self, text: str) -> str:
        """`text` with third parties' addresses, postcodes, dates of birth, phone numbers and
        names replaced by a mark naming the category; each replacement is counted."""
        text = self._sub(self._addresses, ADDRESS, text)
        text = self._sub_if(POSTCODE, ADDRESS, text,
                            lambda found: _squash(found) not in self._own_postcodes)
        text = self._sub(self._dates, DATE_OF_BIRTH, text)
        text = self._sub_if(PHONE_NUMBER, PHONE, text, self._not_own_phone)
        for number in self._known_phones:
            text = self._sub(_digits_pattern(number), PHONE, text)
        return self._sub(self._others, NAME, text)

    def _not_own_phone(self, found: str) -> bool:
        digits = _digits(found)
        return not self._own_phone or digits[-9:] != self._own_phone[-9:]

    def _sub(self, pattern: re.Pattern[str] | None, category: str, text: str) -> str:
        if pattern is None:
            return text
        out, count = pattern.subn(MARKS[category], text)
        self.withheld[category] += count
        return out

    def _sub_if(self, pattern: re.Pattern[str], category: str, text: str,
                wanted: object) -> str:
        def replace(match: re.Match[str]) -> str:
            if not callable(wanted) or not wanted(match.group(0)):
                return match.group(0)
            self.withheld[category] += 1
            return MARKS[category]

        return pattern.sub(replace, text)

    def summary(self) -> tuple[tuple[str, int, str], ...]:
        """(category, how many, why) for every category that withheld something."""
        return tuple((c, self.withheld[c], REASONS[c]) for c in CATEGORIES if self.withheld[c])


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _alternation(phrases: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)",
                      re.IGNORECASE)


def _date_forms(iso: str) -> set[str]:
    """A date of birth as it is written in notes: 2015-03-04, 04/03/2015, 4/3/2015."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if found is None:
        return set()
    year, month, day = found.groups()
    return {iso.strip(), f"{day}/{month}/{year}", f"{int(day)}/{int(month)}/{year}"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "0" + digits[2:] if digits.startswith("44") else digits


def _digits_pattern(digits: str) -> re.Pattern[str]:
    """A known number however it is spaced ("07700 900123", "07700-900-123")."""
    body = r"[\s-]?".join(re.escape(d) for d in digits.lstrip("0"))
    return re.compile(r"(?<!\d)(?:\+44\s?|0)?" + body + r"(?!\d)")
