"""Monthly group supervision: a session's agenda, each family's review, and the sign-off.

A session (date, chair, attendees, agenda order) is a row of its own: it holds no case content.
What the group said about a family is case content and is written to that family's supervision
section as a `review` record - summary, what is working well, what we are worried about, the
decisions, a scaling judgement 0-10, the actions and the next review date - with a plain-text
extract so the family's workbook and chronology read it like any entry. While the session is
open a review is a `draft` version (the GUI also keeps unsaved typing in encrypted drafts, see
review_drafts); finishing the session writes a `final` version of every review signed off by
the supervisor. Actions go into the family's plan, linked to the review.

Only supervisors (team managers and senior social workers) who hold the supervision key run a
session; every step is audited, including printing and saving the minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from workbook.domain.acts import Act, may
from workbook.domain.display import uk_date
from workbook.domain.history import record_state
from workbook.domain.ids import new_id
from workbook.domain.record_kind import RecordKind
from workbook.domain.roles import Section
from workbook.domain.supervision import (
    DRAFT,
    FIELDS,
    FINAL,
    ActionForm,
    AgendaItem,
    Meeting,
    Review,
    ReviewForm,
)
from workbook.services import validation
from workbook.services.access.people import People
from workbook.services.authority import RecordVersion
from workbook.services.errors import InvalidInput, NotFound, NotPermitted
from workbook.services.family.plan_actions import case_owner
from workbook.services.family.records import heads_of_record
from workbook.services.supervision.board import board, latest_records
from workbook.vault import accounts, supervision_store, version_store
from workbook.vault.supervision_store import SessionRow

if TYPE_CHECKING:
    from workbook.services.session import Session

SECTION = Section.SUPERVISION.value
MAX_ATTENDEES = 50
MAX_AGENDA = 500
MAX_FIELD = 20_000
MAX_ACTIONS = 50
MINUTES_EVENTS = ("print", "save_pdf")
# --- checks -------------------------------------------------------------------------------
def require_supervisor(session: Session) -> None:
    session.require_practitioner()
    session.require(Act.SUPERVISE)
    if not session.records.can_read(SECTION):
        raise NotPermitted("group supervision needs the supervision section's key")


def _session_row(session: Session, session_id: str, *, open_only: bool = False) -> SessionRow:
    session_id = validation.record_id(session_id, "supervision session id")
    row = supervision_store.get(session.conn, session_id)
    if row is None:
        raise NotFound(f"no supervision session {session_id} in this vault")
    if open_only and row.status != "open":
        raise InvalidInput("that supervision session is finished; its records are signed off")
    return row


def _long_text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise InvalidInput(f"{what} is too long ({len(value)} characters; at most {MAX_FIELD})")
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character")
    return value


def check_form(session: Session, form: ReviewForm, held_on: str) -> ReviewForm:
    """The form with its text trimmed, or InvalidInput naming the first thing wrong."""
    texts = {key: _long_text(getattr(form, key), f"'{label}'") for key, label in FIELDS}
    if not texts["summary"]:
        raise InvalidInput("the summary must not be empty")
    scaling = form.scaling
    if scaling is None:
        raise InvalidInput("give a scaling judgement from 0 to 10")
    if isinstance(scaling, bool) or not isinstance(scaling, int) or not 0 <= scaling <= 10:
        raise InvalidInput(f"the scaling judgement {str(scaling)[:20]!r} must be a whole "
                           "number from 0 to 10")
    if not form.next_review.strip():
        raise InvalidInput("give the next review date")
    next_review = validation.iso_date(form.next_review, "next review date")
    if next_review <= held_on:
        raise InvalidInput(f"the next review date {next_review} must be after the session "
                           f"({held_on})")
    if len(form.actions) > MAX_ACTIONS:
        raise InvalidInput(f"too many actions (at most {MAX_ACTIONS})")
    actions = []
    people = People(session)
    for number, action in enumerate(form.actions, start=1):
        text = action.text.strip()
        if not text:
            raise InvalidInput(f"action {number} has no text")
        validation.text(text, f"text of action {number}")
        try:  # a username, or a full name as the form shows it
            owner = people.find_owner(action.owner)
        except InvalidInput:
            raise InvalidInput(f"action {number}: no active user {action.owner.strip()[:40]!r} "
                               "to own it") from None
        due = validation.iso_date(action.due, f"due date of action {number}")
        action_id = validation.record_id(action.action_id, "action id") \
            if action.action_id else ""
        actions.append(ActionForm(text, owner.username, due, action_id))
    new_owner = session.case_owners.candidate(form.new_case_owner).username \
        if form.new_case_owner.strip() else ""
    return ReviewForm(texts["summary"], texts["working_well"], texts["worried"],
                      texts["decisions"], scaling, next_review, tuple(actions), new_owner)


# --- sessions -----------------------------------------------------------------------------
def start_session(session: Session, held_on: str, attendees: list[str],
                  agenda: list[str] | None = None) -> str:
    """Start a session; without `agenda`, it is the families due for review this month."""
    held_on = validation.iso_date(held_on, "session date")
    require_supervisor(session)
    names: list[str] = []
    for typed in attendees:
        username = typed.strip()
        if not username:
            continue
        row = accounts.by_username(session.conn, username)
        if row is None or not session.membership().is_active(row.user_id):
            raise InvalidInput(f"no active user {username[:40]!r} to attend")
        if row.user_id not in names:
            names.append(row.user_id)
    if session.user_id not in names:
        names.insert(0, session.user_id)
    if len(names) > MAX_ATTENDEES:
        raise InvalidInput(f"too many attendees (at most {MAX_ATTENDEES})")
    if agenda is None:
        family_ids = [f.family_id for f in board(session).due_families]
    else:
        family_ids = []
        for typed_id in agenda:
            fid = _known_family(session, typed_id)
            if fid not in family_ids:
                family_ids.append(fid)
    if len(family_ids) > MAX_AGENDA:
        family_ids = family_ids[:MAX_AGENDA]
    session_id = new_id()
    with session.write():
        supervision_store.insert(session.conn, SessionRow(
            session_id, held_on, session.user_id, tuple(names), tuple(family_ids), "open",
            session.now(), ""))
        session.audit("supervision_started", {"supervision": session_id,
                                              "families": len(family_ids)})
    session.events.emit("supervision_changed", session_id=session_id)
    return session_id


def sessions(session: Session) -> list[SessionRow]:
    require_supervisor(session)
    return supervision_store.all_sessions(session.conn)


def add_family(session: Session, session_id: str, family_id: str) -> None:
    """Put any family on the agenda (at the end)."""
    require_supervisor(session)
    row = _session_row(session, session_id, open_only=True)
    family_id = _known_family(session, family_id)
    if family_id in row.agenda:
        raise InvalidInput("that family is already on the agenda")
    if len(row.agenda) >= MAX_AGENDA:
        raise InvalidInput(f"the agenda is full (at most {MAX_AGENDA} families)")
    with session.write():
        supervision_store.set_agenda(session.conn, row.session_id, [*row.agenda, family_id])
        session.audit("supervision_agenda_changed", {"supervision": row.session_id,
                                                     "family": family_id})
    session.events.emit("supervision_changed", session_id=row.session_id)


def reorder(session: Session, session_id: str, family_ids: list[str]) -> None:
    """Set the agenda's order: the same families, in a new order."""
    require_supervisor(session)
    row = _session_row(session, session_id, open_only=True)
    wanted = [validation.record_id(f, "family id") for f in family_ids]
    if sorted(wanted) != sorted(row.agenda) or len(set(wanted)) != len(wanted):
        raise InvalidInput("the new order must list exactly the families on the agenda")
    with session.write():
        supervision_store.set_agenda(session.conn, row.session_id, wanted)
        session.audit("supervision_agenda_changed", {"supervision": row.session_id})
    session.events.emit("supervision_changed", session_id=row.session_id)


