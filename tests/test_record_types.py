"""The record types give back exactly the payload they were read from, whatever it holds: the
keys this release writes, keys it does not know, and named keys of another shape (a partner's
bundle, an older release, a deletion's tombstone)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.domain.record_kind import RecordKind
from workbook.domain.records import (
    RECORD_TYPES,
    Action,
    Concern,
    Consent,
    Entry,
    Family,
    Person,
    Referral,
    Review,
    Transfer,
    record_of,
)

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)


def _payloads(record_type: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    named = sorted(record_type.SHAPES)
    well_formed = st.one_of(
        st.text(max_size=10), st.booleans(), st.integers(),
        st.lists(st.text(max_size=5), max_size=3),
        st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
                 max_size=2),
        st.dictionaries(st.text(max_size=4), _JSON, max_size=2),
    )
    keys = st.sampled_from([*named, "deleted", "deleted_reason"]) | st.text(max_size=8)
    return st.dictionaries(keys, well_formed | _JSON, max_size=10)


def _round_trip(record_type: type[Any], payload: dict[str, Any]) -> None:
    record = record_type.from_payload(payload)
    back = record.to_payload()
    assert back == payload
    assert json.dumps(back, sort_keys=True) == json.dumps(payload, sort_keys=True)
    assert record_of(record_type.KIND.value, payload) == record


@pytest.mark.parametrize("record_type", [Family, Person, Entry, Action, Review, Referral, Transfer,
                                         Concern, Consent])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_payload_round_trip(record_type: type[Any], data: st.DataObject) -> None:
    _round_trip(record_type, data.draw(_payloads(record_type)))


def test_every_kind_has_a_type() -> None:
    assert set(RECORD_TYPES) == set(RecordKind)


def test_named_fields_read_their_defaults_and_odd_values_stay_aside() -> None:
    person = Person.from_payload({"name": "Anna", "dob": 19850601, "parents": ["a", "b"]})
    assert (person.name, person.dob, person.sex, person.parents) == ("Anna", "", "unknown",
                                                                      ("a", "b"))
    assert person.extra == {"dob": 19850601}
    action = Action.from_payload({"text": "Visit", "deleted": True})
    assert action.status == "open" and action.extra == {"deleted": True}
    assert action.to_payload() == {"text": "Visit", "deleted": True}
