"""The list of every family (`families.all`, services/family/family_list.py) is read once per
session and then kept up to date from the version log: what colleagues add, rename or close
meanwhile shows on the next listing, exactly as a fresh reading shows it; a row planted in the
versions table is still refused; nothing already stored changes."""

from __future__ import annotations

import pytest

from support.family_vault import FamilyVault
from workbook.services.errors import TamperingDetected


def _fresh(fv: FamilyVault, username: str) -> list[object]:
    with fv.sign_in(username) as s:
        return list(s.families.all())


def test_what_colleagues_write_meanwhile_is_listed_as_a_fresh_reading_lists_it(
        fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as reader, fv.sign_in("tm") as colleague:
        before = reader.families.all()
        assert reader.families.all() == before  # nothing changed: the same list
        added = colleague.families.add("Brown family", "BR-1")
        colleague.retention.close(fv.other_family_id, "early-help")
        again = reader.families.all()
        assert again == _fresh(fv, "sw1")
        assert {f.family_id for f in again} == {f.family_id for f in before} | {added}
        closed = next(f for f in again if f.family_id == fv.other_family_id)
        assert closed.status == "closed"


def test_a_planted_family_row_is_refused_on_the_next_listing(fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as reader:
        reader.families.all()
        rows_before = reader.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        # The attacker copies the family's stored row under a new version id: its associated
        # data no longer matches, so it cannot be opened as a version of that family.
        reader.conn.execute(
            "INSERT INTO versions SELECT family_id, CASE WHEN version_id LIKE 'f%' THEN 'e' "
            "ELSE 'f' END || substr(version_id, 2), record_id, "
            "kind, section_tag, epoch, parents, author, device, created_at, sealed, body "
            "FROM versions WHERE kind = 'family' AND family_id = ?", (fv.family_id,))
        with pytest.raises(TamperingDetected):
            reader.families.all()
        assert reader.conn.execute("SELECT count(*) FROM versions").fetchone()[0] \
            == rows_before + 1


def test_home_reads_only_open_families_and_lists_closed_ones_as_closed(
        fv: FamilyVault) -> None:
    """A closed family is nobody's work (issue 19): it stays in the list of families, flagged
    closed, but leaves home (my families, my overdue actions, the recently changed); with most of
    the vault closed, home reads the open families' rows alone and finds the same."""
    from datetime import date

    from workbook.services.home import overview as home

    today = date(2031, 1, 1)
    with fv.sign_in("tm") as s:
        before = home.home_summary(s, today)
        assert fv.family_id in {f.family_id for f in before.my_families}
        assert any(a.family_id == fv.family_id for a in before.overdue_actions)
        s.retention.close(fv.family_id, "early-help")
    with fv.sign_in("tm") as s:
        first = home.overview(s, today)
        after = home.home_summary(s, today)
        assert fv.family_id not in {f.family_id for f in first.families}  # home: open ones
        assert next(f for f in s.families.all() if f.family_id == fv.family_id).status \
            == "closed"
        assert fv.family_id not in {f.family_id for f in after.my_families}
        assert not any(a.family_id == fv.family_id for a in after.overdue_actions)
        assert fv.family_id not in {c.family_id for c in after.recently_changed}
        assert {c.family_id for c in after.recently_changed} == {fv.other_family_id}


def test_search_still_finds_a_closed_family_and_says_it_is_closed(fv: FamilyVault) -> None:
    """Closed families cost nothing until asked for (decision 0010): search finds a closed
    family by its name and reference, flagged closed, from the family list, without reading
    its members (who are found through their family) or any of its receipts."""
    from workbook.services.home.search import build_index

    with fv.sign_in("tm") as s:
        open_hits = build_index(s).query("smith").hits
        assert any(h.kind == "person" and h.family_id == fv.family_id for h in open_hits)
        s.retention.close(fv.family_id, "early-help")
        reference = next(f.reference for f in s.families.all() if f.family_id == fv.family_id)
    with fv.sign_in("sw1") as s:
        index = build_index(s)
        loaded = s.trust.verified.families_loaded()  # receipts read: open families' only
    hits = index.query("smith").hits
    family = next(h for h in hits if h.kind == "family" and h.family_id == fv.family_id)
    assert family.detail.endswith("closed")
    assert [h.family_id for h in index.query(reference).hits] == [fv.family_id]
    assert not any(h.kind == "person" and h.family_id == fv.family_id for h in hits)
    assert fv.family_id not in loaded and fv.other_family_id in loaded
    assert not any("closed" in h.detail for h in open_hits)


def _stored(s: object, user_id: str) -> bytes | None:
    from workbook.vault import meta

    return meta.get_blob(s.conn, "family_list." + user_id)  # type: ignore[attr-defined]


def test_the_list_kept_for_the_next_sign_in_holds_no_clear_name_and_folds_in_changes(
        fv: FamilyVault) -> None:
    with fv.sign_in("sw1") as s:
        listed = s.families.all()
        sw1 = s.user_id
        blob = _stored(s, sw1)
    assert blob is not None and b"Smith" not in blob and b"family" not in blob
    with fv.sign_in("tm") as tm:
        added = tm.families.add("Brown family", "BR-1")
    with fv.sign_in("sw1") as s:
        again = s.families.all()
    assert {f.family_id for f in again} == {f.family_id for f in listed} | {added}
    assert again == _fresh(fv, "sw1")


def test_a_swapped_forged_or_replayed_stored_list_changes_nothing_shown(
        fv: FamilyVault) -> None:
    """Another person's blob, a flipped byte or an older copy of one's own: each is ignored
    or folded forward, and the list is what a fresh reading gives."""
    from workbook.vault import meta

    with fv.sign_in("tm") as tm:
        tm.families.all()
        tm_id, tm_blob = tm.user_id, _stored(tm, tm.user_id)
    with fv.sign_in("sw1") as s:
        s.families.all()
        sw1 = s.user_id
        old = _stored(s, sw1)
    assert tm_blob is not None and old is not None
    with fv.sign_in("tm") as tm:
        renamed = tm.families.add("Brown family", "BR-1")
    for planted in (tm_blob, old[:-1] + bytes([old[-1] ^ 1]), old):
        with fv.sign_in("tm") as tm:
            meta.put(tm.conn, "family_list." + sw1, planted)
        with fv.sign_in("sw1") as s:
            listed = s.families.all()
        assert renamed in {f.family_id for f in listed}
        assert listed == _fresh(fv, "sw1")
    assert tm_id != sw1


def test_a_disposal_removes_every_stored_list_of_families(fv: FamilyVault) -> None:
    from workbook.vault import retention_store

    with fv.sign_in("sw1") as s:
        s.families.all()
        assert _stored(s, s.user_id) is not None
        with s.write():
            retention_store.delete_family_rows(s.conn, fv.other_family_id)
        assert _stored(s, s.user_id) is None
        listed = s.families.all()
    assert fv.other_family_id not in {f.family_id for f in listed}


def test_receipts_kept_at_sign_out_are_stored_in_one_transaction(fv: FamilyVault) -> None:
    """Sign-out stores the session's new verification receipts outside any use case's
    transaction: as one transaction, not one commit (and fsync) per receipt - which took
    minutes at sign-out after a long session."""
    with fv.sign_in("sw1") as s:
        s.conn.execute("DELETE FROM verification_receipts")
    s = fv.sign_in("sw1")
    with s.write():
        for i in range(50):
            s.families.add_entry(fv.family_id, "case-notes", f"Note {i}", "2026-01-02")
    assert s.trust.verified._new, "the receipts wait for sign-out"
    statements: list[str] = []
    s.conn.set_trace_callback(statements.append)
    s.lock()
    inserts = [i for i, sql in enumerate(statements) if "INTO verification_receipts" in sql]
    begins = [i for i, sql in enumerate(statements) if sql.startswith("BEGIN")]
    commits = [i for i, sql in enumerate(statements) if sql.startswith("COMMIT")]
    assert len(inserts) >= 50
    assert any(b < inserts[0] for b in begins) and any(c > inserts[-1] for c in commits)
    assert not any(inserts[0] < c < inserts[-1] for c in commits)
    with fv.sign_in("sw1") as again:
        stored = again.conn.execute("SELECT count(*) FROM verification_receipts").fetchone()[0]
    assert stored >= 50


def _receipts(s: object, family_id: str) -> int:
    return int(s.conn.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM verification_receipts WHERE family_id = ?", (family_id,)
    ).fetchone()[0])


def test_opening_a_family_stores_its_own_receipts_and_leaves_the_rest_to_sign_out(
        fv: FamilyVault) -> None:
    """A first sign-in verifies every family record for the list; opening one family then
    stores that family's receipts only (the rest wait for sign-out), so the first look does
    not write thousands of other families' receipts (issue 19)."""
    with fv.sign_in("sw1") as s:
        other_before = _receipts(s, fv.other_family_id)
        s.families.all()  # verifies the Jones family's record too
        s.workbooks.open(fv.family_id)
        assert _receipts(s, fv.family_id) > 0
        assert _receipts(s, fv.other_family_id) == other_before
    with fv.sign_in("tm") as s:
        assert _receipts(s, fv.other_family_id) > other_before  # stored at sign-out


def test_a_sign_in_leaves_the_kept_closed_families_unparsed_and_the_list_stays_exact(
        fv: FamilyVault) -> None:
    """Home's first step takes the open families of the kept list; the closed ones stay as
    stored until every family is asked for (issue 19). A closed family reopened meanwhile,
    and one closed meanwhile, come out as a fresh reading has them, and neither is listed
    twice."""
    with fv.sign_in("tm") as s:
        s.retention.close(fv.family_id, "early-help")
    with fv.sign_in("sw1") as s:
        s.families.all()  # kept: Smith closed, Jones open
    with fv.sign_in("tm") as s:
        s.retention.reopen(fv.family_id)
        s.retention.close(fv.other_family_id, "early-help")
    with fv.sign_in("sw1") as s:
        listing = s.families._listing()  # noqa: SLF001 - what was parsed is the point
        opened = [f.family_id for f, _owner in s.families.open_with_owners()]
        assert listing._closed_token is not None  # noqa: SLF001 - not read for home
        assert opened == [fv.family_id]
        listed = s.families.all()
        assert listing._closed_token is None  # noqa: SLF001
        assert s.families.count() == len(listed) == 2
    assert listed == _fresh(fv, "sw1")
    assert {f.family_id: f.status for f in listed} == {fv.family_id: "open",
                                                      fv.other_family_id: "closed"}


def _closed_blob(s: object, user_id: str) -> bytes | None:
    from workbook.vault import meta

    return meta.get_blob(s.conn, "family_list." + user_id + ".closed")  # type: ignore[attr-defined]


def test_home_leaves_the_closed_families_blob_unread_and_an_altered_one_is_read_again(
        fv: FamilyVault) -> None:
    """The closed families are kept in a blob of their own (issue 19): home's first step does
    not read it; when every family is asked for, a flipped, missing or older closed blob is
    noticed and the list is read again from the verified records, exactly as a fresh
    reading gives it."""
    from workbook.vault import meta

    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
    with fv.sign_in("sw1") as s:
        s.families.all()
        sw1 = s.user_id
    with fv.sign_in("sw1") as s:
        older = _closed_blob(s, sw1)  # stored at sign-out
    assert older is not None and b"Jones" not in older
    with fv.sign_in("tm") as s:
        s.retention.close(fv.family_id, "early-help")
    with fv.sign_in("sw1") as s:
        s.families.all()  # both closed now: stored again at sign-out
    with fv.sign_in("sw1") as s:
        kept = _closed_blob(s, sw1)
    assert kept is not None and kept != older
    expected = _fresh(fv, "sw1")
    for planted in (kept[:-1] + bytes([kept[-1] ^ 1]), older, None):
        with fv.sign_in("tm") as tm:
            if planted is None:
                tm.conn.execute("DELETE FROM meta WHERE key = ?",
                                ("family_list." + sw1 + ".closed",))
            else:
                meta.put(tm.conn, "family_list." + sw1 + ".closed", planted)
        with fv.sign_in("sw1") as s:
            reads: list[str] = []
            s.conn.set_trace_callback(reads.append)
            assert s.families.open_with_owners() == []
            assert not any(".closed" in sql for sql in reads)
            assert s.families.all() == expected
            assert any(".closed" in sql for sql in reads)  # read when every family is asked for
            s.conn.set_trace_callback(None)
    assert {f.status for f in expected} == {"closed"}