def meeting(session: Session, session_id: str) -> Meeting:
    require_supervisor(session)
    row = _session_row(session, session_id)
    users = accounts.all_users(session.conn)
    names = {u.user_id: u.username for u in users}
    found = Meeting(row.session_id, row.held_on, names.get(row.chair, row.chair),
                    [names.get(u, u) for u in row.attendees], row.status,
                    people={u.username: u.full_name or "a colleague" for u in users})
    families = {f.family_id: f for f in session.families.all()}
    for fid in row.agenda:
        known = families.get(fid)
        if known is None:
            continue
        household = case_owner(session, fid)  # the newest head's: as appointed
        found.agenda.append(AgendaItem(fid, known.name, known.reference,
                                       names.get(household, "")))
    found.reviews = _reviews(session, row.session_id, names)
    return found


# --- reviews ------------------------------------------------------------------------------
def record_review(session: Session, session_id: str, family_id: str, form: ReviewForm) -> str:
    """Save a family's review in an open session (a draft version until the session finishes);
    new actions go into the family's plan linked to it. Returns the review id."""
    require_supervisor(session)
    row = _session_row(session, session_id, open_only=True)
    family_id = validation.record_id(family_id, "family id")
    if family_id not in row.agenda:
        raise InvalidInput("that family is not on this session's agenda; add it first")
    form = check_form(session, form, row.held_on)
    existing = _reviews(session, row.session_id, {}).get(family_id)
    review_id = existing.review_id if existing else new_id()
    parents: tuple[str, ...] = ()
    if existing:
        versions = session.records.of_record(review_id)
        parents = record_state(review_id, versions).heads
        known = {a.action_id for a in existing.form.actions}
        for action in form.actions:
            if action.action_id and action.action_id not in known:
                raise InvalidInput("an action id on the form is not one of this review's")
    with session.write():
        # Actions already in the plan stay on the review even if the form leaves them out:
        # they are changed or closed in the plan, not by editing the review.
        mentioned = {a.action_id for a in form.actions if a.action_id}
        actions = [a for a in existing.form.actions if a.action_id not in mentioned] \
            if existing else []
        for action in form.actions:
            action_id = action.action_id or session.families.add_action(
                family_id, action.text, action.owner, action.due, review_id=review_id)
            actions.append(ActionForm(action.text, action.owner, action.due, action_id))
        form = ReviewForm(form.summary, form.working_well, form.worried, form.decisions,
                          form.scaling, form.next_review, tuple(actions), form.new_case_owner)
        version = session.records.write(
            family_id=family_id, record_id=review_id, kind="review", section=SECTION,
            payload=_payload(session, row, form, DRAFT), parents=parents,
        )
        session.audit("review_recorded", {"family": family_id, "review": review_id,
                                          "supervision": row.session_id,
                                          "version": version.version_id})
    session.events.emit("supervision_changed", session_id=row.session_id)
    return review_id


