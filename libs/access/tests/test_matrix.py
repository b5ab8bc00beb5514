from __future__ import annotations

from uuid import uuid4

import pytest

from carerelay_access.identity import Principal, Unauthenticated, principal_from_claims
from carerelay_access.matrix import MATRIX, Action, RecordFacts, Scope, decide, scopes_for
from carerelay_access.roles import Role

NURSE = uuid4()


def person(*roles: Role, **kw: object) -> Principal:
    return Principal(subject="s", roles=frozenset(roles), **kw)  # type: ignore[arg-type]


def test_every_role_appears_in_the_matrix() -> None:
    mentioned = {role for grants in MATRIX.values() for role in grants}
    assert mentioned == set(Role)


@pytest.mark.parametrize(
    ("principal", "facts", "allowed"),
    [
        (person(Role.HUB_CALL_HANDLER), RecordFacts(team="east"), True),
        (person(Role.FIELD_CLINICIAN, staff_id=NURSE), RecordFacts(assigned_staff=frozenset({NURSE})), True),
        (person(Role.FIELD_CLINICIAN, staff_id=NURSE), RecordFacts(assigned_staff=frozenset({uuid4()})), False),
        (person(Role.FIELD_CLINICIAN, staff_id=None), RecordFacts(assigned_staff=frozenset()), False),
        (person(Role.COORDINATOR, team="north"), RecordFacts(team="north"), True),
        (person(Role.COORDINATOR, team="north"), RecordFacts(team="east"), False),
        (person(Role.COORDINATOR, team=None), RecordFacts(team=None), False),
        (person(Role.GP, gp_practice="C82001"), RecordFacts(gp_practice="C82001"), True),
        (person(Role.GP, gp_practice="C82001"), RecordFacts(gp_practice="C82002"), False),
        (person(Role.CARER, staff_id=NURSE), RecordFacts(assigned_staff=frozenset({NURSE})), False),
        (person(Role.AUDITOR), RecordFacts(), False),
        (person(Role.INTEGRATOR, client_id="ehr", scopes=frozenset({"referrals:read"})), RecordFacts(submitted_by="ehr"), True),
        (
            person(Role.INTEGRATOR, client_id="ehr", scopes=frozenset({"referrals:read"})),
            RecordFacts(submitted_by="other"),
            False,
        ),
        (person(Role.INTEGRATOR, client_id="ehr"), RecordFacts(submitted_by="ehr"), False),
    ],
)
def test_reading_a_referral(principal: Principal, facts: RecordFacts, allowed: bool) -> None:
    assert decide(principal, Action.REFERRAL_READ, facts).allowed is allowed


def test_several_roles_widen_what_is_seen() -> None:
    both = person(Role.GP, Role.COORDINATOR, gp_practice="C82001", team="north")
    assert scopes_for(both, Action.REFERRAL_LIST) == {Scope.PRACTICE, Scope.TEAM}
    assert decide(both, Action.REFERRAL_READ, RecordFacts(team="north", gp_practice="X")).allowed
    assert decide(both, Action.REFERRAL_READ, RecordFacts(team="east", gp_practice="C82001")).allowed


def test_claims_become_a_principal_and_unknown_roles_are_ignored() -> None:
    principal = principal_from_claims(
        {"sub": "u1", "roles": ["field-clinician", "wizard"], "team": "north", "staff_id": str(NURSE), "scope": "a b"}
    )
    assert principal.roles == frozenset({Role.FIELD_CLINICIAN})
    assert principal.staff_id == NURSE
    assert principal.scopes == frozenset({"a", "b"})


def test_malformed_claims_are_refused() -> None:
    with pytest.raises(Unauthenticated):
        principal_from_claims({"sub": "u1", "roles": "hub-clinician"})
    with pytest.raises(Unauthenticated):
        principal_from_claims({"sub": "u1", "roles": [], "staff_id": "not-a-uuid"})


def test_list_filters_admit_only_what_the_scopes_cover() -> None:
    from carerelay_access.matrix import scope_filter

    clauses = {Scope.TEAM: "team = {}", Scope.PRACTICE: "gp_practice = {}", Scope.ASSIGNED: "staff = {}"}
    hub = person(Role.HUB_CLINICIAN)
    assert scope_filter(hub, scopes_for(hub, Action.REFERRAL_LIST), 3, clauses) == ("true", [])
    both = person(Role.GP, Role.COORDINATOR, gp_practice="C82001", team="north")
    assert scope_filter(both, scopes_for(both, Action.REFERRAL_LIST), 3, clauses) == (
        "(team = $3 OR gp_practice = $4)",
        ["north", "C82001"],
    )
    nobody = person(Role.FIELD_CLINICIAN, staff_id=None)
    assert scope_filter(nobody, scopes_for(nobody, Action.REFERRAL_LIST), 1, clauses) == ("false", [])
