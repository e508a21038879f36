"""A supervision session and its reviews as plain values, and the words of a review's form:
the supervision service fills them and the minutes print them, so the report needs nothing of
the service."""

from __future__ import annotations

from dataclasses import dataclass, field

DRAFT, FINAL = "draft", "final"
FIELDS = (("summary", "Summary"), ("working_well", "What is working well"),
          ("worried", "What we are worried about"), ("decisions", "What needs to happen"))


@dataclass(frozen=True)
class ActionForm:
    text: str
    owner: str       # username
    due: str         # ISO date
    action_id: str = ""  # set once the action is in the plan


@dataclass(frozen=True)
class ReviewForm:
    summary: str = ""
    working_well: str = ""
    worried: str = ""
    decisions: str = ""
    scaling: int | None = None
    next_review: str = ""
    actions: tuple[ActionForm, ...] = ()
    new_case_owner: str = ""   # a username: the case owner the review appoints, "" for none


@dataclass(frozen=True)
class Review:
    review_id: str
    version_id: str
    family_id: str
    session_id: str
    date: str
    form: ReviewForm
    status: str                 # draft | final
    signed_off_by: str = ""     # username
    signed_off_at: str = ""


@dataclass(frozen=True)
class AgendaItem:
    family_id: str
    name: str
    reference: str
    case_owner: str


@dataclass
class Meeting:
    """A supervision session as its chair sees it."""

    session_id: str
    held_on: str
    chair: str                  # username
    attendees: list[str]        # usernames
    status: str                 # open | finished
    agenda: list[AgendaItem] = field(default_factory=list)
    reviews: dict[str, Review] = field(default_factory=dict)   # family id -> review
    # username -> full name: screens and minutes name people, never by username.
    people: dict[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def name(self, username: str) -> str:
        """A username as the person's full name ("" for none)."""
        if not username:
            return ""
        return self.people.get(username, "a former colleague")
