"""A value of the wrong type in any column (issue 12, adversary A5): refused, never a crash.

SQLite columns are not STRICT, so a holder of the database key can store text in a BLOB
column, a blob in a TEXT column or text in an INTEGER column. Workbook used to convert cells
with `bytes(...)`, `int(...)` and `str(...)`, so such a row made sign-in, `audit verify` or
opening a family fail with TypeError/ValueError ("unexpected internal error"). Every read now
goes through vault/cells.py: the row is refused with one line naming the table and column
(RowMalformed, a VaultDamaged), or shown as tampering when a family is opened. Each case
plants the value with the attacker's own SQLCipher connection, sees the refusal, puts the
right value back and sees everything work again with nothing stored changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support import vaults
from support.attacker import attacker_db as raw_db
from support.attacker import database_key
from workbook.domain.roles import Role
from workbook.services.errors import TamperingDetected
from workbook.vault import version_store
from workbook.vault.database import Connection, RowMalformed, VaultDamaged

WRONG = "holds a value of the wrong type in"
ALTERED = "the vault was altered outside Workbook"


@pytest.fixture(scope="module")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")


def table_rows(conn: Connection, table: str, upto: int | None = None) -> list[tuple[Any, ...]]:
    """The table's rows; for the audit log only events up to `upto` (signing in appends its
    own honest events, which are not what the refusal must leave alone)."""
    if upto is not None:
        return conn.execute(f'SELECT * FROM "{table}" WHERE seq <= ? ORDER BY seq',
                            (upto,)).fetchall()
    return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


# --- what is refused, and how ----------------------------------------------------------------
def refused_at_sign_in(team: vaults.TeamVault) -> str:
    with pytest.raises((VaultDamaged, TamperingDetected)) as caught:
        team.sign_in(team.owner).lock()
    return str(caught.value)


def signs_in(team: vaults.TeamVault) -> None:
    with team.session(team.owner):
        pass


def refused_by_verify(team: vaults.TeamVault) -> str:
    with team.session(team.owner) as s:
        report = s.audit_trail.verify()
    assert not report.ok
    return report.problem


def verifies(team: vaults.TeamVault) -> None:
    with team.session(team.owner) as s:
        report = s.audit_trail.verify()
    assert report.ok, report.problem


def refused_at_open(team: vaults.TeamVault) -> str:
    with team.session(team.owner) as s, pytest.raises(TamperingDetected) as caught:
        s.workbooks.open(team.families["a"])
    return str(caught.value)


def opens(team: vaults.TeamVault) -> None:
    with team.session(team.owner) as s:
        s.workbooks.open(team.families["a"])


@dataclass(frozen=True)
class Case:
    table: str
    column: str
    where: str  # picks the row the attacker changes (a parameter: family "a"'s id, if any)
    wrong: Any
    refused: Any  # (team) -> the refusal's one line
    works: Any  # (team) -> None: the honest action, once the right value is back

    @property
    def id(self) -> str:
        return f"{self.table}.{self.column}={type(self.wrong).__name__}"


FIRST = "rowid = (SELECT min(rowid) FROM {table})"
NEWEST = "rowid = (SELECT max(rowid) FROM {table})"
# One of the owner's own grants: the blob that owner's sign-in opens. (Another person's grant
# is read by nobody's sign-in but its holder's: rotation reads the holders, not the blobs.)
OWNERS_GRANT = ("rowid = (SELECT min(rowid) FROM section_grants WHERE holder = "
                "(SELECT user_id FROM users WHERE is_owner = 1))")
ENTRY_OF_A = ("version_id = (SELECT version_id FROM versions WHERE family_id = ? "
              "AND kind = 'entry' ORDER BY version_id LIMIT 1)")
CASES = [
    Case("section_epochs", "prev_wrapped", FIRST, "x", refused_at_sign_in, signs_in),
    Case("section_epochs", "prev_signature", NEWEST, "x", refused_at_sign_in, signs_in),
    Case("section_epochs", "public_keys", FIRST, "x" * 40, refused_at_sign_in, signs_in),
    Case("section_grants", "epoch", FIRST, "not a number", refused_at_sign_in, signs_in),
    Case("section_grants", "sealed", OWNERS_GRANT, "x", refused_at_sign_in, signs_in),
    Case("user_certs", "public_keys", FIRST, "x", refused_at_sign_in, signs_in),
    Case("user_certs", "signature", NEWEST, "x", refused_at_sign_in, signs_in),
    Case("membership", "signature", FIRST, "x", refused_at_sign_in, signs_in),
    Case("membership", "epoch", NEWEST, "x", refused_at_sign_in, signs_in),
    Case("policy_versions", "signature", FIRST, "x", refused_at_sign_in, signs_in),
    Case("meta", "value", "key = 'audit_seed'", "x" * 32, refused_at_sign_in, signs_in),
    Case("audit", "signature", "seq = 2", "x", refused_by_verify, verifies),
    Case("audit", "hash", "seq = 3", "x", refused_by_verify, verifies),
    Case("audit", "detail", "seq = 2", 7, refused_by_verify, verifies),
    Case("versions", "body", ENTRY_OF_A, "x", refused_at_open, opens),
    Case("versions", "parents", ENTRY_OF_A, b"[]", refused_at_open, opens),
    Case("versions", "epoch", ENTRY_OF_A, "x", refused_at_open, opens),
    Case("versions", "sealed", ENTRY_OF_A, "x", refused_at_open, opens),
    Case("verification_receipts", "receipt", "(the owner's first receipt for family a)", "x",
         refused_at_open, opens),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_value_of_the_wrong_type_is_refused_naming_it(team: vaults.TeamVault,
                                                        case: Case) -> None:
    key = database_key(team)
    where = case.where.format(table=case.table)
    params: tuple[Any, ...] = (team.families["a"],) if "?" in where else ()
    if case.table == "verification_receipts":
        # WITHOUT ROWID: the first receipt of family "a" by its primary key.
        where, params = ("family_id = ? AND receipt = (SELECT min(receipt) FROM "
                         "verification_receipts WHERE family_id = ?)",
                         (team.families["a"], team.families["a"]))
        opens(team)  # the owner's receipts for family "a" exist once it was opened
    with raw_db(team, key) as conn:
        original = conn.execute(f"SELECT {case.column} FROM {case.table} WHERE {where}",
                                params).fetchall()
        assert len(original) == 1, f"the case picks no single row of {case.table}"
        upto = (conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
                if case.table == "audit" else None)
        before = table_rows(conn, case.table, upto)
        conn.execute(f"UPDATE {case.table} SET {case.column} = ? WHERE {where}",
                     (case.wrong, *params))
        assert conn.execute(f"SELECT typeof({case.column}) FROM {case.table} WHERE {where}",
                            params).fetchone()[0] != _sqlite_type(original[0][0])

    line = case.refused(team)
    column = "value of 'audit_seed'" if case.table == "meta" else case.column
    assert f"a row of {case.table} {WRONG} {column}: {ALTERED}" in line, line
    assert "\n" not in line
    assert repr(case.wrong) not in line  # the cell's content is never in the message

    with raw_db(team, key) as conn:
        conn.execute(f"UPDATE {case.table} SET {case.column} = ? WHERE {where}",
                     (original[0][0], *params))
        assert table_rows(conn, case.table, upto) == before, \
            "the refusal changed what was stored"
    case.works(team)


def _sqlite_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bytes: "blob", str: "text", int: "integer", float: "real"}[type(value)]


def test_a_disposal_row_with_a_wrong_type_is_refused_not_a_crash(
        team: vaults.TeamVault) -> None:
    """An unsigned tombstone planted with text in version_count: writing to the family reads
    it and is refused naming the column (it used to be ValueError from int())."""
    key = database_key(team)
    family = team.families["a"]
    sig = b"s" * 64
    with raw_db(team, key) as conn:
        conn.execute(
            "INSERT INTO disposals (family_id, family_type, closed_at, dispose_after, "
            "proposed_by, proposed_at, proposal_signature, confirmed_by, disposed_at, "
            "version_count, versions_digest, signature) "
            "VALUES (?, 'early-help', 'a', 'b', 'c', 'd', ?, 'e', 'f', 'many', ?, ?)",
            (family, sig, b"d" * 32, sig))
    writer = team.member(Role.SOCIAL_WORKER)
    with team.session(writer) as s, pytest.raises(VaultDamaged) as caught:
        s.families.add_entry(family, "case-notes", vaults.marker("after"), "2026-02-01")
    assert str(caught.value) == (f"a row of disposals {WRONG} version_count: {ALTERED}")
    with raw_db(team, key) as conn:
        conn.execute("DELETE FROM disposals WHERE family_id = ?", (family,))
    with team.session(writer) as s:
        s.families.add_entry(family, "case-notes", vaults.marker("after"), "2026-02-01")


def test_the_cell_readers_accept_exactly_the_intended_storage_class() -> None:
    from workbook.vault import cells

    assert cells.blob(b"k", "t", "c") == b"k"
    assert cells.blob(memoryview(b"k"), "t", "c") == b"k"
    assert cells.text("x", "t", "c") == "x"
    assert cells.integer(3, "t", "c") == 3
    assert cells.flag(1, "t", "c") is True
    assert cells.blob_or_none(None, "t", "c") is None
    for reader, wrong in [(cells.blob, "k"), (cells.blob, 1), (cells.blob, None),
                          (cells.text, b"x"), (cells.text, 1), (cells.text, None),
                          (cells.integer, "3"), (cells.integer, 3.0), (cells.integer, True),
                          (cells.integer, None), (cells.flag, 2), (cells.flag, "1"),
                          (cells.integer_or_none, "x"), (cells.text_or_none, b"x")]:
        with pytest.raises(VaultDamaged) as caught:
            reader(wrong, "versions", "body")
        assert str(caught.value) == f"a row of versions {WRONG} body: {ALTERED}"


def test_a_family_id_of_the_wrong_type_is_refused_when_family_records_are_counted(
        team: vaults.TeamVault) -> None:
    """A fresh reading counts every family's record versions in one pass of an index
    (closing attestations, issue 19): a family id stored as a blob is refused as damage,
    named by its table and column, not counted under some other key."""
    family = team.families["a"]
    where = ("version_id = (SELECT version_id FROM versions WHERE family_id = ? "
             "AND kind = 'family' ORDER BY version_id LIMIT 1)")
    with raw_db(team, database_key(team)) as conn:
        honest = version_store.counts_of_kind(conn, "family")
        version = conn.execute(f"SELECT version_id FROM versions WHERE {where}",
                               (family,)).fetchone()[0]
        conn.execute("UPDATE versions SET family_id = ? WHERE version_id = ?",
                     (family.encode(), version))
        with pytest.raises(RowMalformed) as caught:
            version_store.counts_of_kind(conn, "family")
        assert f"a row of versions {WRONG} family_id" in str(caught.value)
        conn.execute("UPDATE versions SET family_id = ? WHERE version_id = ?",
                     (family, version))
        assert version_store.counts_of_kind(conn, "family") == honest