def finish(session: Session, session_id: str) -> int:
    """Sign off every review of the session as final versions; returns how many.

    The chair signs off what the meeting decided; a team manager may do it in the chair's
    absence (leave, a long illness), but another senior social worker may not sign off a
    meeting they did not chair."""
    require_supervisor(session)
    row = _session_row(session, session_id, open_only=True)
    if row.chair != session.user_id and not session.may(Act.SIGN_OFF_FOR_CHAIR):
        chair_row = accounts.by_id(session.conn, row.chair)
        chair = chair_row.username if chair_row is not None else "its chair"
        session.require(Act.SIGN_OFF_FOR_CHAIR, refusal=(
            f"only the session's chair ({chair}) or a team manager can sign off this "
            "supervision session"))
    reviews = _reviews(session, row.session_id, {})
    if not reviews:
        raise InvalidInput("no family has been reviewed in this session yet; record at least "
                           "one review before finishing")
    # A case owner a review appoints must still be one who may be (checked before any write).
    owners = {r.family_id: session.case_owners.candidate(r.form.new_case_owner).user_id
              for r in reviews.values() if r.form.new_case_owner}
    at = session.now()
    with session.write():
        for review in reviews.values():
            heads = heads_of_record(review.review_id,
                                    session.records.of_record(review.review_id))
            payload = {**_payload(session, row, review.form, FINAL),
                       "signed_off_by": session.user_id, "signed_off_at": at}
            session.records.supersede(
                heads, payload, kind=RecordKind.REVIEW, event="review_signed_off",
                ids={"review": review.review_id}, family_id=review.family_id, section=SECTION)
            if review.family_id in owners:
                session.case_owners.appoint_at_review(
                    review.family_id, owners[review.family_id], row.held_on)
        supervision_store.finish(session.conn, row.session_id, at)
        session.audit("supervision_finished", {"supervision": row.session_id,
                                               "families": len(reviews)})
    session.events.emit("supervision_changed", session_id=row.session_id)
    return len(reviews)


