"""`workbook print` and `workbook sar`: the file appears only at --out, private, and every bad
argument is refused with one specific line before anything is read or written."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdf_text import whole

from support.vaults import TeamVault
from workbook.cli import main
from workbook.domain.roles import Role
from workbook.vault import audit_log


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(team: TeamVault, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    def go(*argv: str, role: Role = Role.SOCIAL_WORKER) -> Run:
        member = team.member(role)
        monkeypatch.setenv("WORKBOOK_VAULT", str(team.path))
        monkeypatch.setenv("WORKBOOK_USER", member.username)
        monkeypatch.setenv("WORKBOOK_PASSPHRASE", member.passphrase)
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return go


def _refused(result: Run, words: str) -> None:
    assert result.code != 0, result
    lines = [line for line in result.err.splitlines()
             if not line.startswith("workbook: notice: ")]  # first sign-in announcements
    assert len(lines) == 1 and lines[0].startswith("workbook: error: "), result
    assert words in lines[0], result
    assert "Traceback" not in result.err


def _events(team: TeamVault, event: str) -> list[audit_log.AuditRow]:
    with team.session(Role.TEAM_MANAGER) as s:
        return [r for r in audit_log.rows(s.conn) if r.event == event]


def test_print_writes_only_the_chosen_file(run, team: TeamVault, tmp_path: Path) -> None:  # noqa: ANN001
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "visit.pdf"
    result = run("print", team.families["a"], "--kind", "home-visit", "--out", str(target),
                 "--leave-out", "chronology,contacts", "--json")
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["file"] == str(target) and data["pages"] >= 1
    assert data["left_out"] == ["chronology", "contacts"]
    assert sorted(os.listdir(out_dir)) == ["visit.pdf"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = whole(target.read_bytes())
    assert team.find("entry:home-visit-safety").text in text
    assert team.find("entry:police").text not in text
    rows = _events(team, "save_pdf")
    assert len(rows) == 1 and rows[0].ids["document"] == "home-visit"


def test_case_summary_and_sar(run, team: TeamVault, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("print", team.families["a"], "--kind", "case-summary", "--out",
                 str(tmp_path / "case.pdf"), role=Role.POLICE)
    assert result.code == 0, result
    assert "saved to" in result.out
    assert team.find("entry:police").text in whole((tmp_path / "case.pdf").read_bytes())
    person = team.find("person:a").record_id
    result = run("sar", person, "--out", str(tmp_path / "sar.pdf"), "--redact-third-parties")
    assert result.code == 0, result
    assert team.find("person:a").text in whole((tmp_path / "sar.pdf").read_bytes())
    rows = _events(team, "subject_access")
    assert len(rows) == 1 and rows[0].ids["redacted"] is True


def test_sar_redacts_without_the_old_flag(run, team: TeamVault, tmp_path: Path) -> None:  # noqa: ANN001
    """Redaction is the default: the old flag is still accepted and changes nothing."""
    person = team.find("person:a").record_id
    texts = []
    for name, extra in (("plain.pdf", ()), ("flag.pdf", ("--redact-third-parties",))):
        result = run("sar", person, "--out", str(tmp_path / name), *extra, "--json")
        assert result.code == 0, result
        assert '"redacted": true' in result.out
        texts.append(whole((tmp_path / name).read_bytes()))
    for text in texts:
        assert "replaced by a mark in brackets" in " ".join(text.split())
        assert "Withheld (for the reviewer)" in text
    rows = _events(team, "subject_access")
    assert [r.ids["redacted"] for r in rows] == [True, True]


@pytest.mark.parametrize(("extra", "words"), [
    (["--kind", "minutes"], "unknown document kind 'minutes'"),
    (["--kind", "home-visit", "--leave-out", "pets"], "unknown part 'pets'"),
    (["--kind", "case-summary", "--leave-out", "contacts"], "unknown part 'contacts'"),
    (["--kind", "home-visit", "--leave-out", "plan,,safety"], "empty part"),
    (["--kind", "case-summary", "--leave-out",
      "household,genogram,assessment,risk,plan,chronology"], "nothing to print"),
])
def test_bad_kinds_and_parts_are_refused(run, team: TeamVault, tmp_path: Path,  # noqa: ANN001
                                         extra: list[str], words: str) -> None:
    target = tmp_path / "x.pdf"
    _refused(run("print", team.families["a"], "--out", str(target), *extra), words)
    assert not target.exists()


def test_bad_output_paths_are_refused(run, team: TeamVault, tmp_path: Path) -> None:  # noqa: ANN001
    family = team.families["a"]
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"keep me")
    cases = [
        (str(tmp_path), "it is a folder"),
        (str(tmp_path / "missing" / "x.pdf"), "does not exist"),
        (str(existing), "already exists"),
        ("", "needs a file name"),
    ]
    for out, words in cases:
        _refused(run("print", family, "--kind", "home-visit", "--out", out), words)
        _refused(run("sar", team.find("person:a").record_id, "--out", out), words)
    assert existing.read_bytes() == b"keep me"
    assert sorted(os.listdir(tmp_path)) == ["old.pdf", "vault"]
    assert _events(team, "save_pdf") == [] and _events(team, "subject_access") == []


def test_unknown_family_or_person_and_the_administrator(run, team: TeamVault,  # noqa: ANN001
                                                        tmp_path: Path) -> None:
    target = str(tmp_path / "x.pdf")
    _refused(run("print", "0" * 32, "--kind", "case-summary", "--out", target), "no family")
    _refused(run("print", "not an id", "--kind", "case-summary", "--out", target), "family id")
    _refused(run("sar", team.families["a"], "--out", target), "no person")
    _refused(run("print", team.families["a"], "--kind", "case-summary", "--out", target,
                 role=Role.ADMIN), "administrator")
    assert not Path(target).exists()


def test_missing_arguments_are_usage_errors(run, team: TeamVault, tmp_path: Path) -> None:  # noqa: ANN001
    result = run("print", team.families["a"], "--out", str(tmp_path / "x.pdf"))
    assert result.code == 2 and "--kind" in result.err
    result = run("sar", team.find("person:a").record_id)
    assert result.code == 2 and "--out" in result.err
