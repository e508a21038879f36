"""Issue 4's speed figure: the supervisor's board for 2,000 families and 20,000 plan actions
(target under 300 ms).

On a working copy of the shared fixture (2,000 families x 50 records, 4 of them plan actions),
the owner adds 6 more actions per family through the real services - 20,000 in all, about a
quarter of them overdue and a tenth done - plus a signed-off supervision review for every
other family, an assessment completion for one family in five (half of them referred) and an
urgent concern on one family in ten. Then the board is read as the team manager and as the
social worker. The board comes from each person's encrypted digest
(services/supervision/board_digest.py): - the very first read ever (no digest yet: every head the
  board needs is decrypted and verified, and the digest built and stored);
- the first read after sign-in of a person who has read it before (the digest is decrypted
  and nothing new folded in; median of 3 sign-ins);
- the first read after sign-in when colleagues have added versions since (those are folded in);
- a read again with nothing changed, and a read right after adding one action.
Run alone with `.venv/bin/python bench/bench_supervision.py`."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import common
from common import Row, repeat, say, stopwatch
from workbook.domain.ids import new_id
from workbook.domain.roles import Section
from workbook.services.access.sign_in import sign_in
from workbook.services.family import milestones
from workbook.services.session import Session
from workbook.services.supervision.board import board
from workbook.vault import board_digest_store, version_store

EXTRA_ACTIONS = 6
TARGET_MS = 300.0
RUNS = 5
TODAY = date(2026, 3, 2)
OTHERS_ADD = 100
SIGN_INS = 3  # first reads are measured once per sign-in


def _populate(work: common.Path) -> tuple[int, float]:
    rng = random.Random(4)
    clock = common.StepClock(datetime(2026, 3, 2, 6, tzinfo=UTC))
    owners = ["tm", "sw1", "pc1"]
    with stopwatch() as took, sign_in(work, "tm", common.PASSPHRASES["tm"],
                                      clock=clock) as tm:
        families = version_store.all_family_ids(tm.conn)
        with tm.write():
            for number, fid in enumerate(families):
                for _ in range(EXTRA_ACTIONS):
                    due = TODAY + timedelta(days=rng.randint(-90, 60))
                    tm.families.add_action(fid, "Follow up with the school", rng.choice(owners),
                                           due.isoformat())
                if number % 2 == 0:
                    held = TODAY - timedelta(days=rng.randint(1, 40))
                    tm.records.write(
                        family_id=fid, record_id=new_id(), kind="review",
                        section=Section.SUPERVISION.value,
                        payload={"text": "Group supervision", "date": held.isoformat(),
                                 "status": "final", "session": "0" * 32, "scaling": 5,
                                 "next_review": (held + timedelta(days=30)).isoformat()})
                if number % 5 == 0:
                    done = TODAY - timedelta(days=rng.randint(1, 20))
                    milestones.record_assessment_completed(tm, fid, done.isoformat())
                    if number % 10 == 0:
                        milestones.record_referral(tm, fid, TODAY.isoformat())
                if number % 10 == 3:
                    note = tm.families.add_entry(fid, "case-notes", "Concern raised by school")
                    milestones.mark_urgent(tm, note)
        actions = len(list(version_store.of_kind(tm.conn, "action")))
    return actions, took[0]


def _others_add(work: common.Path, count: int) -> None:
    """A colleague (pc1) adds `count` plan actions while the reader is signed out."""
    with sign_in(work, "pc1", common.PASSPHRASES["pc1"]) as pc, pc.write():
        families = version_store.all_family_ids(pc.conn)
        for number in range(count):
            pc.families.add_action(families[number * 7 % len(families)], "Police check",
                                   "pc1", "2026-02-20")


def run() -> list[Row]:
    fx, work = common.prepare("supervision")
    say("bench_supervision: adding actions, reviews and time limits ...")
    actions, seconds = _populate(work)
    rows = [Row(f"setup: {fx.families:,} families, {actions:,} action versions added to the "
                "fixture", seconds, "s", note="real services, one transaction")]
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    for user in ("tm", "sw1"):
        with sign_in(work, user, common.PASSPHRASES[user]) as session:
            rebuild = repeat(lambda session=session: board(session, now), 1)
            size = len(board_digest_store.load(session.conn, session.user_id) or b"")
        first = common.Timing()
        for _ in range(SIGN_INS):
            with sign_in(work, user, common.PASSPHRASES[user]) as session:
                first.samples.extend(repeat(lambda session=session: board(session, now),
                                            1).samples)
        with sign_in(work, user, common.PASSPHRASES[user]) as session:
            board(session, now)
            result = board(session, now)
            warm = repeat(lambda session=session: board(session, now), RUNS)
            family = result.due_families[0].family_id

            def after_change(session: Session = session, family: str = family) -> None:
                session.families.add_action(family, "Ring the school", "tm", "2026-03-01")
                board(session, now)

            changed = repeat(after_change, RUNS)
            add_only = repeat(lambda session=session, family=family: session.families.add_action(
                family, "Ring the school", "tm", "2026-03-01"), RUNS)
        caught_up = common.Timing()
        for _ in range(SIGN_INS):
            _others_add(work, OTHERS_ADD)
            with sign_in(work, user, common.PASSPHRASES[user]) as session:
                caught_up.samples.extend(repeat(lambda session=session: board(session, now),
                                                1).samples)
        say(f"  {user}: {len(result.due_families)} due, {len(result.overdue_actions)} overdue, "
            f"{len(result.time_limits)} running limits; digest {size / 1e6:.1f} MB")
        rows.append(Row(f"board as {user}: very first read (no digest yet: the rebuild)",
                        rebuild.median_ms,
                        note=f"decrypts and verifies every head it needs; stores a "
                             f"{size / 1e6:.1f} MB digest"))
        rows.append(Row(f"board as {user}: first read after sign-in",
                        first.median_ms, target=TARGET_MS,
                        note=f"{len(result.overdue_actions):,} overdue actions, "
                             f"{len(result.time_limits):,} running time limits; decrypts "
                             "the digest, nothing new to fold in; " + first.spread()))
        rows.append(Row(f"board as {user}: first read after sign-in, {OTHERS_ADD} versions "
                        "added by others since", caught_up.median_ms, target=TARGET_MS,
                        note="folds in (decrypts, verifies) only the new versions; "
                             + caught_up.spread()))
        rows.append(Row(f"board as {user}: read again, nothing changed", warm.median_ms,
                        target=TARGET_MS, note=warm.spread()))
        rows.append(Row(f"board as {user}: add an action, then read again",
                        changed.median_ms, target=TARGET_MS,
                        note="includes the add (one signed, audited write); " + changed.spread()))
        rows.append(Row(f"  of which the add alone ({user})", add_only.median_ms,
                        note=add_only.spread()))
    return rows


if __name__ == "__main__":
    common.print_table(run(), "Supervision board")
