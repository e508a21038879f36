"""A person's first sign-in leaves unread the closed families a supervisor attested, reading
nothing of them (issue 19; services/upkeep/closing_attestations.py, crypto.md C35); a family
changed since is read; and an attestation planted, altered, malformed, or by someone who may
not close a family now, changes nothing a person is shown: its families go the log's way."""

from __future__ import annotations

import json

import pytest

from support.family_vault import FamilyVault
from workbook.domain.roles import Role
from workbook.services.session import Session
from workbook.services.upkeep import closing_attestations, retention_log
from workbook.services.upkeep.closing_attestations import (
    ATTESTATIONS,
    ATTESTED,
    attestation_message,
    one_by_one_message,
)
from workbook.vault import retention_store, version_store
from workbook.vault.retention_store import LogEntry


@pytest.fixture
def one_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vault has two families: attest from one new closing (the product waits for 64)."""
    monkeypatch.setattr(closing_attestations, "AT_LEAST", 1)


def _forget_kept_lists_and_receipts(fv: FamilyVault) -> None:
    """Every person's next sign-in is a fresh reading with no receipt of a closing: a first
    sign-in, as far as closings go."""
    with fv.sign_in("tm") as s:
        s.conn.execute("DELETE FROM meta WHERE key LIKE 'family\\_list.%' ESCAPE '\\'")
        s.conn.execute("DELETE FROM verification_receipts WHERE kind = ?",
                       (retention_log.CLOSING_RECEIPTS,))


def _checked(s: Session, family_id: str) -> bool:
    """Whether this sign-in checked the family's closing signature (Trust's own record of
    what it verified)."""
    closings = {bytes(r[0]) for r in s.conn.execute(
        "SELECT signature FROM retention_log WHERE family_id = ? AND kind = 'closed'",
        (family_id,))}
    return any(probe[1] in closings for probe in s.trust._checked)


def _first_sign_in(fv: FamilyVault, who: str = "sw1") -> tuple[list[str], bool, dict[str, str]]:
    """`who`'s fresh reading: home's families, whether it read anything of Jones (its log
    entries, headers or closing signature), and every family's status once all are asked for."""
    _forget_kept_lists_and_receipts(fv)
    with fv.sign_in(who) as s:
        reads: list[str] = []
        s.conn.set_trace_callback(reads.append)
        home = [f.family_id for f, _owner in s.families.open_with_owners()]
        s.conn.set_trace_callback(None)
        read = _checked(s, fv.other_family_id) or any(fv.other_family_id in q for q in reads)
        listed = {f.family_id: f.status for f in s.families.all()}
    return home, read, listed


def _user_id(fv: FamilyVault, username: str) -> str:
    with fv.sign_in(username) as s:
        return s.user_id


def _attestations(fv: FamilyVault) -> list[LogEntry]:
    with fv.sign_in("tm") as s:
        return retention_store.log_of(s.conn, ATTESTATIONS)


def _jones_closed_and_attested(fv: FamilyVault, by: str = "tm") -> None:
    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
    home, read, _listed = _first_sign_in(fv, by)  # `by`'s fresh reading; sign-out attests
    assert home == [fv.family_id] and read


def test_a_supervisors_fresh_reading_attests_and_a_first_sign_in_reads_nothing_of_it(
        fv: FamilyVault, one_is_enough: None) -> None:
    _jones_closed_and_attested(fv)
    [attestation] = _attestations(fv)
    assert attestation.kind == ATTESTED and attestation.body["by"] == _user_id(fv, "tm")
    assert attestation.body["closed"] == [[_user_id(fv, "tm"), 2, [fv.other_family_id]]]
    assert "families" not in attestation.body  # the first form's closings are not named
    home, read, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and not read
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}
    with fv.sign_in("sw1") as s:  # nor does sw1 keep receipts of closings attested
        assert s.conn.execute("SELECT count(*) FROM verification_receipts WHERE kind = ?",
                              (retention_log.CLOSING_RECEIPTS,)).fetchone()[0] == 0
    _first_sign_in(fv, "tm")  # a later fresh reading has nothing new to attest
    assert len(_attestations(fv)) == 1


