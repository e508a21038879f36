"""The passphrase rule: what it accepts, what it refuses and why, and that it never echoes the
passphrase back in a message."""

from __future__ import annotations

import string
import unicodedata
from importlib import resources

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workbook.domain import passphrase as rule
from workbook.domain.passphrase import (
    MIN_CHARACTERS,
    MIN_WORDS,
    PassphraseRejected,
    check_passphrase,
    describe_rule,
    passphrase_problems,
)

USERNAME = "xavier.q"
FULL_NAME = "Xavier Quinn"


def _listed_words() -> list[str]:
    text = (
        resources.files("workbook.resources")
        .joinpath("common-passwords.txt")
        .read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line and not line.startswith("#")]


COMMON_WORDS = _listed_words()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# Letters, digits, punctuation, symbols and spaces from every script, but nothing that folds to
# an "x", so the username and the full name can never appear by chance.
LARGE_ALPHABET = st.characters(
    categories=("Lu", "Ll", "Lt", "Lo", "Nd", "No", "Pc", "Pd", "Po", "Ps", "Pe", "Sm", "Sc", "So",
                "Zs"),
).filter(lambda ch: "x" not in _fold(ch))


@pytest.mark.parametrize(
    "passphrase",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3-long-enough",
        "h7$Kq2!vLp9#",
        "Zoë's kitchen tábla",
        "an ox by us",  # four short words, eleven characters
        "plum-tide.oak_gale",
        "ｍ7ｑ!ｖ2ｋ$ｗ9ｚ#",
    ],
)
def test_accepts_reasonable_passphrases(passphrase: str) -> None:
    assert passphrase_problems(passphrase, username=USERNAME, full_name=FULL_NAME) == []
    check_passphrase(passphrase, username=USERNAME, full_name=FULL_NAME)


REJECTED = [
    ("Tr0ub4dor&3", rule.TOO_SHORT),
    ("one two six", rule.TOO_SHORT),
    ("a 1 b 2 c 3", rule.TOO_SHORT),  # six "words", none of two letters
    ("password", rule.COMMON),
    ("iloveyou1234", rule.COMMON),
    ("Password123!", rule.COMMON),
    ("  LetMeIn2024!!  ", rule.COMMON),
    ("qwertyqwerty", rule.COMMON),
    ("123456789012!", rule.COMMON),
    ("Dragon1Dragon1Dragon1", rule.COMMON),
    ("ＰＡＳＳＷＯＲＤ１２３４５６", rule.COMMON),
    ("my name is Xavier.Q honestly", rule.CONTAINS_USERNAME),
    ("XavierQuinn", rule.IS_FULL_NAME),
    ("Xavier Quinn", rule.IS_FULL_NAME),
    ("xavier-quinn-1985", rule.IS_FULL_NAME),
    ("zzzzzzzzzzzzzzz", rule.SIMPLE_PATTERN),
    ("ÄÄÄÄÄÄÄÄÄÄÄÄÄ", rule.SIMPLE_PATTERN),
    ("123456789012", rule.SIMPLE_PATTERN),
    ("abcdefghijkl", rule.SIMPLE_PATTERN),
    ("LKJIHGFEDCBA", rule.SIMPLE_PATTERN),
    ("9876543210987", rule.SIMPLE_PATTERN),
    ("h7$Kq2!vLp9#" * 100, rule.TOO_LONG),
    ("   \t  ", rule.ONLY_WHITESPACE),
    ("\u00a0\u2003\n", rule.ONLY_WHITESPACE),
    ("", rule.EMPTY),
]


@pytest.mark.parametrize(("passphrase", "reason"), REJECTED)
def test_refuses_with_the_reason(passphrase: str, reason: str) -> None:
    problems = passphrase_problems(passphrase, username="Xavier.Q", full_name=FULL_NAME)
    assert reason in problems
    with pytest.raises(PassphraseRejected) as caught:
        check_passphrase(passphrase, username="Xavier.Q", full_name=FULL_NAME)
    assert str(caught.value) == problems[0]


@pytest.mark.parametrize(("passphrase", "reason"), REJECTED)
def test_messages_never_contain_the_passphrase(passphrase: str, reason: str) -> None:
    problems = passphrase_problems(passphrase, username="Xavier.Q", full_name=FULL_NAME)
    with pytest.raises(PassphraseRejected) as caught:
        check_passphrase(passphrase, username="Xavier.Q", full_name=FULL_NAME)
    secret = passphrase.strip()
    for message in [*problems, str(caught.value), repr(caught.value)]:
        if secret:
            assert secret.casefold() not in message.casefold()


def test_messages_are_single_sentences() -> None:
    messages = [
        rule.EMPTY, rule.ONLY_WHITESPACE, rule.TOO_SHORT, rule.TOO_LONG, rule.COMMON,
        rule.CONTAINS_USERNAME, rule.IS_FULL_NAME, rule.SIMPLE_PATTERN,
    ]
    for message in messages:
        assert message[0].isupper()
        assert message.endswith(".")
        assert message.count(". ") == 0


