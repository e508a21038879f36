"""`workbook concern ...`, `workbook consent ...` and `workbook entry abstract`: concerns
through the six steps of sharing information, consent per person, and abstraction of a
restricted entry into a core section (issue 15)."""

from __future__ import annotations

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import SECTION_LIST, Grammar
from workbook.domain.concerns import LAST_STEP, STEP_TITLES
from workbook.domain.consent import STATUSES
from workbook.domain.display import uk_date
from workbook.services.errors import InvalidInput
from workbook.services.family.concerns import ConcernShown


def add_arguments(grammar: Grammar) -> None:
    concern = grammar.group("concern", "concerns about a person, through the six steps of "
                                       "sharing information")
    p = grammar.sub(concern, "add", "raise a concern about a person of a family")
    p.add_argument("family")
    p.add_argument("--person", required=True, help="the person's id")
    p.add_argument("--section", required=True,
                   help="the section it is kept in (usually your restricted section): "
                        + SECTION_LIST)
    p.add_argument("--text", required=True, help="the concern")
    p = grammar.sub(concern, "step", "record a step of a concern (steps 1 to 6, in order)")
    p.add_argument("concern")
    p.add_argument("--step", required=True, help="the step's number, 1 to 6")
    p.add_argument("--note", default="", help="what was found or decided")
    p.add_argument("--skipped", default="", help="why the step was skipped")
    p = grammar.sub(concern, "show", "a concern and its steps")
    p.add_argument("concern")
    p = grammar.sub(concern, "list", "the concerns of a family that you can read")
    p.add_argument("family")
    p = grammar.sub(concern, "close", "close a concern, with the reason")
    p.add_argument("concern")
    p.add_argument("--reason", required=True)

    consent = grammar.group("consent", "consent to share information, per person")
    p = grammar.sub(consent, "record", "record a person's consent decision")
    p.add_argument("person", help="the person's id")
    p.add_argument("--status", required=True, help=", ".join(STATUSES))
    p.add_argument("--purpose", required=True, help="what the consent is for")
    p.add_argument("--scope", default="", help="which information it covers")
    p.add_argument("--how", default="", help='how it was obtained, e.g. "in person, written"')
    p = grammar.sub(consent, "show", "a person's consent decisions, newest first")
    p.add_argument("person", help="the person's id")

    p = grammar.sub(grammar.groups["entry"], "abstract",
                    "write an abstracted summary of a restricted entry into a core section")
    p.add_argument("entry", help="the restricted entry's id")
    p.add_argument("--to-section", required=True, dest="to_section",
                   help="the core section the summary goes in")
    p.add_argument("--text", required=True, help="the abstracted summary")
    p.add_argument("--concern", default="",
                   help="a concern whose step 6 this completes (an internal share)")


def _step_number(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"the step must be a number from 1 to {LAST_STEP}, not "
                           f"{text[:10]!r}") from None


def _lines(shown: ConcernShown) -> str:
    lines = [f"Concern {shown.id} about {shown.person_name or shown.record.person} "
             f"({shown.state}), raised by {shown.raised_by_name} on "
             f"{uk_date(shown.raised_at)}:", f"  {shown.record.text}"]
    for step in shown.steps():
        what = step["note"] or f"skipped: {step['skipped']}"
        lines.append(f"  {step['step']}. {step['title']} - {step['by_name']}, "
                     f"{uk_date(step['at'])}: {what}")
    if shown.next_step is not None:
        lines.append(f"  Next: step {shown.next_step}, {STEP_TITLES[shown.next_step]}")
    if shown.state == "closed":
        lines.append(f"  Closed: {shown.record.closed_reason}")
    return "\n".join(lines)


def cmd_concern_add(ctx: CliContext) -> None:
    a = ctx.args
    concern_id = ctx.ready_session().concerns.add(a.family, a.person, a.section, a.text)
    ctx.out(concern_id, {"id": concern_id})


def cmd_concern_step(ctx: CliContext) -> None:
    a = ctx.args
    step = _step_number(a.step)
    concerns = ctx.ready_session().concerns
    version = concerns.step(a.concern, step, note=a.note, skipped=a.skipped)
    ctx.out(f"Step {step} recorded.", {"id": a.concern.strip().lower(), "step": step,
                                       "version": version})


def cmd_concern_show(ctx: CliContext) -> None:
    shown = ctx.ready_session().concerns.show(ctx.args.concern)
    ctx.out(_lines(shown), shown.to_json())


def cmd_concern_list(ctx: CliContext) -> None:
    found = ctx.ready_session().concerns.of_family(ctx.args.family)
    ctx.out("\n".join(_lines(c) for c in found) or "No concerns that you can read.",
            [c.to_json() for c in found])


def cmd_concern_close(ctx: CliContext) -> None:
    version = ctx.ready_session().concerns.close(ctx.args.concern, ctx.args.reason)
    ctx.out("Concern closed.", {"id": ctx.args.concern.strip().lower(), "version": version})


def cmd_consent_record(ctx: CliContext) -> None:
    a = ctx.args
    consent_id = ctx.ready_session().consents.record(a.person, a.status, a.purpose, a.scope,
                                                     a.how)
    ctx.out(consent_id, {"id": consent_id})


def cmd_consent_show(ctx: CliContext) -> None:
    found = ctx.ready_session().consents.of_person(ctx.args.person)
    lines = [f"{uk_date(c.at)}  {c.record.status:<9} for {c.record.purpose}"
             + (f" ({c.record.scope})" if c.record.scope else "")
             + f" - recorded by {c.by_name}" + (f", {c.record.how}" if c.record.how else "")
             for c in found]
    ctx.out("\n".join(lines) or "No consent recorded for this person.",
            [c.to_json() for c in found])


def cmd_entry_abstract(ctx: CliContext) -> None:
    a = ctx.args
    done = ctx.ready_session().abstractions.abstract(a.entry, a.to_section, a.text,
                                                     concern_id=a.concern)
    ctx.out(f"{done.entry_id}\n{done.line}", done.to_json())


COMMANDS: dict[str, Handler] = {
    "concern add": cmd_concern_add,
    "concern step": cmd_concern_step,
    "concern show": cmd_concern_show,
    "concern list": cmd_concern_list,
    "concern close": cmd_concern_close,
    "consent record": cmd_consent_record,
    "consent show": cmd_consent_show,
    "entry abstract": cmd_entry_abstract,
}
