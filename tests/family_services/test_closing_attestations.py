"""A person's first sign-in checks the closings a supervisor attested by the attestation's one
signature, not each closing's (issue 19; services/upkeep/closing_attestations.py, C23), and an
attestation planted, altered, or by someone who may not close a family now, changes nothing a
person is shown: its closings are checked one by one, as before."""

from __future__ import annotations

import json
import os

import pytest

from support.family_vault import FamilyVault
from workbook.crypto.encoding import b64, unb64
from workbook.domain.roles import Role
from workbook.services.session import Session
from workbook.services.upkeep import closing_attestations, retention_log
from workbook.services.upkeep.closing_attestations import (
    ATTESTATIONS,
    ATTESTED,
    attestation_message,
)
from workbook.vault import retention_store
from workbook.vault.retention_store import LogEntry, RetentionRow


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
    row = s.conn.execute("SELECT signature FROM retention_log WHERE family_id = ? AND "
                         "kind = 'closed'", (family_id,)).fetchone()
    return row is not None and any(probe[1] == bytes(row[0]) for probe in s.trust._checked)


def _first_sign_in(fv: FamilyVault, who: str = "sw1") -> tuple[list[str], bool, dict[str, str]]:
    """`who`'s fresh reading: home's families, whether Jones's closing signature was checked,
    and every family's status once all are asked for."""
    _forget_kept_lists_and_receipts(fv)
    with fv.sign_in(who) as s:
        home = [f.family_id for f, _owner in s.families.open_with_owners()]
        checked = _checked(s, fv.other_family_id)
        listed = {f.family_id: f.status for f in s.families.all()}
    return home, checked, listed


def _user_id(fv: FamilyVault, username: str) -> str:
    with fv.sign_in(username) as s:
        return s.user_id


def _attestations(fv: FamilyVault) -> list[LogEntry]:
    with fv.sign_in("tm") as s:
        return retention_store.log_of(s.conn, ATTESTATIONS)


def _jones_closed_and_attested(fv: FamilyVault, by: str = "tm") -> None:
    with fv.sign_in("tm") as s:
        s.retention.close(fv.other_family_id, "early-help")
    home, checked, _listed = _first_sign_in(fv, by)  # `by`'s fresh reading; sign-out attests
    assert home == [fv.family_id] and checked


def test_a_supervisors_fresh_reading_attests_and_a_first_sign_in_checks_no_closing(
        fv: FamilyVault, one_is_enough: None) -> None:
    _jones_closed_and_attested(fv)
    [attestation] = _attestations(fv)
    assert attestation.kind == ATTESTED and attestation.body["by"] == _user_id(fv, "tm")
    home, checked, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and not checked
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}
    with fv.sign_in("sw1") as s:  # nor does sw1 keep receipts of closings attested
        assert s.conn.execute("SELECT count(*) FROM verification_receipts WHERE kind = ?",
                              (retention_log.CLOSING_RECEIPTS,)).fetchone()[0] == 0
    _first_sign_in(fv, "tm")  # a later fresh reading has nothing new to attest
    assert len(_attestations(fv)) == 1


def test_fewer_closings_than_the_threshold_and_a_social_worker_attest_nothing(
        fv: FamilyVault, monkeypatch: pytest.MonkeyPatch) -> None:
    assert closing_attestations.AT_LEAST == 64
    _jones_closed_and_attested(fv)  # one closing: below 64
    assert _attestations(fv) == []
    monkeypatch.setattr(closing_attestations, "AT_LEAST", 1)
    _first_sign_in(fv, "sw1")  # sw1 may not close a family
    assert _attestations(fv) == []


def _forged_closing_of_smith(s: Session, fv: FamilyVault) -> bytes:
    """A closing of Smith in tm's name (who may close it), dated at Smith's newest version so
    its headers alone would not tell, with a signature tm never made. Returns its id."""
    now = s.conn.execute("SELECT max(created_at) FROM versions WHERE family_id = ? AND "
                         "kind = 'family'", (fv.family_id,)).fetchone()[0]
    row = RetentionRow(fv.family_id, "early-help", now, "2040-01-01", _user_id(fv, "tm"),
                       os.urandom(64))
    retention_store.put_log_entry(s.conn, retention_log.closed(row))
    return bytes.fromhex(retention_log.closing_id(
        retention_log.closing_message(s.vault_id, row), row.signature))


