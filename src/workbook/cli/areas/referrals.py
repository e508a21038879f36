"""`workbook referral add|list|show|decide`: the front door, where a referral (contact) is
recorded as it arrives and decided within 24 hours (issue 15). The JSON shapes are contracts:
fields may be added, never renamed or dropped."""

from __future__ import annotations

from typing import Any

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.domain.display import uk_date
from workbook.domain.referrals import OUTCOMES, shown_time
from workbook.services.clock import civil_zone
from workbook.services.errors import InvalidInput
from workbook.services.front_door.referrals import ReferralShown


def add_arguments(grammar: Grammar) -> None:
    referral = grammar.group("referral", "the front door: referrals and their triage")
    p = grammar.sub(referral, "add", "record a referral as it arrived (decide within 24 hours)")
    p.add_argument("--received", required=True,
                   help='when it arrived, "YYYY-MM-DD HH:MM" (UK time)')
    p.add_argument("--source", required=True, help="the agency it came from, e.g. police")
    p.add_argument("--referrer", default="", help="who referred (name and role)")
    p.add_argument("--concern", required=True, help="what the referrer saw or heard")
    p.add_argument("--person", action="append", default=[], metavar="NAME|DOB",
                   help='a child or adult named, "NAME|YYYY-MM-DD" (the date of birth may be '
                        "left out); repeat for each")
    p.add_argument("--section", default="",
                   help="seal a referral about a restricted matter to that section (e.g. "
                        "police); by default it is kept in referral-assessment")
    grammar.sub(referral, "list", "every referral you may read, with its 24-hour limit")
    p = grammar.sub(referral, "show", "one referral, and the families that may know its people")
    p.add_argument("referral")
    p = grammar.sub(referral, "decide", "the triage decision: link to a family or open one")
    p.add_argument("referral")
    p.add_argument("--outcome", required=True, help=", ".join(OUTCOMES))
    p.add_argument("--reason", required=True)
    p.add_argument("--family", default="", help="link the referral to this existing family")
    p.add_argument("--new-family", action="store_true", dest="new_family",
                   help="open a new family workbook with the people named (needs --name)")
    p.add_argument("--name", default="", help="the new family's name")


def cmd_referral_add(ctx: CliContext) -> None:
    a = ctx.args
    added = ctx.ready_session().referrals.add(
        received=a.received, source=a.source, referrer=a.referrer, concern=a.concern,
        people=list(a.person), section=a.section)
    ctx.out(f"{added.referral_id}  decide by {_when(added.respond_by)}",
            {"id": added.referral_id, "respond_by": added.respond_by})


def cmd_referral_list(ctx: CliContext) -> None:
    shown = ctx.ready_session().referrals.all()
    lines = [f"{r.referral_id}  received {_when(r.record.received)}  {r.record.source:<12} "
             f"{_state(r)}" for r in shown]
    ctx.out("\n".join(lines) or "No referrals.", [r.to_json() for r in shown])


def cmd_referral_show(ctx: CliContext) -> None:
    referrals = ctx.ready_session().referrals
    shown = referrals.show(ctx.args.referral)
    candidates = referrals.candidates(shown) if shown.state == "open" else []
    data = shown.to_json()
    data["candidates"] = [{"family_id": c.family_id, "family_name": c.family_name,
                           "person_id": c.person_id, "name": c.name, "dob": c.dob}
                          for c in candidates]
    ctx.out(_human(shown, data), data)


def cmd_referral_decide(ctx: CliContext) -> None:
    a = ctx.args
    if a.name and not a.new_family:
        raise InvalidInput("--name names a new family: give it with --new-family")
    family_id = ctx.ready_session().referrals.decide(
        a.referral, outcome=a.outcome, reason=a.reason, family_id=a.family,
        new_family_name=a.name if a.new_family else None)
    ctx.out(family_id, {"family_id": family_id})


def _when(value: str) -> str:
    return shown_time(value, civil_zone())


def _state(r: ReferralShown) -> str:
    if r.state == "decided":
        return f"decided: {OUTCOMES.get(r.to_json()['outcome'], '')}"
    return f"waiting: {r.time_left}"


def _human(r: ReferralShown, data: dict[str, Any]) -> str:
    lines = [f"Referral {r.referral_id}",
             f"  Received:   {_when(r.record.received)} from {r.record.source}"
             + (f" ({r.record.referrer})" if r.record.referrer else ""),
             f"  Decide by:  {_when(r.record.respond_by)} ({_state(r)})",
             f"  Concern:    {r.record.concern}",
             "  People:     " + "; ".join(p["name"] + (f" (born {uk_date(p['dob'])})"
                                                     if p["dob"] else "")
                                          for p in data["people"])]
    if r.state == "decided":
        lines.append(f"  Decision:   {OUTCOMES.get(data['outcome'], '')} by {r.decided_by} "
                     f"on {_when(data['decided_at'])}: {data['reason']}")
        lines.append(f"  Family:     {data['family_id']}")
    for c in data["candidates"]:
        lines.append(f"  May be known: {c['name']} (born {uk_date(c['dob'])}) in "
                     f"{c['family_name']} ({c['family_id']})")
    return "\n".join(lines)


COMMANDS: dict[str, Handler] = {
    "referral add": cmd_referral_add,
    "referral list": cmd_referral_list,
    "referral show": cmd_referral_show,
    "referral decide": cmd_referral_decide,
}