def record_minutes_output(session: Session, session_id: str, event: str) -> None:
    """Audit that the minutes were printed (`print`) or saved to a chosen file (`save_pdf`)."""
    if event not in MINUTES_EVENTS:
        raise InvalidInput(f"unknown minutes event {event!r}")
    row = _session_row(session, session_id)
    with session.write():
        session.audit(event, {"document": "supervision-minutes",
                              "supervision": row.session_id})


def extract_text(held_on: str, form: ReviewForm, status: str = DRAFT,
                 name_of: Callable[[str], str] = str) -> str:
    """The review as one text, as the family's workbook, chronology and prints show it: read by
    people, so dates as they write them and action owners by name (`name_of` turns a username
    into one), never the ISO date or the username the structured fields keep."""
    parts = [f"Group supervision on {uk_date(held_on)}"
             + (" (draft)" if status == DRAFT else "") + "."]
    for key, label in FIELDS:
        value = getattr(form, key)
        if value:
            parts.append(f"{label}: {value}")
    parts.append(f"Scaling: {form.scaling}/10.")
    for action in form.actions:
        parts.append(f"Action: {action.text} (owner {name_of(action.owner)}, "
                     f"due {uk_date(action.due)}).")
    parts.append(f"Next review: {uk_date(form.next_review)}.")
    return "\n".join(parts)


def _payload(session: Session, row: SessionRow, form: ReviewForm,
             status: str) -> dict[str, Any]:
    people = People(session)
    return {
        "text": extract_text(row.held_on, form, status, people.name), "date": row.held_on,
        "type": "meeting", "session": row.session_id, "status": status,
        "summary": form.summary, "working_well": form.working_well, "worried": form.worried,
        "decisions": form.decisions, "scaling": form.scaling, "next_review": form.next_review,
        "actions": [{"id": a.action_id, "text": a.text, "owner": a.owner, "due": a.due}
                    for a in form.actions],
        **({"new_case_owner": form.new_case_owner} if form.new_case_owner else {}),
    }


def _reviews(session: Session, session_id: str, names: dict[str, str]) -> dict[str, Review]:
    out: dict[str, Review] = {}
    for rec in latest_records(session, "review", {SECTION}).values():
        p = rec.head.payload
        if p.get("session") != session_id:
            continue
        out[rec.head.family_id] = review_from(rec.head, names)
    return out


def review_from(version: RecordVersion, names: dict[str, str]) -> Review:
    p = version.payload
    raw_actions = p.get("actions") if isinstance(p.get("actions"), list) else []
    actions = tuple(ActionForm(str(a.get("text", "")), str(a.get("owner", "")),
                               str(a.get("due", "")), str(a.get("id", "")))
                    for a in raw_actions or [] if isinstance(a, dict))
    scaling = p.get("scaling")
    form = ReviewForm(str(p.get("summary", "")), str(p.get("working_well", "")),
                      str(p.get("worried", "")), str(p.get("decisions", "")),
                      scaling if isinstance(scaling, int) else None,
                      str(p.get("next_review", "")), actions,
                      str(p.get("new_case_owner", "")))
    signer = str(p.get("signed_off_by", ""))
    return Review(version.record_id, version.version_id, version.family_id,
                  str(p.get("session", "")), str(p.get("date", "")), form,
                  str(p.get("status", DRAFT)), names.get(signer, signer),
                  str(p.get("signed_off_at", "")))


def _known_family(session: Session, family_id: str) -> str:
    family_id = validation.record_id(family_id, "family id")
    if not version_store.family_exists(session.conn, family_id):
        raise NotFound(f"no family {family_id} in this vault")
    return family_id


def parse_scaling(text: str) -> int:
    """A scaling judgement typed as text, or InvalidInput."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInput(f"the scaling judgement {text[:20]!r} must be a whole number "
                           "from 0 to 10") from None
    if not 0 <= value <= 10:
        raise InvalidInput(f"the scaling judgement {value} must be from 0 to 10")
    return value


def today_iso(session: Session) -> str:
    return date.fromisoformat(session.now()[:10]).isoformat()


def colleagues(session: Session) -> list[tuple[str, str]]:
    """Active practitioners (username, full name) who may attend or own an action."""
    session.require_practitioner()
    membership = session.membership()
    return [(u.username, u.full_name) for u in accounts.all_users(session.conn)
            if membership.is_active(u.user_id)
            and may(membership.role_of(u.user_id), Act.CASEWORK)]
