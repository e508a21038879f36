"""The rules of the six steps and of consent, with no vault (domain/concerns.py,
domain/consent.py), and the check a receiver makes of a bundle's consent override."""

from __future__ import annotations

from typing import Any

import pytest

from workbook.domain import concerns as rules
from workbook.domain.consent import (
    ConsentDecision,
    ConsentRefused,
    check_fields,
    same_purpose,
    standing,
)
from workbook.domain.records import Concern
from workbook.services.sharing.consents import received_check


def _with_steps(*steps: tuple[int, str, str], **extra: Any) -> Concern:
    return Concern(person="p", text="t", steps=tuple(
        rules.step_record(n, by="u", at="2026-12-01T10:00:00Z", note=note, skipped=skipped)
        for n, note, skipped in steps), **extra)


def test_states_follow_the_steps_and_the_close() -> None:
    assert rules.state(_with_steps()) == "open"
    shared = Concern(steps=tuple(
        [*(rules.step_record(n, by="u", at="", note="x") for n in range(1, 6)),
         rules.step_record(6, by="u", at="", note="x", share={"kind": "internal"})]))
    assert rules.state(shared) == "shared" and rules.next_step(shared) is None
    assert rules.state(Concern(status="closed")) == "closed"
    skipped_six = _with_steps(*((n, "x", "") for n in range(1, 6)), (6, "", "nothing to share"))
    assert rules.state(skipped_six) == "open"


@pytest.mark.parametrize(("step", "note", "skipped", "by_share", "message"), [
    (7, "x", "", False, "there is no step 7"),
    (0, "x", "", False, "there is no step 0"),
    (2, "", "", False, "not both and not neither"),
    (2, "x", "y", False, "not both and not neither"),
    (1, "x", "", False, "already recorded"),
    (3, "x", "", False, "step 2 comes next"),
    (2, "x" * 4001, "", False, "too long"),
])
def test_steps_the_rules_refuse(step: int, note: str, skipped: str, by_share: bool,
                                message: str) -> None:
    with pytest.raises(rules.ConcernRefused, match=message):
        rules.check_step(_with_steps((1, "x", "")), step, note=note, skipped=skipped,
                         by_share=by_share)


def test_step_six_only_by_a_share_or_skipped() -> None:
    five = _with_steps(*((n, "x", "") for n in range(1, 6)))
    with pytest.raises(rules.ConcernRefused, match="completed by a share"):
        rules.check_step(five, 6, note="shared it", skipped="")
    rules.check_step(five, 6, note="shared it", skipped="", by_share=True)
    rules.check_step(five, 6, note="", skipped="nothing to share")


def test_a_closed_concern_takes_no_step_and_no_second_close() -> None:
    closed = Concern.from_payload(rules.closed(_with_steps(), "resolved"))
    assert (closed.status, closed.closed_reason) == ("closed", "resolved")
    with pytest.raises(rules.ConcernRefused, match="closed"):
        rules.check_step(closed, 1, note="x", skipped="")
    with pytest.raises(rules.ConcernRefused, match="already closed"):
        rules.closed(closed, "again")
    with pytest.raises(rules.ConcernRefused, match="reason"):
        rules.closed(_with_steps(), "  ")


def test_the_newest_decision_for_the_purpose_stands() -> None:
    decisions = [ConsentDecision("a", "given", "Early help", "2026-01-01T10:00:00Z"),
                 ConsentDecision("a", "withdrawn", " early  HELP ", "2026-02-01T10:00:00Z"),
                 ConsentDecision("a", "given", "Housing", "2026-03-01T10:00:00Z"),
                 ConsentDecision("b", "refused", "Early help", "2026-01-05T10:00:00Z")]
    assert same_purpose("Early help", "early   help")
    assert standing(decisions, "a", "Early help") == "withdrawn"
    assert standing(decisions, "a", "housing") == "given"
    assert standing(decisions, "b", "Early help") == "refused"
    assert standing(decisions, "c", "Early help") == "missing"


@pytest.mark.parametrize(("fields", "message"), [
    (("maybe", "p", "", ""), "must be one of"),
    (("given", "   ", "", ""), "purpose"),
    (("given", "p", "s" * 4001, ""), "too long"),
    (("given", "p", "", "a\x00b"), "NUL"),
])
def test_bad_consent_fields(fields: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(ConsentRefused, match=message):
        check_fields(*fields)


_GOOD = {"purpose": "p", "people": [{"family": "f", "person": "a", "status": "refused"}],
         "overridden": True, "reason": "r", "lawful_basis": "b"}


@pytest.mark.parametrize("bad", [
    "text", {**_GOOD, "extra": 1}, {**_GOOD, "overridden": "yes"},
    {**_GOOD, "people": [{"family": "f", "person": "a"}]},
    {**_GOOD, "people": [{"family": "f", "person": "a", "status": 3}]},
    {**_GOOD, "reason": "r" * 5000}, {**_GOOD, "people": "a"},
])
def test_a_received_consent_check_is_kept_only_when_well_formed(bad: object) -> None:
    assert received_check(dict(_GOOD)) == _GOOD
    with pytest.raises(ValueError, match="malformed"):
        received_check(bad)
