"""The supervision commands: the supervisor's board, group supervision sessions and their
minutes, the working-days region, and the records that start and stop time limits
(assessment completed, referral, urgent concern and its response, closing a plan action)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from workbook.cli.context import CliContext, Handler
from workbook.cli.grammar import Grammar
from workbook.domain.referrals import shown_time
from workbook.domain.working_days import REGIONS
from workbook.services.clock import civil_zone
from workbook.services.errors import InvalidInput
from workbook.services.family import milestones, plan_actions, time_limits
from workbook.services.family.families import ACTION_STATUSES
from workbook.services.files import save_private
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.board import board

REGION_LIST = "one of " + ", ".join(REGIONS)


def add_arguments(grammar: Grammar) -> None:
    _add_supervision_group(grammar)
    _add_clock_records(grammar)


def _add_supervision_group(grammar: Grammar) -> None:
    sub = grammar.sub
    sup = grammar.group("supervision", "monthly group supervision, the board and time limits")
    sub(sup, "board", "families due for review, overdue actions, time limits, caseloads")
    p = sub(sup, "region", "show or set the bank-holiday region time limits count in")
    p.add_argument("region", nargs="?", default=None, help=REGION_LIST)
    sub(sup, "list", "supervision sessions, newest first")
    p = sub(sup, "start", "start a session; its agenda is the families due for review")
    p.add_argument("--date", required=True, dest="held_on", help="YYYY-MM-DD")
    p.add_argument("--attendee", action="append", default=[], dest="attendees",
                   help="an attendee's username (repeat for each)")
    p.add_argument("--family", action="append", default=None, dest="families",
                   help="set the agenda yourself (repeat for each family id)")
    p = sub(sup, "show", "a session: attendees, agenda and the reviews so far")
    p.add_argument("session")
    p = sub(sup, "add", "put any family on a session's agenda")
    p.add_argument("session")
    p.add_argument("family")
    p = sub(sup, "order", "reorder a session's agenda")
    p.add_argument("session")
    p.add_argument("families", nargs="+", help="every family id on the agenda, in order")
    p = sub(sup, "review", "record a family's review in a session (a draft until finished)")
    p.add_argument("session")
    p.add_argument("family")
    p.add_argument("--summary", required=True)
    p.add_argument("--working-well", default="")
    p.add_argument("--worried", default="", help="what we are worried about")
    p.add_argument("--decisions", default="", help="what needs to happen")
    p.add_argument("--scaling", required=True, help="0-10")
    p.add_argument("--next-review", required=True, help="YYYY-MM-DD")
    p.add_argument("--action", action="append", default=[], dest="actions",
                   help="an action as 'TEXT|OWNER|YYYY-MM-DD' (repeat for each)")
    p.add_argument("--new-case-owner", default="", metavar="USERNAME",
                   help="appoint this colleague case owner when the session is signed off")
    p = sub(sup, "finish", "finish a session: its reviews become final, signed off by you")
    p.add_argument("session")
    p = sub(sup, "minutes", "the session's minutes as a PDF")
    p.add_argument("session")
    p.add_argument("--out", required=True, help="the PDF file to write (must not exist)")


def _add_clock_records(grammar: Grammar) -> None:
    """Commands in the core's groups that record what starts or stops a time limit."""
    sub = grammar.sub
    fam = grammar.groups["family"]
    p = sub(fam, "assessment", "record that a family's assessment was completed")
    p.add_argument("family")
    p.add_argument("--completed", required=True, help="YYYY-MM-DD")
    p.add_argument("--note", default="")
    for name, about in (
            ("referred", "record the family's referral to the safeguarding team"),
            ("channel-exit", "record exit from Channel (reviews due 6 and 12 months later)"),
            ("channel-review", "record a review held after exit from Channel")):
        p = sub(fam, name, about)
        p.add_argument("family")
        p.add_argument("--on", required=True, help="YYYY-MM-DD")
        p.add_argument("--note", default="")

    entry = grammar.groups["entry"]
    p = sub(entry, "urgent", "mark an entry as an urgent concern (response due in 24 hours)")
    p.add_argument("entry")
    p = sub(entry, "respond", "record the response to an urgent concern")
    p.add_argument("entry")
    p.add_argument("--text", required=True)

    action = grammar.groups["action"]
    p = sub(action, "status", "mark a plan action done, cancelled or open again")
    p.add_argument("action_id", metavar="ACTION")
    p.add_argument("status", help=", ".join(ACTION_STATUSES))


