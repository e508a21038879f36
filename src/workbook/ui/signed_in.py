"""Who is signed in, as the GUI thread may know it: identity only, read once on the worker.

The Session stays on the worker thread that owns it; what crosses to the GUI thread is a
`SignedInPerson` (the role from the signed membership log, never the users table) and what the
first screen must say. Areas and signal receivers get these values, never the Session."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.domain.roles import Role
from workbook.services.session import Session


@dataclass(frozen=True)
class SignedInPerson:
    """The person at the keyboard: no case content, no keys."""

    user_id: str
    username: str
    full_name: str
    role: Role  # session.role: signed, so safe to decide what to show


@dataclass(frozen=True)
class SignedIn:
    """A sign-in's answer for the window: who, what to tell them, and whether the initial
    passphrase must be replaced before anything else."""

    person: SignedInPerson
    messages: tuple[str, ...]
    must_replace_passphrase: bool

    @classmethod
    def of(cls, session: Session) -> SignedIn:
        """The one place the GUI reads identity from a Session (on the worker thread)."""
        user = session.user
        person = SignedInPerson(session.user_id, user.username, user.full_name, session.role)
        return cls(person, (*session.warnings, *session.announcements),
                   session.must_replace_passphrase)
