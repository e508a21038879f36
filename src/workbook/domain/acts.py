"""Who may act: the one table of acts to the roles that may do them.

Only rules that follow from a role alone live here. Rules that also need signed state - an
administrator the owner approved (`may_administer`), the vault owner, what the policy lets a
role read or write, whose keys are certified - stay with that state, and are checked beside
these. The services enforce the table (`Session.require`); the screens read it only to decide
what to show."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from workbook.domain.roles import OWNER_ROLES, PRACTITIONER_ROLES, Role


class Act(StrEnum):
    """One thing a role may or may not do."""

    CASEWORK = "casework"                      # read and write case records
    SUPERVISE = "supervise"                    # run group supervision
    CHANGE_ANY_ACTION = "change-any-action"    # finish, reassign, re-date anyone's action
    SIGN_OFF_FOR_CHAIR = "sign-off-for-chair"  # sign off a supervision someone else chaired
    CLOSE_FAMILY = "close-family"
    REOPEN_FAMILY = "reopen-family"
    REVIEW_DISPOSALS = "review-disposals"      # the disposal review: see, withdraw, compact
    PROPOSE_DISPOSAL = "propose-disposal"
    CONFIRM_DISPOSAL = "confirm-disposal"
    READ_AUDIT_LOG = "read-audit-log"
    SET_WORKING_DAYS_REGION = "set-working-days-region"
    CHANGE_POLICY = "change-policy"
    MANAGE_SHARING = "manage-sharing"          # the sharing identity and partners
    OWN_VAULT = "own-vault"                    # P6: a practitioner, never the administrator
    DECIDE_REFERRAL = "decide-referral"        # the triage decision at the front door
    APPOINT_CASE_OWNER = "appoint-case-owner"  # and the current case owner, handing over
    MANAGE_REPLICAS = "manage-replicas"        # the sync folder, approve and retire replicas


_SUPERVISORS = frozenset({Role.TEAM_MANAGER, Role.SENIOR_SOCIAL_WORKER})
_MANAGER_AND_ADMIN = frozenset({Role.TEAM_MANAGER, Role.ADMIN})

ACTS: Mapping[Act, frozenset[Role]] = MappingProxyType({
    Act.CASEWORK: frozenset(PRACTITIONER_ROLES),
    Act.SUPERVISE: _SUPERVISORS,
    Act.CHANGE_ANY_ACTION: _SUPERVISORS,  # and the action's owner, and the case owner
    Act.SIGN_OFF_FOR_CHAIR: frozenset({Role.TEAM_MANAGER}),
    Act.CLOSE_FAMILY: _SUPERVISORS,
    Act.REOPEN_FAMILY: _SUPERVISORS,
    Act.REVIEW_DISPOSALS: _MANAGER_AND_ADMIN,
    Act.PROPOSE_DISPOSAL: frozenset({Role.TEAM_MANAGER}),
    Act.CONFIRM_DISPOSAL: frozenset({Role.ADMIN}),
    Act.READ_AUDIT_LOG: _MANAGER_AND_ADMIN,
    Act.SET_WORKING_DAYS_REGION: _MANAGER_AND_ADMIN,  # and the vault owner, whatever the role
    Act.CHANGE_POLICY: frozenset({Role.ADMIN}),       # approved by the owner (may_administer)
    Act.MANAGE_SHARING: frozenset({Role.TEAM_MANAGER}),  # and the vault owner
    Act.OWN_VAULT: frozenset(OWNER_ROLES),
    Act.DECIDE_REFERRAL: frozenset({Role.TEAM_MANAGER, Role.SENIOR_SOCIAL_WORKER,
                                    Role.SOCIAL_WORKER}),
    Act.APPOINT_CASE_OWNER: _SUPERVISORS,
    Act.MANAGE_REPLICAS: frozenset({Role.TEAM_MANAGER}),  # and the vault owner
})

# What a person is told when refused; the sentences are the ones people already know.
REFUSALS: Mapping[Act, str] = MappingProxyType({
    Act.CASEWORK: "the administrator does not read or write case records",
    Act.SUPERVISE: "only a team manager or a senior social worker runs group supervision",
    Act.CHANGE_ANY_ACTION: "only the action's owner, the family's case owner or a "
                           "supervisor can change this action",
    Act.SIGN_OFF_FOR_CHAIR: "only the session's chair or a team manager can sign off this "
                            "supervision session",
    Act.CLOSE_FAMILY: "closing a family is for a team manager or a senior social worker",
    Act.REOPEN_FAMILY: "reopening a family is for a team manager or a senior social worker",
    Act.REVIEW_DISPOSALS: "the disposal review is for team managers and administrators",
    Act.PROPOSE_DISPOSAL: "a team manager proposes disposals",
    Act.CONFIRM_DISPOSAL: "an administrator confirms disposals",
    Act.READ_AUDIT_LOG: "the audit log is for the administrator and team managers",
    Act.SET_WORKING_DAYS_REGION: "only the vault owner, a team manager or the administrator "
                                 "changes the working-days region",
    Act.CHANGE_POLICY: "only the administrator, approved by the vault owner, changes the "
                       "policy",
    Act.MANAGE_SHARING: "only the vault owner or a team manager manages the sharing identity "
                        "and partners: trusting a partner is a decision about case data",
    Act.OWN_VAULT: "the vault owner cannot become the administrator (P6)",
    Act.DECIDE_REFERRAL: "the triage decision on a referral is for a team manager, a senior "
                         "social worker or a social worker",
    Act.APPOINT_CASE_OWNER: "only a team manager, a senior social worker or the family's "
                            "case owner (handing over) appoints a case owner",
    Act.MANAGE_REPLICAS: "only the vault owner or a team manager sets up the sync folder and "
                         "approves or retires a replica: a replica holds every family",
})


def may(role: Role | str | None, act: Act) -> bool:
    """Whether `role` may do `act` by the table. A role's text (as a screen holds it) compares
    equal to its Role; no role (no signed membership) may do nothing."""
    return role is not None and role in ACTS[act]