# --- the board and the region -------------------------------------------------------------
def cmd_board(ctx: CliContext) -> None:
    session = ctx.ready_session()
    result = board(session)
    referrals = session.referrals.for_board()
    zone = civil_zone()
    lines = [f"Board for {result.today} (review month ends {result.month_end}; "
             f"bank holidays of {result.region})"]
    if result.note:
        lines.append(result.note)
    lines.append(f"\nDue for review ({len(result.due_families)}):")
    lines += [f"  {f.family_id}  {f.name}  last {f.last_reviewed or 'never'}  "
              f"next {f.next_review or '-'}  ({f.case_owner})" for f in result.due_families]
    lines.append(f"\nOverdue actions ({len(result.overdue_actions)}):")
    lines += [f"  {a.owner:<16} due {a.due} ({a.days_overdue} days)  {a.family_name}: {a.text}"
              for a in result.overdue_actions]
    lines.append("\nTime limits at risk or breached:")
    lines += [f"  {t.state:<9} {t.limit:<16} due {t.due}  {t.family_name}"
              for t in result.at_risk_or_breached]
    lines.append("\nCaseload:")
    lines += [f"  {c.worker:<16} {c.families}" for c in result.caseload]
    lines.append(f"\nReferrals waiting for a decision ({len(referrals)}):")
    lines += [f"  {r['id']}  received {shown_time(r['received'], zone)}  respond by "
              f"{shown_time(r['respond_by'], zone)}{'  OVERDUE' if r['overdue'] else ''}  "
              f"{r['source']}" for r in referrals]
    ctx.out("\n".join(lines), {**result.to_json(), "referrals": referrals})


def cmd_region(ctx: CliContext) -> None:
    session = ctx.ready_session()
    if ctx.args.region is None:
        current = time_limits.region(session)
    else:
        current = time_limits.set_region(session, ctx.args.region)
    ctx.out(f"Working days skip weekends and the bank holidays of {current}.",
            {"region": current})


# --- sessions -----------------------------------------------------------------------------
def cmd_list(ctx: CliContext) -> None:
    rows = supervision.sessions(ctx.ready_session())
    ctx.out("\n".join(f"{r.session_id}  {r.held_on}  {r.status:<8} {len(r.agenda)} families"
                      for r in rows),
            [{"session": r.session_id, "date": r.held_on, "status": r.status,
              "families": len(r.agenda)} for r in rows])


def cmd_start(ctx: CliContext) -> None:
    a = ctx.args
    session_id = supervision.start_session(ctx.ready_session(), a.held_on, a.attendees,
                                           a.families)
    ctx.out(session_id, {"session": session_id})


def _meeting_json(found: supervision.Meeting) -> dict[str, object]:
    return {
        "session": found.session_id, "date": found.held_on, "chair": found.chair,
        "attendees": found.attendees, "status": found.status,
        "agenda": [asdict(item) for item in found.agenda],
        "reviews": {fid: {**_form_json(r.form), "review": r.review_id, "status": r.status,
                          "signed_off_by": r.signed_off_by, "signed_off_at": r.signed_off_at}
                    for fid, r in found.reviews.items()},
    }


def _form_json(form: supervision.ReviewForm) -> dict[str, object]:
    """The form as JSON; `new_case_owner` only when the review appoints one."""
    out = asdict(form)
    if not form.new_case_owner:
        del out["new_case_owner"]
    return out


def cmd_show(ctx: CliContext) -> None:
    found = supervision.meeting(ctx.ready_session(), ctx.args.session)
    lines = [f"Supervision on {found.held_on} ({found.status}), chaired by {found.chair}; "
             f"attendees: {', '.join(found.attendees)}"]
    for number, item in enumerate(found.agenda, start=1):
        review = found.reviews.get(item.family_id)
        state = f"reviewed ({review.status})" if review else "not reviewed"
        lines.append(f"  {number}. {item.family_id}  {item.name}  - {state}")
    ctx.out("\n".join(lines), _meeting_json(found))


def cmd_add(ctx: CliContext) -> None:
    supervision.add_family(ctx.ready_session(), ctx.args.session, ctx.args.family)
    ctx.out("Added to the agenda.", {"session": ctx.args.session, "family": ctx.args.family})


def cmd_order(ctx: CliContext) -> None:
    supervision.reorder(ctx.ready_session(), ctx.args.session, ctx.args.families)
    ctx.out("Agenda reordered.", {"session": ctx.args.session, "agenda": ctx.args.families})


def parse_action(text: str, number: int) -> supervision.ActionForm:
    parts = text.split("|")
    if len(parts) != 3:
        raise InvalidInput(f"action {number} must be 'TEXT|OWNER|YYYY-MM-DD' "
                           f"(got {len(parts)} part{'s' if len(parts) != 1 else ''})")
    return supervision.ActionForm(parts[0].strip(), parts[1].strip(), parts[2].strip())