def _closing_receipts_read(fv: FamilyVault, who: str = "sw1") -> bool:
    """Whether `who`'s fresh reading of home's families asked for the receipts of closings."""
    _forget_kept_lists_and_receipts(fv)
    with fv.sign_in(who) as s:
        reads: list[str] = []
        s.conn.set_trace_callback(reads.append)
        s.families.open_with_owners()
        s.conn.set_trace_callback(None)
    return any("verification_receipts" in q and retention_log.CLOSING_RECEIPTS in q
               for q in reads)


def test_a_first_sign_in_reads_the_receipts_of_closings_only_to_check_a_closing(
        fv: FamilyVault, one_is_enough: None) -> None:
    """Every closing attested and the family open now never closed: no closing is checked,
    so every person's receipts of ten years' closings stay unread. Smith closed and
    reopened: its closing is checked, with the receipts."""
    _jones_closed_and_attested(fv)
    assert not _closing_receipts_read(fv)
    with fv.sign_in("tm") as s:
        s.retention.close(fv.family_id, "early-help")
        s.retention.reopen(fv.family_id)
    assert _closing_receipts_read(fv)


def test_fewer_closings_than_the_threshold_and_a_social_worker_attest_nothing(
        fv: FamilyVault, monkeypatch: pytest.MonkeyPatch) -> None:
    assert closing_attestations.AT_LEAST == 64
    _jones_closed_and_attested(fv)  # one closing: below 64
    assert _attestations(fv) == []
    monkeypatch.setattr(closing_attestations, "AT_LEAST", 1)
    _first_sign_in(fv, "sw1")  # sw1 may not close a family
    assert _attestations(fv) == []


FORMS = ["grouped", "one by one"]


def _body(s: Session, form: str, closer: str, records: int, families: list[str]) -> bytes:
    """An attestation's body in `form`: as Workbook writes it now, or in the first form (each
    family with its closing; here a made-up closing id, which nothing checks)."""
    said: object = ([[closer, records, families]] if form == "grouped"
                    else {f: ["0" * 64, closer, records] for f in families})
    key = "closed" if form == "grouped" else "families"
    return json.dumps({"by": s.user_id, "at": s.now(), key: said}).encode()


def _signed(s: Session, body: bytes, label_of: str | None = None) -> bytes:
    """Signed by `s` under the label of its form (or of `label_of`'s)."""
    grouped = (label_of or ("grouped" if b'"closed"' in body else "one by one")) == "grouped"
    message = attestation_message if grouped else one_by_one_message
    return s.require_certified().sign(message(s.vault_id, body))


def _only_attestation(s: Session, body: bytes, signature: bytes | None = None) -> None:
    s.conn.execute("DELETE FROM retention_log WHERE family_id = ?", (ATTESTATIONS,))
    retention_store.put_raw_log_entry(s.conn, signature or _signed(s, body), ATTESTATIONS,
                                      ATTESTED, body.decode("utf-8", "replace"))


@pytest.mark.parametrize("form", FORMS)
def test_an_attestation_by_someone_who_may_not_close_a_family_hides_nothing(
        fv: FamilyVault, form: str) -> None:
    """As the attacker, signed in as a social worker: an attestation that Smith is closed, in
    tm's name as its closer, signed by sw1, whose keys are trusted but who may not close."""
    tm = _user_id(fv, "tm")
    with fv.sign_in("sw1") as s:
        _only_attestation(s, _body(s, form, tm, 1, [fv.family_id, fv.other_family_id]))
    home, _read, listed = _first_sign_in(fv)
    assert set(home) == {fv.family_id, fv.other_family_id}
    assert listed == {fv.family_id: "open", fv.other_family_id: "open"}


def test_an_attestation_in_the_first_form_is_still_believed(
        fv: FamilyVault, one_is_enough: None) -> None:
    """A vault kept by an earlier Workbook holds attestations naming each family with its
    closing: believed as they were, and not made again in the grouped form."""
    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
        count = version_store.counts_of_kind(s.conn, "family")[fv.other_family_id]
        _only_attestation(s, _body(s, "one by one", s.user_id, count, [fv.other_family_id]))
    home, read, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and not read
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}
    _first_sign_in(fv, "tm")  # tm's fresh reading finds it said already
    assert [sorted(a.body) for a in _attestations(fv)] == [["at", "by", "families"]]


