"""A visit's own fields (domain/visits) and how an entry holds them (domain/records.Entry)."""

from __future__ import annotations

import pytest

from workbook.domain.records import Entry
from workbook.domain.visits import VisitError, time_of_day, visit_fields, visit_summary


@pytest.mark.parametrize(("given", "held"), [("14:30", "14:30"), ("9:05", "09:05"),
                                             (" 00:00 ", "00:00"), ("", "")])
def test_a_time_of_day(given: str, held: str) -> None:
    assert time_of_day(given) == held


@pytest.mark.parametrize(("given", "reason"), [
    ("25:00", "hours run from 00 to 23"), ("14:60", "minutes run from 00 to 59"),
    ("2pm", "not in the form HH:MM"), ("14.30", "not in the form HH:MM")])
def test_a_time_that_is_not_one_says_why(given: str, reason: str) -> None:
    with pytest.raises(VisitError, match=reason):
        time_of_day(given)


def test_visit_fields_only_what_was_given_and_only_for_a_visit() -> None:
    assert visit_fields("visit") == {}
    assert visit_fields("note") == {}
    assert visit_fields("visit", time="14:30", child_seen="Alone", joint_with=" police ",
                        present="Mother,  Kai") == {
        "time": "14:30", "child_seen": "alone", "with": "police", "present": "Mother, Kai"}
    with pytest.raises(VisitError, match="yes, no or alone"):
        visit_fields("visit", child_seen="maybe")
    with pytest.raises(VisitError, match="for a visit only"):
        visit_fields("call", time="10:00")
    with pytest.raises(VisitError, match="too long"):
        visit_fields("visit", joint_with="x" * 101)


def test_an_entry_holds_the_payloads_with_and_present_under_python_names() -> None:
    payload = {"text": "Home visit", "date": "2026-03-02", "type": "visit", "time": "14:30",
               "child_seen": "alone", "with": "police", "present": "Mother"}
    entry = Entry.from_payload(payload)
    assert (entry.time, entry.child_seen, entry.joint_with, entry.people_present) == (
        "14:30", "alone", "police", "Mother")
    assert entry.to_payload() == payload
    assert entry.present == frozenset(payload)
    plain = Entry.from_payload({"text": "A note"})
    assert (plain.time, plain.joint_with, plain.people_present) == ("", "", "")
    assert plain.to_payload() == {"text": "A note"}
    odd = {"text": "t", "with": 3}
    assert Entry.from_payload(odd).to_payload() == odd and Entry.from_payload(odd).extra == {
        "with": 3}


def test_the_reading_form() -> None:
    assert visit_summary("14:30", "alone", "police", "Mother") == (
        "14:30, child seen alone, joint visit with police, present: Mother")
    assert visit_summary("", "no", "", "") == "child not seen"