def test_every_problem_is_reported() -> None:
    problems = passphrase_problems("xavier", username="xavier", full_name="Xavier")
    assert problems == [rule.TOO_SHORT, rule.CONTAINS_USERNAME, rule.IS_FULL_NAME]


def test_length_is_counted_after_nfc() -> None:
    decomposed = "e\u0301" * 10 + "q"  # ten "é" written as two code points each, then "q"
    assert len(decomposed) == 21
    assert rule.TOO_SHORT in passphrase_problems(decomposed)
    assert rule.TOO_SHORT not in passphrase_problems(decomposed + "w")


def test_length_limits_are_inclusive() -> None:
    shortest = "h7$Kq2!vLp9#"
    assert len(shortest) == MIN_CHARACTERS
    assert passphrase_problems(shortest) == []
    assert passphrase_problems(shortest[:-1]) == [rule.TOO_SHORT]
    longest = ("h7$Kq2!vLp9#" * 86)[: rule.MAX_CHARACTERS]
    assert passphrase_problems(longest) == []
    assert passphrase_problems(longest + "w") == [rule.TOO_LONG]


def test_short_usernames_and_names_are_ignored() -> None:
    assert passphrase_problems("jo went to the market", username="jo", full_name="Jo") == []


def test_constants_and_description() -> None:
    assert MIN_CHARACTERS == 12
    assert MIN_WORDS == 4
    assert describe_rule() == (
        "Use at least 12 characters, or four or more words. Common passwords are refused."
    )


def test_packaged_list_is_large_lowercase_and_loaded_once() -> None:
    text = (
        resources.files("workbook.resources")
        .joinpath("common-passwords.txt")
        .read_text(encoding="utf-8")
    )
    assert text.startswith("#")
    assert len(COMMON_WORDS) >= 2000
    assert len(set(COMMON_WORDS)) == len(COMMON_WORDS)
    for word in COMMON_WORDS:
        assert word == word.strip().lower()
        assert word != ""
    for word in ("123456", "password", "qwerty", "iloveyou", "football", "monkey", "letmein",
                 "dragon", "password1234", "qwertyuiop123", "iloveyou1234", "123456789012"):
        assert word in COMMON_WORDS
    assert rule._common_passwords() is rule._common_passwords()
    assert rule._common_passwords() == frozenset(COMMON_WORDS)


@pytest.mark.parametrize("word", COMMON_WORDS[::97])
def test_listed_words_are_refused_in_any_case(word: str) -> None:
    assert rule.COMMON in passphrase_problems(word.upper())
    assert rule.COMMON in passphrase_problems(f" {word}!! ")
    if any(ch.isalpha() for ch in word):
        assert rule.COMMON in passphrase_problems(f" {word}2024! ")


def _is_constant_step(text: str) -> bool:
    compact = "".join(ch for ch in text if not ch.isspace())
    steps = {ord(b) - ord(a) for a, b in zip(compact, compact[1:], strict=False)}
    return len(steps) <= 1 or all(ch in string.digits for ch in compact)


@settings(max_examples=300)
@given(st.text(alphabet=LARGE_ALPHABET, min_size=MIN_CHARACTERS, max_size=200))
def test_random_long_text_not_in_the_list_is_accepted(text: str) -> None:
    folded = _fold(text)
    assume(text.strip() != "")
    assume(len(unicodedata.normalize("NFC", text)) >= MIN_CHARACTERS)
    assume(not any(word in folded for word in COMMON_WORDS))
    assume(not _is_constant_step(folded.strip()))
    assert passphrase_problems(text, username=USERNAME, full_name=FULL_NAME) == []
    check_passphrase(text, username=USERNAME, full_name=FULL_NAME)


@given(
    st.one_of(st.text(), st.text(alphabet=LARGE_ALPHABET, min_size=10, max_size=40)),
    st.sampled_from(["", "ab", USERNAME, "dragon"]),
    st.sampled_from(["", FULL_NAME, "Ann Lee"]),
)
def test_check_and_problems_agree(text: str, username: str, full_name: str) -> None:
    problems = passphrase_problems(text, username=username, full_name=full_name)
    assert len(problems) == len(set(problems))
    if problems:
        with pytest.raises(PassphraseRejected) as caught:
            check_passphrase(text, username=username, full_name=full_name)
        assert str(caught.value) == problems[0]
        assert caught.value.args == (problems[0],)
    else:
        check_passphrase(text, username=username, full_name=full_name)


@given(st.sampled_from(COMMON_WORDS), st.integers(min_value=2, max_value=5))
def test_a_repeated_listed_word_is_refused(word: str, times: int) -> None:
    assert rule.COMMON in passphrase_problems(word * times)
