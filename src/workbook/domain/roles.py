"""Roles and sections: the disciplines of a unit and the parts of a family workbook."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """One role per user; what a role may read is the vault's policy, not code."""

    ADMIN = "admin"
    TEAM_MANAGER = "team-manager"
    SENIOR_SOCIAL_WORKER = "senior-social-worker"
    SOCIAL_WORKER = "social-worker"
    POLICE = "police"
    MENTAL_HEALTH = "mental-health"
    SUBSTANCE_MISUSE = "substance-misuse"
    DOMESTIC_ABUSE = "domestic-abuse"
    PSYCHOLOGIST = "psychologist"
    EDUCATION = "education"
    HEALTH = "health"


class Section(StrEnum):
    """Every record belongs to exactly one section, and each section has its own keys."""

    HOUSEHOLD = "household"
    REFERRAL_ASSESSMENT = "referral-assessment"
    PLAN = "plan"
    CASE_NOTES = "case-notes"
    RISK_ASSESSMENT = "risk-assessment"
    HOME_VISIT_SAFETY = "home-visit-safety"
    SHARING_LOG = "sharing-log"
    SUPERVISION = "supervision"
    MENTAL_HEALTH = "mental-health"
    SUBSTANCE_MISUSE = "substance-misuse"
    DOMESTIC_ABUSE = "domestic-abuse"
    POLICE = "police"
    EDUCATION = "education"
    CHANNEL = "channel"


CORE_SECTIONS: tuple[Section, ...] = (
    Section.HOUSEHOLD,
    Section.REFERRAL_ASSESSMENT,
    Section.PLAN,
    Section.CASE_NOTES,
    Section.RISK_ASSESSMENT,
    Section.HOME_VISIT_SAFETY,
    Section.SHARING_LOG,
    Section.SUPERVISION,
)

PRACTITIONER_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.ADMIN)

# Roles that may own a vault (P6): practitioners, never the administrator.
OWNER_ROLES: tuple[Role, ...] = PRACTITIONER_ROLES

SECTION_TITLES: dict[Section, str] = {
    Section.HOUSEHOLD: "Household",
    Section.REFERRAL_ASSESSMENT: "Referral and assessment",
    Section.PLAN: "Plan",
    Section.CASE_NOTES: "Case notes",
    Section.RISK_ASSESSMENT: "Risk and resilience",
    Section.HOME_VISIT_SAFETY: "Home-visit safety",
    Section.SHARING_LOG: "Consent and information sharing",
    Section.SUPERVISION: "Supervision",
    Section.MENTAL_HEALTH: "Mental health",
    Section.SUBSTANCE_MISUSE: "Substance misuse",
    Section.DOMESTIC_ABUSE: "Domestic abuse",
    Section.POLICE: "Police information",
    Section.EDUCATION: "Education",
    Section.CHANNEL: "Channel liaison",
}


def parse_role(text: str) -> Role:
    """Turn user input into a Role, or raise ValueError naming the valid roles."""
    try:
        return Role(text.strip())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {text[:40]!r}; valid roles: {valid}") from None


def parse_section(text: str) -> Section:
    """Turn user input into a Section, or raise ValueError naming the valid sections."""
    try:
        return Section(text.strip())
    except ValueError:
        valid = ", ".join(s.value for s in Section)
        raise ValueError(f"unknown section {text[:40]!r}; valid sections: {valid}") from None
