"""Colleagues waiting for the signed-in person to approve their access (P5), one row per
person with the sections this approver can give them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbook.domain.display import role_label
from workbook.domain.roles import SECTION_TITLES, Section
from workbook.services.authority import IDENTITY, PendingGrant
from workbook.ui.models.base import RowsModel


@dataclass(frozen=True)
class PendingPerson:
    username: str
    full_name: str
    role: str
    sections: tuple[str, ...]


role_text = role_label


def section_text(section: str) -> str:
    if section == IDENTITY:
        return "Identity check"
    try:
        return SECTION_TITLES[Section(section)]
    except ValueError:
        return section


def group_grants(grants: Sequence[PendingGrant]) -> list[PendingPerson]:
    people: dict[str, PendingPerson] = {}
    for grant in grants:
        known = people.get(grant.username)
        sections = (known.sections if known else ()) + (grant.section,)
        # The identity check first, then sections in the order a workbook lists them.
        sections = tuple(sorted(sections, key=_section_order))
        people[grant.username] = PendingPerson(grant.username, grant.full_name, grant.role,
                                               sections)
    return sorted(people.values(), key=lambda p: (p.full_name.casefold(), p.username))


def _section_order(section: str) -> int:
    if section == IDENTITY:
        return -1
    try:
        return list(Section).index(Section(section))
    except ValueError:
        return len(Section)


class PendingApprovalsModel(RowsModel[PendingPerson]):
    # People by full name and role, never by username (issue 14); the username stays in the
    # row, for the approval the service makes.
    COL_NAME, COL_ROLE, COL_SECTIONS = range(3)
    HEADERS = ("Name", "Role", "Sections")

    def set_grants(self, grants: Sequence[PendingGrant]) -> None:
        self.set_rows(group_grants(grants))

    def family_id(self, row: PendingPerson) -> str:  # noqa: ARG002 - not about a family
        return ""

    def text(self, row: PendingPerson, column: int) -> str:
        if column == self.COL_NAME:
            return row.full_name
        if column == self.COL_ROLE:
            return role_text(row.role)
        return ", ".join(section_text(s) for s in row.sections)