def cmd_review(ctx: CliContext) -> None:
    a = ctx.args
    form = supervision.ReviewForm(
        a.summary, a.working_well, a.worried, a.decisions, supervision.parse_scaling(a.scaling),
        a.next_review, tuple(parse_action(t, n) for n, t in enumerate(a.actions, start=1)),
        a.new_case_owner.strip())
    review_id = supervision.record_review(ctx.ready_session(), a.session, a.family, form)
    ctx.out(review_id, {"review": review_id})


def cmd_finish(ctx: CliContext) -> None:
    count = supervision.finish(ctx.ready_session(), ctx.args.session)
    ctx.out(f"Session finished: {count} review{'s' if count != 1 else ''} signed off.",
            {"session": ctx.args.session, "signed_off": count})


def cmd_minutes(ctx: CliContext) -> None:
    from workbook.reports.supervision_minutes import render_minutes

    out = Path(ctx.args.out).expanduser()
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"the minutes file {out.name[:60]!r} must end in .pdf")
    if not out.parent.is_dir():
        raise InvalidInput(f"cannot write the minutes: {out.parent} is not a folder")
    if out.exists():
        raise InvalidInput(f"{out} already exists; choose a new file")
    session = ctx.ready_session()
    found = supervision.meeting(session, ctx.args.session)
    pdf = render_minutes(found, printed_by=session.user.full_name or session.user.username,
                         printed_at=session.clock().astimezone())
    try:
        save_private(out, pdf)
    except OSError as exc:
        raise InvalidInput(f"cannot write the minutes to {out} ({exc.strerror})") from None
    supervision.record_minutes_output(session, found.session_id, "save_pdf")
    ctx.out(f"Minutes written to {out}.", {"session": found.session_id, "out": str(out)})


# --- records that start and stop the clocks ------------------------------------------------
def cmd_family_assessment(ctx: CliContext) -> None:
    a = ctx.args
    entry_id = milestones.record_assessment_completed(ctx.ready_session(), a.family,
                                                      a.completed, a.note)
    ctx.out(entry_id, {"id": entry_id})


def cmd_family_referred(ctx: CliContext) -> None:
    a = ctx.args
    entry_id = milestones.record_referral(ctx.ready_session(), a.family, a.on, a.note)
    ctx.out(entry_id, {"id": entry_id})


def cmd_family_channel_exit(ctx: CliContext) -> None:
    a = ctx.args
    entry_id = milestones.record_channel_exit(ctx.ready_session(), a.family, a.on, a.note)
    ctx.out(entry_id, {"id": entry_id})


def cmd_family_channel_review(ctx: CliContext) -> None:
    a = ctx.args
    entry_id = milestones.record_channel_review(ctx.ready_session(), a.family, a.on, a.note)
    ctx.out(entry_id, {"id": entry_id})


def cmd_entry_urgent(ctx: CliContext) -> None:
    version = milestones.mark_urgent(ctx.ready_session(), ctx.args.entry)
    ctx.out("Marked as an urgent concern: a response is due within 24 hours.",
            {"id": ctx.args.entry, "version": version})


def cmd_entry_respond(ctx: CliContext) -> None:
    version = milestones.record_response(ctx.ready_session(), ctx.args.entry, ctx.args.text)
    ctx.out("Response recorded.", {"id": ctx.args.entry, "version": version})


def cmd_action_status(ctx: CliContext) -> None:
    version = plan_actions.set_action_status(ctx.ready_session(), ctx.args.action_id,
                                             ctx.args.status)
    ctx.out(f"Action {ctx.args.status.strip().lower()}.",
            {"id": ctx.args.action_id, "version": version})


COMMANDS: dict[str, Handler] = {
    "supervision board": cmd_board,
    "supervision region": cmd_region,
    "supervision list": cmd_list,
    "supervision start": cmd_start,
    "supervision show": cmd_show,
    "supervision add": cmd_add,
    "supervision order": cmd_order,
    "supervision review": cmd_review,
    "supervision finish": cmd_finish,
    "supervision minutes": cmd_minutes,
    "family assessment": cmd_family_assessment,
    "family referred": cmd_family_referred,
    "family channel-exit": cmd_family_channel_exit,
    "family channel-review": cmd_family_channel_review,
    "entry urgent": cmd_entry_urgent,
    "entry respond": cmd_entry_respond,
    "action status": cmd_action_status,
}

