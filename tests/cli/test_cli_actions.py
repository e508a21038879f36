"""`workbook action done|cancel|reassign|redate` (issue 14, item 3): each works, bad input is
one clear line that changes nothing, and a person who may not change the action is refused."""

from __future__ import annotations

import pytest
from cli_harness import Cli


def test_reassign_by_name_redate_and_done(cli: Cli) -> None:
    action = cli.t.action_id
    given = cli.ok("action", "reassign", action, "--owner", "sam worker", "--json").json()
    assert (given["owner"], given["owner_name"]) == ("sw1", "Sam Worker")
    assert cli.ok("action", "redate", action, "--due", "2026-06-01").line == "Action re-dated."
    # sw1 owns it now, and marks it done.
    assert cli.ok("action", "done", action, user="sw1").line == "Action done."
    shown = cli.ok("show", cli.t.family_id, "--json").json()
    action_json = next(a for a in shown["sections"]["plan"]["actions"] if a["id"] == action)
    assert (action_json["owner"], action_json["due"], action_json["status"]) == (
        "sw1", "2026-06-01", "done")


def test_cancel_keeps_the_reason(cli: Cli) -> None:
    action = cli.t.action_id
    assert cli.ok("action", "cancel", action, "--reason", "Review moved to the conference"
                  ).line == "Action cancelled."
    shown = cli.ok("show", cli.t.family_id, "--json").json()
    action_json = next(a for a in shown["sections"]["plan"]["actions"] if a["id"] == action)
    assert action_json["cancel_reason"] == "Review moved to the conference"


@pytest.mark.parametrize(("argv", "user", "expect"), [
    (("cancel", "{a}", "--reason", "  "), "tm", "reason for cancelling must not be empty"),
    (("reassign", "{a}", "--owner", "Nobody Here"), "tm", "no active colleague"),
    (("reassign", "{a}", "--owner", "admin"), "tm", "no active colleague"),
    (("redate", "{a}", "--due", "31/02/2026"), "tm", "not a date in the form YYYY-MM-DD"),
    (("done", "0" * 32), "tm", "no plan action"),
    (("done", "not-an-id"), "tm", "action id"),
    (("done", "{a}"), "pc1", "action's owner, the family's case owner or a supervisor"),
    (("redate", "{a}", "--due", "2026-07-01"), "pc1", "action's owner, the family's case"),
])
def test_bad_input_and_refusals_are_one_line_and_change_nothing(
        cli: Cli, argv: tuple[str, ...], user: str, expect: str) -> None:
    before = cli.state()
    result = cli.fails("action", *(a.replace("{a}", cli.t.action_id) for a in argv), user=user)
    assert expect in result.err, result
    assert cli.state() == before
