"""The passphrase rule: what a person may choose to unlock the vault with.

The rule follows current guidance (length over complexity, a list of known-bad choices, no
composition rules) because a passphrase that is long and not guessable is what protects the
vault if a laptop is lost; rules about symbols only push people to "Password1!". It lives in
the core, with no I/O but one packaged list, so that every screen and the CLI refuse the same
things with the same words. No message ever repeats the passphrase, since messages end up on
screens, in logs and in support requests.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from workbook.domain.errors import WorkbookError

MIN_CHARACTERS = 12
MIN_WORDS = 4
MAX_CHARACTERS = 1024
MIN_USERNAME_CHARACTERS = 3
MIN_WORD_LETTERS = 2

_WORD_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015._]+")
_DIGITS = "0123456789"

EMPTY = "Enter a passphrase."
ONLY_WHITESPACE = "A passphrase cannot be made only of spaces; use words or other characters."
TOO_SHORT = (
    f"Use at least {MIN_CHARACTERS} characters, or four or more words of two or more letters."
)
TOO_LONG = f"Use no more than {MAX_CHARACTERS:,} characters."
COMMON = (
    "This is on a list of commonly used choices that attackers try first; "
    "choose something less predictable."
)
CONTAINS_USERNAME = "Do not include your username in the passphrase."
IS_FULL_NAME = "Do not use your own name as the passphrase."
SIMPLE_PATTERN = (
    "Do not use a single character repeated or a simple sequence of letters or digits."
)


class PassphraseRejected(WorkbookError, ValueError):
    """A passphrase that the rule refuses. The message is one sentence the person can act on,
    and never contains the passphrase itself."""


def describe_rule() -> str:
    """The rule in one line, for the screens where a passphrase is chosen and for CLI help."""
    return "Use at least 12 characters, or four or more words. Common passwords are refused."


def passphrase_problems(passphrase: str, *, username: str = "", full_name: str = "") -> list[str]:
    """Every reason the passphrase is refused, in order of importance; empty means accepted.

    All of them are returned, not just the first, so a screen can show the whole picture at
    once instead of making the person fix one thing at a time.
    """
    if passphrase == "":
        return [EMPTY]
    if passphrase.strip() == "":
        # Nothing else is worth saying about a blank passphrase.
        return [ONLY_WHITESPACE]
    text = unicodedata.normalize("NFC", passphrase)
    key = _fold(text)
    problems: list[str] = []
    if len(text) > MAX_CHARACTERS:
        problems.append(TOO_LONG)
    if len(text) < MIN_CHARACTERS and _count_words(text) < MIN_WORDS:
        problems.append(TOO_SHORT)
    if _is_common(key):
        problems.append(COMMON)
    folded_username = _fold(username)
    if len(folded_username) >= MIN_USERNAME_CHARACTERS and folded_username in key:
        problems.append(CONTAINS_USERNAME)
    if _is_full_name(key, full_name):
        problems.append(IS_FULL_NAME)
    if _is_simple_pattern(key):
        problems.append(SIMPLE_PATTERN)
    return problems


def check_passphrase(passphrase: str, *, username: str = "", full_name: str = "") -> None:
    """Raise PassphraseRejected with the most important problem, for callers that only need
    to stop; `passphrase_problems` gives them all."""
    problems = passphrase_problems(passphrase, username=username, full_name=full_name)
    if problems:
        raise PassphraseRejected(problems[0])


def _fold(text: str) -> str:
    """The form used for every comparison: compatibility-normalised, so that full-width or
    styled letters do not slip past the list, case-folded, and without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _count_words(text: str) -> int:
    """Words as a person would count them in "correct-horse.battery staple"; a stray letter
    or number does not make a word."""
    return sum(
        1
        for part in _WORD_SEPARATORS.split(text)
        if sum(ch.isalpha() for ch in part) >= MIN_WORD_LETTERS
    )


def _without_endings(key: str) -> set[str]:
    """The key as typed, without a trailing run of punctuation, symbols and spaces, and
    without a trailing run that also takes in digits, because adding "123!" to a common
    password is the first thing an attacker tries. The middle form keeps "123456!" from
    slipping through as an empty string."""
    forms = {key}
    for strip_classes in ("PSZ", "NPSZ"):
        end = len(key)
        while end > 0 and unicodedata.category(key[end - 1])[0] in strip_classes:
            end -= 1
        forms.add(key[:end])
    forms.discard("")
    return forms


@functools.lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The packaged list, read once; it is a few tens of kilobytes and never changes at run
    time."""
    text = (
        resources.files("workbook.resources")
        .joinpath("common-passwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


@functools.lru_cache(maxsize=1)
def _longest_common_password() -> int:
    return max((len(word) for word in _common_passwords()), default=0)


def _is_listed(candidate: str) -> bool:
    common = _common_passwords()
    return any(form in common for form in _without_endings(candidate))


def _is_common(key: str) -> bool:
    """A listed password, with or without a number or symbol ending, or one repeated
    ("qwertyqwerty"), which adds length but no strength."""
    for candidate in _without_endings(key):
        if _is_listed(candidate):
            return True
        size = len(candidate)
        for period in range(1, min(_longest_common_password(), size // 2) + 1):
            if size % period == 0 and candidate == candidate[:period] * (size // period):
                if _is_listed(candidate[:period]):
                    return True
    return False


def _letters(text: str) -> str:
    return "".join(ch for ch in _fold(text) if ch.isalpha())


def _is_full_name(key: str, full_name: str) -> bool:
    """The person's name, however spaced, punctuated or capitalised, and even with a number
    added: it is the first thing anyone who knows them would try."""
    name = _letters(full_name)
    return len(name) >= MIN_USERNAME_CHARACTERS and _letters(key) == name


def _is_simple_pattern(key: str) -> bool:
    """One character repeated, or a run such as "abcdef", "987654" or "1234567890123"
    (digits wrap round after 9), ignoring spaces."""
    compact = "".join(ch for ch in key if not ch.isspace())
    if len(compact) < 3:
        return False
    if all(ch in _DIGITS for ch in compact):
        steps = {(int(b) - int(a)) % 10 for a, b in zip(compact, compact[1:], strict=False)}
        return steps in ({0}, {1}, {9})
    steps = {ord(b) - ord(a) for a, b in zip(compact, compact[1:], strict=False)}
    return steps in ({0}, {1}, {-1})