@pytest.mark.parametrize("form", FORMS)
def test_an_attestation_signed_under_the_other_forms_label_is_not_believed(
        fv: FamilyVault, one_is_enough: None, form: str) -> None:
    """Each form is signed under its own label: a body is read only in the form it was
    signed in, so no signature made for one form stands for a body of the other."""
    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
        count = version_store.counts_of_kind(s.conn, "family")[fv.other_family_id]
        body = _body(s, form, s.user_id, count, [fv.other_family_id])
        other = "one by one" if form == "grouped" else "grouped"
        _only_attestation(s, body, _signed(s, body, label_of=other))
    home, read, listed = _first_sign_in(fv, "pc1")
    assert home == [fv.family_id] and read  # Jones went the log's way
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


@pytest.mark.parametrize("form", FORMS)
def test_an_altered_attestation_is_not_believed(
        fv: FamilyVault, one_is_enough: None, form: str) -> None:
    """As the attacker: tm's genuine attestation (as Workbook writes it, or in the first
    form) with Smith added to it by SQL."""
    _jones_closed_and_attested(fv)
    if form == "one by one":
        with fv.sign_in("tm") as s:
            _only_attestation(s, _body(s, form, s.user_id, 2, [fv.other_family_id]))
    with fv.sign_in("sw1") as s:
        [(signature, _kind, body)] = retention_store.raw_log_of(s.conn, ATTESTATIONS)
        found = json.loads(body)
        if form == "grouped":
            found["closed"].append([found["closed"][0][0], 1, [fv.family_id]])
        else:
            found["families"][fv.family_id] = list(found["families"][fv.other_family_id])
            found["families"][fv.family_id][2] = 1
        s.conn.execute("UPDATE retention_log SET body = ? WHERE signature = ?",
                       (json.dumps(found, sort_keys=True, separators=(",", ":")), signature))
    home, read, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and read  # Jones went the log's way
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


def test_a_family_changed_since_its_attestation_is_read(
        fv: FamilyVault, one_is_enough: None) -> None:
    """Reopened after tm attested its closing: its family record has a version more, so the
    attestation no longer speaks for it; closed again by tm, the log's way finds it closed."""
    _jones_closed_and_attested(fv)
    with fv.sign_in("tm") as s:
        s.retention.reopen(fv.other_family_id)
    home, read, listed = _first_sign_in(fv)
    assert set(home) == {fv.family_id, fv.other_family_id} and read
    assert listed == {fv.family_id: "open", fv.other_family_id: "open"}
    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
    home, read, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and read
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


def test_an_attestation_counts_while_its_signer_may_close_a_family(
        fv: FamilyVault, one_is_enough: None) -> None:
    """A senior social worker's attestation stands for what they may do now: once they are a
    social worker again, the families it names go the log's way."""
    with fv.sign_in("tm") as s:
        s.accounts.set_role("sw1", Role.SENIOR_SOCIAL_WORKER.value)
    _jones_closed_and_attested(fv, "sw1")
    assert [a.body["by"] for a in _attestations(fv)] == [_user_id(fv, "sw1")]
    _home, read, _listed = _first_sign_in(fv, "pc1")
    assert not read
    with fv.sign_in("tm") as s:
        s.accounts.set_role("sw1", Role.SOCIAL_WORKER.value)
    home, read, listed = _first_sign_in(fv, "pc1")
    assert read and home == [fv.family_id]
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


