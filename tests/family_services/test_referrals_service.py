"""The front door (issue 15): a referral is recorded as it arrived, has 24 hours for its
triage decision, and the decision links it to a family or opens one. Real vault, real keys,
real policy; the session clock is fixed so that "overdue" is decided by the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support.family_vault import PASSPHRASES, FamilyVault
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import InvalidInput, NotFound, NotPermitted, WorkbookError
from workbook.services.home.overview import home_summary
from workbook.services.home.search import build_index
from workbook.services.session import Session
from workbook.services.supervision.board import board
from workbook.vault import version_store

# 2026-12-02 10:00 in London is 10:00 UTC (winter time).
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
POLICE_CONCERN = "Officers attended a domestic incident; intelligence held on the partner"


def _in(fv: FamilyVault, user: str, at: datetime = NOW) -> Session:
    return sign_in(fv.path, user, PASSPHRASES[user], clock=lambda: at)


def _add(session: Session, received: str = "2026-12-02 09:30", **changes: object) -> str:
    fields: dict[str, object] = {
        "received": received, "source": "school", "concern": "Child arrived with bruising",
        "people": ["Zoë Smith|2015-03-02", "Anna Smith|1985-06-01"], "referrer": "Head teacher"}
    fields.update(changes)
    return session.referrals.add(**fields).referral_id  # type: ignore[arg-type]


def _versions(session: Session) -> int:
    return int(session.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def test_a_referral_has_24_hours_and_is_overdue_after_them(fv: FamilyVault) -> None:
    with _in(fv, "sw1") as sw:
        added = sw.referrals.add(received="2026-12-01 09:30", source="police",
                                 concern="Found alone at night", people=["Leo Park|"])
        assert added.respond_by == "2026-12-02T09:30:00+00:00"
        [shown] = sw.referrals.all()
        assert shown.to_json()["received"] == "2026-12-01T09:30:00+00:00"
        assert (shown.state, shown.overdue, shown.time_left) == ("open", True, "Overdue by 30 min")
        assert shown.record.people[0] == {"name": "Leo Park", "dob": ""}
        assert shown.recorded_by == "Sam Worker"
    with _in(fv, "sw1", NOW - timedelta(hours=5)) as sw:
        [shown] = sw.referrals.all()
        assert (shown.overdue, shown.time_left) == (False, "4 h 30 min left")


def test_summer_time_is_read_as_uk_time_and_24_elapsed_hours(fv: FamilyVault) -> None:
    with _in(fv, "sw1") as sw:
        added = sw.referrals.add(received="2026-06-01 09:30", source="health",
                                 concern="Missed appointments", people=["Leo Park"])
        assert added.respond_by == "2026-06-02T09:30:00+01:00"


def test_deciding_opens_a_new_family_with_the_people_and_tells_where_it_came_from(
        fv: FamilyVault) -> None:
    with _in(fv, "sw1") as sw:
        rid = _add(sw, people=["Leo Park|2019-04-05", "Maya Park"])
        families_before = len(sw.families.all())
        family_id = sw.referrals.decide(rid, outcome="child-in-need", reason="Needs a plan",
                                        new_family_name="Park family")
        assert len(sw.families.all()) == families_before + 1
        book = sw.workbooks.open(family_id).to_json()
        persons = {(p["name"], p["dob"])
                   for p in book["sections"]["household"]["persons"]}
        assert persons == {("Leo Park", "2019-04-05"), ("Maya Park", "")}
        [entry] = book["sections"]["referral-assessment"]["entries"]
        text = entry["text"]
        assert "Referral received 02/12/2026 09:30 from school (Head teacher)" in text
        assert "Child in need (section 17), by Sam Worker. Reason: Needs a plan" in text
        assert entry["date"] == "2026-12-02"
        shown = sw.referrals.show(rid)
        data = shown.to_json()
        assert (data["state"], data["outcome"], data["family_id"], data["decided_by"]) == (
            "decided", "child-in-need", family_id, "Sam Worker")
        assert not shown.overdue and shown.time_left == "Decided"


def test_deciding_links_to_a_family_the_duplicate_search_proposes(fv: FamilyVault) -> None:
    with _in(fv, "sw1") as sw:
        rid = _add(sw)
        candidates = sw.referrals.candidates(sw.referrals.show(rid))
        assert {(c.family_id, c.name) for c in candidates} == {
            (fv.family_id, "Zoë Smith"), (fv.family_id, "Anna Smith")}
        assert sw.referrals.decide(rid, outcome="strategy-discussion", reason="Injury seen",
                                   family_id=fv.family_id) == fv.family_id
        entries = sw.workbooks.open(fv.family_id).to_json()["sections"][
            "referral-assessment"]["entries"]
        assert any("Strategy discussion (section 47)" in e["text"] for e in entries)


@pytest.mark.parametrize(("received", "expect"), [
    ("2026-12-03 09:30", "in the future"),
    ("01/12/2026 09:30", "YYYY-MM-DD HH:MM"),
    ("2026-12-01", "YYYY-MM-DD HH:MM"),
    ("2026-02-30 09:30", "not a real date"),
    ("2026-12-01 25:00", "not a real date"),
])
def test_a_bad_received_time_is_refused_and_nothing_is_stored(
        fv: FamilyVault, received: str, expect: str) -> None:
    with _in(fv, "sw1") as sw:
        before = _versions(sw)
        with pytest.raises(WorkbookError, match=expect):
            _add(sw, received)
        assert _versions(sw) == before


@pytest.mark.parametrize(("changes", "expect"), [
    ({"people": []}, "at least one"),
    ({"people": ["a|b|c"]}, "NAME|DOB"),
    ({"people": ["Leo|05/04/2019"]}, "YYYY-MM-DD"),
    ({"people": ["|2019-04-05"]}, "must not be empty"),
    ({"source": " "}, "must not be empty"),
    ({"concern": ""}, "must not be empty"),
    ({"section": "plan"}, "neither"),
    ({"section": "nowhere"}, "unknown section"),
])
def test_bad_referral_fields_are_refused(fv: FamilyVault, changes: dict[str, object],
                                         expect: str) -> None:
    with _in(fv, "sw1") as sw:
        before = _versions(sw)
        with pytest.raises(WorkbookError, match=expect):
            _add(sw, **changes)
        assert _versions(sw) == before


@pytest.mark.parametrize(("kwargs", "error", "expect"), [
    ({"outcome": "lock-them-up", "family_id": "SMITH"}, WorkbookError, "unknown outcome"),
    ({"outcome": "nfa", "reason": " ", "family_id": "SMITH"}, InvalidInput, "must not be"),
    ({"outcome": "nfa"}, InvalidInput, "not both or neither"),
    ({"outcome": "nfa", "family_id": "SMITH", "new_family_name": "New"}, InvalidInput,
     "not both or neither"),
    ({"outcome": "nfa", "family_id": "0" * 32}, NotFound, "no family"),
    ({"outcome": "nfa", "new_family_name": ""}, InvalidInput, "must not be empty"),
])
def test_a_bad_decision_is_refused_and_changes_nothing(
        fv: FamilyVault, kwargs: dict[str, str], error: type[Exception], expect: str) -> None:
    with _in(fv, "sw1") as sw:
        rid = _add(sw)
        before = (_versions(sw), sw.referrals.show(rid).to_json())
        args = {"reason": "Seen", **kwargs}
        if args.get("family_id") == "SMITH":
            args["family_id"] = fv.family_id
        with pytest.raises(error, match=expect):
            sw.referrals.decide(rid, **args)
        assert (_versions(sw), sw.referrals.show(rid).to_json()) == before


def test_a_decided_referral_is_not_decided_again(fv: FamilyVault) -> None:
    with _in(fv, "sw1") as sw:
        rid = _add(sw)
        sw.referrals.decide(rid, outcome="nfa", reason="Explained", family_id=fv.family_id)
        before = _versions(sw)
        with pytest.raises(InvalidInput, match="already decided .*No further action, by Sam "
                                               "Worker on 02/12/2026"):
            sw.referrals.decide(rid, outcome="early-help", reason="Again",
                                new_family_name="Other")
        with pytest.raises(NotFound, match="no referral"):
            sw.referrals.decide("f" * 32, outcome="nfa", reason="x", family_id=fv.family_id)
        assert _versions(sw) == before


def test_who_decides_and_who_adds(fv: FamilyVault) -> None:
    with _in(fv, "pc1") as pc:
        rid = _add(pc)  # any practitioner who writes case records adds one
        before = _versions(pc)
        with pytest.raises(NotPermitted, match="triage decision"):
            pc.referrals.decide(rid, outcome="nfa", reason="x", family_id=fv.family_id)
        assert _versions(pc) == before
    with _in(fv, "tm") as tm:
        assert tm.referrals.decide(rid, outcome="nfa", reason="x", family_id=fv.family_id)


def test_a_referral_sealed_to_police_is_read_by_police_alone_and_audited(
        fv: FamilyVault) -> None:
    with _in(fv, "pc1") as pc:
        rid = _add(pc, concern=POLICE_CONCERN, section="police")
    with _in(fv, "sw1") as sw:
        assert [r.referral_id for r in sw.referrals.all()] == []
        with pytest.raises(NotFound):
            sw.referrals.show(rid)
    with _in(fv, "pc1") as pc:
        [shown] = pc.referrals.all()
        assert (shown.section, shown.record.concern) == ("police", POLICE_CONCERN)
    with _in(fv, "tm") as tm:  # the manager holds no police key
        reads = [r for r in tm.audit_trail.events() if r["event"] == "section_read"
                 and r["ids"].get("referral") == rid]
        assert len(reads) == 1
        assert tm.referrals.all() == []
        raw = b"".join(bytes(r[0]) for r in tm.conn.execute("SELECT body FROM versions"))
        assert POLICE_CONCERN.encode() not in raw


def test_a_referral_is_never_taken_for_a_family(fv: FamilyVault) -> None:
    with _in(fv, "tm") as tm:
        families = [f.family_id for f in tm.families.all()]
        home = home_summary(tm)
        rid = _add(tm)
        decided = _add(tm, people=["Leo Park"])
        tm.referrals.decide(decided, outcome="nfa", reason="x", new_family_name="Park family")
        after = [f.family_id for f in tm.families.all()]
        assert rid not in after and decided not in after
        assert len(after) == len(families) + 1
        assert {f.family_id for f in home_summary(tm).my_families} - {
            f.family_id for f in home.my_families} <= set(after)
        assert tm.retention.review(include_not_due=True) is not None
        with pytest.raises(NotFound, match="no family"):
            tm.workbooks.open(rid)
        with pytest.raises(NotFound):
            tm.families.add_entry(rid, "case-notes", "not a family")
        report = tm.audit_trail.verify()
        assert report.ok, report
        assert version_store.count_families(tm.conn) == len(after)
        hits = build_index(tm).query("Leo Park").hits
        assert hits and {h.family_id for h in hits} <= set(after)
        shown = board(tm)
        assert {f.family_id for f in shown.due_families} <= set(after)
        assert {t.family_id for t in shown.time_limits} <= set(after)