def _attest_as(s: Session, closings: bytes) -> None:
    at = s.now()
    retention_store.put_log_entry(s.conn, LogEntry(
        ATTESTATIONS, ATTESTED, {"by": s.user_id, "at": at, "closings": b64(closings)},
        s.require_certified().sign(attestation_message(s.vault_id, s.user_id, at, closings))))


def test_an_attestation_by_someone_who_may_not_close_a_family_hides_nothing(
        fv: FamilyVault) -> None:
    """As the attacker, signed in as a social worker: a forged closing of Smith and a
    genuine attestation of it by sw1, whose keys are trusted but who may not close a family."""
    with fv.sign_in("sw1") as s:
        _attest_as(s, _forged_closing_of_smith(s, fv))
    home, _checked_jones, listed = _first_sign_in(fv)
    assert set(home) == {fv.family_id, fv.other_family_id}
    assert listed == {fv.family_id: "open", fv.other_family_id: "open"}


def test_an_altered_attestation_is_not_believed(fv: FamilyVault, one_is_enough: None) -> None:
    """As the attacker: tm's genuine attestation with a forged closing's id added by SQL."""
    _jones_closed_and_attested(fv)
    with fv.sign_in("sw1") as s:
        forged = _forged_closing_of_smith(s, fv)
        [attestation] = retention_store.log_of(s.conn, ATTESTATIONS)
        body = dict(attestation.body,
                    closings=b64(unb64(attestation.body["closings"]) + forged))
        s.conn.execute("UPDATE retention_log SET body = ? WHERE family_id = ?",
                       (json.dumps(body, sort_keys=True), ATTESTATIONS))
    home, checked, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and checked  # Jones's closing checked on its own
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


def test_an_attestation_counts_while_its_signer_may_close_a_family(
        fv: FamilyVault, one_is_enough: None) -> None:
    """A senior social worker's attestation stands for what they may do now: once they are a
    social worker again, the closings it names are checked one by one."""
    with fv.sign_in("tm") as s:
        s.accounts.set_role("sw1", Role.SENIOR_SOCIAL_WORKER.value)
    _jones_closed_and_attested(fv, "sw1")
    assert [a.body["by"] for a in _attestations(fv)] == [_user_id(fv, "sw1")]
    _home, checked, _listed = _first_sign_in(fv, "pc1")
    assert not checked
    with fv.sign_in("tm") as s:
        s.accounts.set_role("sw1", Role.SOCIAL_WORKER.value)
    home, checked, listed = _first_sign_in(fv, "pc1")
    assert checked and home == [fv.family_id]
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}


@pytest.mark.parametrize("body", [
    {"by": 7, "at": "x", "closings": ""},
    {"at": "2026-01-01", "closings": "AAAA"},
    {"by": "tm", "at": "2026-01-01", "closings": "not base64 at all!"},
    {"by": "tm", "at": "2026-01-01", "closings": b64(b"short")},
])
def test_a_malformed_attestation_is_skipped_without_an_error(
        fv: FamilyVault, one_is_enough: None, body: dict[str, object]) -> None:
    _jones_closed_and_attested(fv)
    with fv.sign_in("tm") as s:
        if body.get("by") == "tm":
            body = dict(body, by=s.user_id)
        s.conn.execute("DELETE FROM retention_log WHERE family_id = ?", (ATTESTATIONS,))
        retention_store.put_log_entry(s.conn, LogEntry(ATTESTATIONS, ATTESTED, body,
                                                       os.urandom(64)))
    home, checked, listed = _first_sign_in(fv)
    assert home == [fv.family_id] and checked
    assert listed == {fv.family_id: "open", fv.other_family_id: "closed"}
