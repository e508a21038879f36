"""The list of families keeps its order instead of sorting again at each sign-in (issue 19,
services/family/family_order.py): a stored run is checked, the open and closed runs merged, a
family folded in placed by bisection - and the list is exactly what a fresh sort gives (by name
casefolded, then id), whatever the names, even from a blob stored out of order."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from support.family_vault import FamilyVault
from workbook.crypto.symmetric import unwrap, wrap
from workbook.services.family import family_order
from workbook.services.family.family_list import CLOSED_SUFFIX, META_PREFIX, FamilySummary

# Few names, in several cases and scripts, so that names tie (a vault's "Smith family" x 900)
# and casefolding matters ("STRASSE" and "straße", the dotted I).
NAMES = st.sampled_from(["Smith family", "smith family", "SMITH FAMILY", "Straße family",
                         "STRASSE family", "İnce family", "ince family", "Ôdin", "Zed", ""])
IDS = st.text(alphabet="0123456789abcdef", min_size=1, max_size=4)


def _fresh(families: list[FamilySummary]) -> list[FamilySummary]:
    return sorted(families, key=lambda f: (f.name.casefold(), f.family_id))


@st.composite
def _families(draw: st.DrawFn) -> dict[str, FamilySummary]:
    ids = draw(st.lists(IDS, unique=True, max_size=40))
    return {i: FamilySummary(i, draw(NAMES), "", draw(st.sampled_from(["open", "closed"])),
                             False) for i in ids}


# (family id, its new name or None for deleted, its status)
FOLDS = st.lists(st.tuples(IDS, st.one_of(st.none(), NAMES),
                           st.sampled_from(["open", "closed"])), max_size=15)


@settings(max_examples=300, deadline=None)
@given(_families(), FOLDS, st.booleans())
def test_loaded_merged_and_folded_in_is_a_fresh_sort(
        kept: dict[str, FamilySummary], folds: list[tuple[str, str | None, str]],
        shuffled: bool) -> None:
    stored = _fresh(list(kept.values()))  # as stored: each run in the list's order
    open_run = [f for f in stored if f.status == "open"]
    closed_run = [f for f in stored if f.status == "closed"]
    if shuffled:  # a blob out of order (another casefolding): sorted on loading
        open_run.reverse()
        closed_run = closed_run[1:] + closed_run[:1]
    order, _keys = family_order.ordered(open_run)
    assert order == _fresh(open_run)
    closed, closed_keys = family_order.ordered(closed_run)
    order = family_order.merged(order, closed, closed_keys)
    assert order == stored
    shown = dict(kept)
    for family_id, name, status in folds:
        old = shown.pop(family_id, None)
        new = None if name is None else FamilySummary(family_id, name, "", status, False)
        if new is not None:
            shown[family_id] = new
        family_order.place(order, old, new)
    assert order == _fresh(list(shown.values()))


def _rewrite(fv: FamilyVault, username: str, change: object) -> None:
    """Decrypt the person's kept blobs with their own key (as only they can), apply `change`
    to each blob's columns, and store them again, authenticated: what a sign-in's code of
    another casefolding, or a bug, might have stored."""
    from workbook.vault import meta

    with fv.sign_in(username) as s:
        listing = s.families._listing()  # noqa: SLF001 - the blob's key is the point
        key, ad = listing._key_and_ad()  # noqa: SLF001
        name = META_PREFIX + s.user_id
        blob = meta.get_blob(s.conn, name)
        assert blob is not None
        data = json.loads(unwrap(key, blob, ad, "family list"))
        data["open"] = change(data["open"])  # type: ignore[operator]
        closed_ad = listing._closed_ad(data["closed"])  # noqa: SLF001
        closed_blob = meta.get_blob(s.conn, name + CLOSED_SUFFIX)
        assert closed_blob is not None
        closed = change(json.loads(unwrap(key, closed_blob, closed_ad, "family list")))  # type: ignore[operator]
        with s.write():
            meta.put(s.conn, name, wrap(key, json.dumps(data).encode(), ad))
            meta.put(s.conn, name + CLOSED_SUFFIX,
                     wrap(key, json.dumps(closed).encode(), closed_ad))


def test_a_kept_list_stored_out_of_order_is_listed_in_order(fv: FamilyVault) -> None:
    with fv.sign_in("tm") as tm:
        for name in ("beta family", "Alpha family", "ALPHA family", "gamma family"):
            tm.families.add(name, "")
        closing = tm.families.add("Delta family", "")
        tm.retention.close(closing, "early-help")
        tm.retention.close(tm.families.add("alpha family", ""), "early-help")
    with fv.sign_in("sw1") as s:
        expected = s.families.all()  # a fresh reading, stored at sign-out
    assert expected == _fresh(expected) and len(expected) == 8

    def reverse(columns: dict[str, Any]) -> dict[str, Any]:
        count = len(columns["id"])
        return {**{name: columns[name][::-1] for name in ("id", "name", "reference")},
                **{name: [columns[name][0], columns[name][1][::-1]]
                   for name in ("status", "owner")},
                "conflict": [count - 1 - at for at in columns["conflict"]]}

    _rewrite(fv, "sw1", reverse)
    with fv.sign_in("sw1") as s:
        assert [f for f, _owner in s.families.open_with_owners()] \
            == [f for f in expected if f.status == "open"]
        assert s.families.all() == expected
        s.families.add("Aardvark family", "")
        listed = s.families.all()
    assert listed == _fresh(listed) and len(listed) == 9


def test_a_kept_list_of_another_shape_means_a_fresh_reading(fv: FamilyVault) -> None:
    """Columns of different lengths, a column missing, a value index or a family in conflict
    out of range, are not taken: the list is read again from the verified records, and stored
    again in its right shape."""
    with fv.sign_in("sw1") as s:
        expected = s.families.all()
    for change in (lambda columns: {**columns, "name": columns["name"][:-1]},
                   lambda columns: {k: v for k, v in columns.items() if k != "reference"},
                   lambda columns: {**columns, "owner": [columns["owner"][0], [5, 0]]},
                   lambda columns: {**columns, "conflict": [-1]},
                   lambda columns: {**columns, "status": [[1, 2], [0, 1]]}):
        _rewrite(fv, "sw1", change)
        with fv.sign_in("sw1") as s:
            assert s.families.all() == expected


def test_a_case_owner_appointed_since_the_list_was_kept_wins_over_the_kept_one(
        fv: FamilyVault) -> None:
    """The kept case owners are put in only when asked for; a family folded in from the log
    before that (here: a new case owner and a renamed family) keeps its newer owner and goes
    to its new place."""
    with fv.sign_in("sw1") as s:
        s.families.all()
        sw1 = s.user_id
    with fv.sign_in("tm") as tm:
        tm.case_owners.appoint(fv.other_family_id, "sw1", "a new allocation")
        tm.families.add("Aaron family", "AA-1")
    with fv.sign_in("sw1") as s:
        owners = s.families.case_owners()
        listed = s.families.all()
        opened = s.families.open_with_owners()
    assert owners[fv.other_family_id] == sw1
    assert dict((f.family_id, owner) for f, owner in opened) == owners
    assert listed == _fresh(listed) and listed[0].name == "Aaron family"
    with fv.sign_in("sw1") as s:
        assert s.families.case_owners() == owners  # as stored again at sign-out
