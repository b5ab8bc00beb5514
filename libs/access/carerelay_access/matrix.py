"""The access matrix: for each action, which roles may take it and over whose records.

This table is the written rule (docs/security.md renders it); services enforce it in one place each
(their `access.py`), by giving the facts of a record (its team, GP practice, submitter, the staff
assigned to the person) to `decide`, or by turning a scope into a filter for lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from .identity import Principal
from .roles import Role


class Scope(StrEnum):
    """Over whose records a role may act."""

    ALL = "all"
    """Everyone the service holds (the hub works the whole county's referrals)."""
    TEAM = "team"
    """People in the caller's team's caseload."""
    ASSIGNED = "assigned"
    """People the caller is assigned to visit."""
    PRACTICE = "practice"
    """A GP's own registered patients."""
    OWN_SUBMISSIONS = "own-submissions"
    """An integrator's own submissions."""
    SELF = "self"
    """Records about the caller (their own messages, their own round)."""
    NO_PATIENT_DATA = "no-patient-data"
    """Allowed, but the result holds no one's personal data (e.g. the rota, the audit trail)."""


class Action(StrEnum):
    REFERRAL_CREATE = "referral.create"
    REFERRAL_READ = "referral.read"
    REFERRAL_LIST = "referral.list"
    VISIT_READ = "visit.read"
    STAFF_READ = "staff.read"
    MESSAGE_READ = "message.read"
    AUDIT_READ = "audit.read"
    EVENTS_SUBSCRIBE = "events.subscribe"
    REFERRAL_DECIDE = "referral.decide"
    """Accept or reject a referral: a hub clinician's call."""
    REFERRAL_CANCEL = "referral.cancel"
    """Withdraw a referral before first contact, with a reason: the hub, or the system that sent it."""
    REFERRAL_ADD_TO = "referral.add-to"
    """Add information to an open referral (a second call about the same person)."""
    TRIAGE_READ = "triage.read"
    """A triage decision and why it was made."""
    TRIAGE_OVERRIDE = "triage.override"
    LEAD_TRANSFER = "lead.transfer"
    """Hand the lead of an episode to another discipline, without a new referral."""
    DIRECTORY_READ = "directory.read"
    """Reference data such as the GP practice directory: no patient data."""
    PLAN_MANAGE = "plan.manage"
    """Run the planner, pin a visit to someone (drag-to-reassign), record an absence, agree a care plan."""
    VISIT_RECORD = "visit.record"
    """Record what happened at a visit (on my way, arrived, observations, notes, running late, missed, completed)."""
    EPISODE_RECORD = "episode.record"
    """A clinician's episode actions from a visit: consent, a care plan proposal, an onward referral,
    a discharge recommendation."""
    HOSPITAL_RECORD = "hospital.record"
    """Record that a person in an open episode is in hospital, or home again (entered at the hub)."""
    EPISODE_CLOSE = "episode.close"
    """Close an episode with its outcome: a hub clinician, or a clinician of the person's care (the lead)."""


H, C, F, CA, CO, G, I, A = (
    Role.HUB_CALL_HANDLER,
    Role.HUB_CLINICIAN,
    Role.FIELD_CLINICIAN,
    Role.CARER,
    Role.COORDINATOR,
    Role.GP,
    Role.INTEGRATOR,
    Role.AUDITOR,
)

MATRIX: dict[Action, dict[Role, Scope]] = {
    Action.REFERRAL_CREATE: {H: Scope.ALL, C: Scope.ALL, I: Scope.OWN_SUBMISSIONS},
    Action.REFERRAL_READ: {
        H: Scope.ALL,
        C: Scope.ALL,
        F: Scope.ASSIGNED,
        CO: Scope.TEAM,
        G: Scope.PRACTICE,
        I: Scope.OWN_SUBMISSIONS,
    },
    Action.REFERRAL_LIST: {
        H: Scope.ALL,
        C: Scope.ALL,
        F: Scope.ASSIGNED,
        CO: Scope.TEAM,
        G: Scope.PRACTICE,
        I: Scope.OWN_SUBMISSIONS,
    },
    Action.VISIT_READ: {H: Scope.ALL, C: Scope.ALL, F: Scope.ASSIGNED, CA: Scope.ASSIGNED, CO: Scope.TEAM},
    Action.STAFF_READ: {
        H: Scope.NO_PATIENT_DATA,
        C: Scope.NO_PATIENT_DATA,
        F: Scope.NO_PATIENT_DATA,
        CA: Scope.NO_PATIENT_DATA,
        CO: Scope.NO_PATIENT_DATA,
    },
    Action.MESSAGE_READ: {F: Scope.SELF, CA: Scope.SELF, H: Scope.SELF, C: Scope.SELF, CO: Scope.SELF},
    Action.AUDIT_READ: {A: Scope.NO_PATIENT_DATA},
    Action.REFERRAL_DECIDE: {C: Scope.ALL},
    Action.TRIAGE_READ: {H: Scope.ALL, C: Scope.ALL, F: Scope.ASSIGNED, CO: Scope.TEAM},
    Action.TRIAGE_OVERRIDE: {C: Scope.ALL},
    Action.LEAD_TRANSFER: {C: Scope.ALL, F: Scope.ASSIGNED},
    Action.REFERRAL_ADD_TO: {H: Scope.ALL, C: Scope.ALL},
    Action.REFERRAL_CANCEL: {H: Scope.ALL, C: Scope.ALL, I: Scope.OWN_SUBMISSIONS},
    Action.DIRECTORY_READ: {
        H: Scope.NO_PATIENT_DATA,
        C: Scope.NO_PATIENT_DATA,
        F: Scope.NO_PATIENT_DATA,
        CA: Scope.NO_PATIENT_DATA,
        CO: Scope.NO_PATIENT_DATA,
        G: Scope.NO_PATIENT_DATA,
        I: Scope.NO_PATIENT_DATA,
    },
    Action.PLAN_MANAGE: {C: Scope.ALL, CO: Scope.TEAM},
    Action.VISIT_RECORD: {F: Scope.ASSIGNED, CA: Scope.ASSIGNED},
    Action.EPISODE_RECORD: {F: Scope.ASSIGNED},
    Action.HOSPITAL_RECORD: {H: Scope.ALL, C: Scope.ALL},
    Action.EPISODE_CLOSE: {C: Scope.ALL, F: Scope.ASSIGNED},
    Action.EVENTS_SUBSCRIBE: {
        H: Scope.ALL,
        C: Scope.ALL,
        F: Scope.ASSIGNED,
        CA: Scope.ASSIGNED,
        CO: Scope.TEAM,
        I: Scope.OWN_SUBMISSIONS,
    },
}

BREAK_GLASS_ROLES = frozenset({Role.HUB_CLINICIAN, Role.FIELD_CLINICIAN})
"""Clinicians who may, in an emergency and with a recorded reason, read outside their relationship."""

INTEGRATOR_SCOPES: dict[Action, str] = {
    Action.REFERRAL_CREATE: "referrals:write",
    Action.REFERRAL_CANCEL: "referrals:write",
    Action.REFERRAL_READ: "referrals:read",
    Action.REFERRAL_LIST: "referrals:read",
    Action.EVENTS_SUBSCRIBE: "events:subscribe",
}


def scopes_for(principal: Principal, action: Action) -> set[Scope]:
    """Every scope the caller's roles give them for `action` (empty: not allowed at all)."""
    granted = MATRIX.get(action, {})
    scopes = {granted[role] for role in principal.roles if role in granted}
    if Role.INTEGRATOR in principal.roles and Scope.OWN_SUBMISSIONS in scopes:
        needed = INTEGRATOR_SCOPES.get(action)
        if needed is not None and needed not in principal.scopes:
            scopes.discard(Scope.OWN_SUBMISSIONS)
    return scopes


@dataclass(frozen=True)
class RecordFacts:
    """What a service knows of a person's record that decides who may see it. No personal data."""

    team: str | None = None
    gp_practice: str | None = None
    submitted_by: str | None = None
    assigned_staff: frozenset[UUID] = frozenset()
    recipient: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    scope: Scope | None
    why: str


def decide(principal: Principal, action: Action, facts: RecordFacts) -> Decision:
    """May `principal` take `action` on the record these facts describe? The first scope that fits wins."""
    scopes = scopes_for(principal, action)
    if not scopes:
        return Decision(False, None, f"no role of the caller may {action.value}")
    for scope in sorted(scopes):
        if _fits(principal, scope, facts):
            return Decision(True, scope, f"{scope.value} relationship")
    return Decision(False, None, "no legitimate relationship to this person's care")


def _fits(principal: Principal, scope: Scope, facts: RecordFacts) -> bool:
    match scope:
        case Scope.ALL | Scope.NO_PATIENT_DATA:
            return True
        case Scope.TEAM:
            return principal.team is not None and principal.team == facts.team
        case Scope.ASSIGNED:
            return principal.staff_id is not None and principal.staff_id in facts.assigned_staff
        case Scope.PRACTICE:
            return principal.gp_practice is not None and principal.gp_practice == facts.gp_practice
        case Scope.OWN_SUBMISSIONS:
            return principal.client_id is not None and principal.client_id == facts.submitted_by
        case Scope.SELF:
            return facts.recipient is not None and facts.recipient in {principal.subject, str(principal.staff_id)}
    return False


def may_break_glass(principal: Principal) -> bool:
    return bool(principal.roles & BREAK_GLASS_ROLES)


def scope_filter(
    principal: Principal, scopes: set[Scope], first_param: int, clauses: dict[Scope, str]
) -> tuple[str, list[object]]:
    """A SQL condition admitting only the rows the caller's scopes cover, for lists.

    `clauses` maps each scope a service supports to its condition, with `{}` where the caller's own
    value goes (their team, staff id, GP practice or client id), e.g. `{Scope.TEAM: "team = {}"}`.
    Parameters are numbered from `first_param`; several scopes widen the set (OR); none: nothing."""
    if Scope.ALL in scopes:
        return "true", []
    caller: dict[Scope, object] = {
        Scope.TEAM: principal.team,
        Scope.ASSIGNED: principal.staff_id,
        Scope.PRACTICE: principal.gp_practice,
        Scope.OWN_SUBMISSIONS: principal.client_id,
    }
    conditions: list[str] = []
    params: list[object] = []
    for scope, clause in clauses.items():
        value = caller.get(scope)
        if scope in scopes and value is not None:
            params.append(value)
            conditions.append(clause.format(f"${first_param + len(params) - 1}"))
    return ("(" + " OR ".join(conditions) + ")" if conditions else "false"), params
