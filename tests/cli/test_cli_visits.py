"""`workbook entry add --type visit --time --child-seen --with --present` (issue 16): `show
--json` carries "time", "child_seen" and "with" on such entries only; bad input is refused in one
line and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from cli_harness import Cli


def _entries(cli: Cli) -> list[dict[str, Any]]:
    shown = cli.ok("show", cli.t.family_id, "--json").json()
    return shown["sections"]["case-notes"]["entries"]


def test_a_joint_visit_with_the_child_seen_alone(cli: Cli) -> None:
    added = cli.ok("entry", "add", cli.t.family_id, "--section", "case-notes", "--text",
                   "Home visit: Kai spoken to in his room.", "--date", "2026-03-02",
                   "--type", "visit", "--time", "14:30", "--child-seen", "alone",
                   "--with", "police", "--present", "Mother, Kai", "--json").json()
    (entry,) = [e for e in _entries(cli) if e["id"] == added["id"]]
    assert (entry["type"], entry["time"], entry["child_seen"], entry["with"],
            entry["present"]) == ("visit", "14:30", "alone", "police", "Mother, Kai")
    others = [e for e in _entries(cli) if e["id"] != added["id"]]
    assert others and not any({"time", "child_seen", "with"} & set(e) for e in others)


BAD = [
    (("--type", "visit", "--time", "25:00"), "hours run from 00 to 23"),
    (("--type", "visit", "--time", "half two"), "not in the form HH:MM"),
    (("--type", "visit", "--child-seen", "maybe"), "yes, no or alone"),
    (("--type", "note", "--child-seen", "yes"), "for a visit only"),
    (("--type", "visit", "--with", "x" * 101), "too long"),
]


@pytest.mark.parametrize(("argv", "expect"), BAD, ids=[b[1] for b in BAD])
def test_bad_visit_input_changes_nothing(cli: Cli, baseline: dict[str, Any],
                                         argv: tuple[str, ...], expect: str) -> None:
    result = cli.fails("entry", "add", cli.t.family_id, "--section", "case-notes", "--text",
                       "Visit", *argv)
    assert expect in result.err
    assert cli.state() == baseline