@pytest.mark.parametrize("body", [
    b"not json",
    b"[1, 2]",
    b'{"by": 7, "families": {}}',
    b'{"by": "TM", "families": []}',
    b'{"by": "TM", "families": {"JONES": ["x", "TM"]}}',
    b'{"by": "TM", "families": {"JONES": ["x", "TM", "2"]}}',
    b'{"by": "TM", "families": {"JONES": ["x", "TM", true]}}',
    b'{"by": "TM", "families": {"JONES": [7, "TM", COUNT]}}',
    b'{"by": "TM", "families": {"JONES": ["x", null, COUNT]}}',
    b'{"by": "TM", "families": {"JONES": ["x", "TM", COUNT, "more"]}}',
    b'{"by": "TM", "families": {"JONES": {"records": COUNT}}}',
    b'\xff\xfe',
    b'{"by": "TM", "closed": {}}',
    b'{"by": "TM", "closed": [["TM", COUNT]]}',
    b'{"by": "TM", "closed": [["TM", "2", ["JONES"]]]}',
    b'{"by": "TM", "closed": [["TM", true, ["JONES"]]]}',
    b'{"by": "TM", "closed": [[null, COUNT, ["JONES"]]]}',
    b'{"by": "TM", "closed": [["TM", COUNT, "JONES"]]}',
    b'{"by": "TM", "closed": [["TM", COUNT, [["JONES"]]]]}',
    b'{"by": "TM", "closed": [["TM", COUNT, ["JONES", 7]]]}',
    b'{"by": "TM", "closed": [["TM", COUNT, ["JONES"]], "more"]}',
    b'{"by": "TM", "closed": [["TM", COUNT, ["JONES"], "more"]]}',
    b'{"by": "TM", "closed": [["TM", COUNT, ["JONES"]]], "families": {}}',
    b'{"by": ["TM"], "closed": [["TM", COUNT, ["JONES"]]]}',
])
def test_a_malformed_attestation_is_skipped_without_an_error(
        fv: FamilyVault, one_is_enough: None, body: bytes) -> None:
    """Each signed by tm as it stands, under its form's label, so only its shape is wrong
    (in the grouped form, one wrong part leaves the whole attestation unread)."""
    _jones_closed_and_attested(fv)
    with fv.sign_in("tm") as s:
        count = version_store.counts_of_kind(s.conn, "family")[fv.other_family_id]
        body = body.replace(b"TM", s.user_id.encode()).replace(
            b"JONES", fv.other_family_id.encode()).replace(b"COUNT", str(count).encode())
        s.conn.execute("DELETE FROM retention_log WHERE family_id = ?", (ATTESTATIONS,))
        s.conn.execute("INSERT INTO retention_log (signature, family_id, kind, body) "
                       "VALUES (?, ?, ?, ?)", (_signed(s, body), ATTESTATIONS, ATTESTED, body))
    home, read, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and read
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


@pytest.mark.parametrize("form", FORMS)
def test_an_attestation_naming_a_closer_who_may_not_close_a_family_hides_nothing(
        fv: FamilyVault, one_is_enough: None, form: str) -> None:
    """Signed by the team manager, who may close families, with the family record's count as
    it stands, but naming a social worker as the closer: the family goes the log's way."""
    _jones_closed_and_attested(fv)
    sw1 = _user_id(fv, "sw1")
    with fv.sign_in("tm") as s:
        count = version_store.counts_of_kind(s.conn, "family")[fv.other_family_id]
        _only_attestation(s, _body(s, form, sw1, count, [fv.other_family_id]))
    home, read, listed = _first_sign_in(fv, "pc1")
    assert read and home == [fv.family_id]
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


def test_families_closed_since_the_attestation_go_the_logs_way_alone(
        fv: FamilyVault, one_is_enough: None) -> None:
    """With most families attested, the log and headers are read for the others only, and a
    family closed after the attestation is still found closed."""
    with fv.sign_in("tm") as s:
        extra = [s.families.add(f"Family {n}", f"REF-{n}") for n in range(3)]
        for family_id in (fv.other_family_id, *extra[:2]):
            s.retention.close(family_id, "early-help")
    _first_sign_in(fv, "tm")  # attests Jones and the first two
    with fv.sign_in("tm") as s:
        s.retention.close(extra[2], "early-help")
    _forget_kept_lists_and_receipts(fv)
    with fv.sign_in("sw1") as s:
        reads: list[str] = []
        s.conn.set_trace_callback(reads.append)
        home = [f.family_id for f, _owner in s.families.open_with_owners()]
        s.conn.set_trace_callback(None)
        assert home == [fv.family_id]
        assert any(extra[2] in q and "retention_log" in q for q in reads)
        assert not any(fv.other_family_id in q for q in reads)
        listed = {f.family_id: f.status for f in s.families.all()}
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed", extra[0]: "closed",
                      extra[1]: "closed", extra[2]: "closed"}
