"""Every role against every action the policy knows, compared with this table; and the incompatibilities."""

from __future__ import annotations

import uuid

import pytest

from meldpunt.identity.policy import Actor, TenantAccess, may
from meldpunt.identity.roles import Action, Role, incompatible_with

# The expected answers, written out by hand (not derived from the code under test).
ALLOWED: dict[str, set[str]] = {
    "tenant.view": {r.value for r in Role},
    "grants.view": {"tenant_admin", "dpo"},
    "grants.manage": {"tenant_admin"},
    "audit.read": {"dpo"},
    "intake.list": {"reporting_point"},
    "intake.read": {"reporting_point"},
    "intake.reply": {"reporting_point"},
    "intake.dismiss": {"reporting_point"},
    "vault.use": {"adviser"},
    "signals.read": {"reporting_point", "tenant_admin"},
    "case.route": {"reporting_point"},
    "case.panel": {"reporting_point"},
    "case.process": {"reporting_point", "decision_maker", "expert", "process_guardian"},
    "case.declare": {"decision_maker", "expert", "process_guardian"},
    "case.read": {"decision_maker", "expert"},
    "case.decide": {"decision_maker"},
    "case.concern": {"process_guardian"},
    "case.guard": {"process_guardian"},
    "case.parties": {"decision_maker"},
    "intervention.manage": {"decision_maker"},
    "intervention.carry_out": {"line_manager", "facilitator", "mediator", "hr"},
    "investigation.manage": {"decision_maker"},
    "investigation.carry_out": {"investigator"},
    "case.conclude": {"decision_maker"},
    "case.close": {"decision_maker", "reporting_point"},
    "case.aftercare": {"adviser", "decision_maker", "expert", "reporting_point", "hr", "line_manager"},
    "trends.manage": {"tenant_admin"},
    "trends.read": {"sector_board"},
    "member.figures": {"tenant_admin", "decision_maker"},
    "complaint.handle": {"committee_chair", "committee_member", "committee_secretary"},
    "complaint.decide": {"decision_maker"},
    "complaint.process": {
        "committee_chair",
        "committee_member",
        "committee_secretary",
        "decision_maker",
        "process_guardian",
        "reporting_point",
    },
    "complaint.report": {"committee_chair", "committee_secretary"},
    "sector.report": {"tenant_admin", "sector_board"},
}


def actor_with(*roles: Role, slug: str = "lid") -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), "Test", {slug: TenantAccess(uuid.uuid4(), slug, "Lid", frozenset(roles))})


def test_the_table_covers_every_action_the_policy_knows() -> None:
    assert set(ALLOWED) == {action.value for action in Action}


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_role_action_matrix(role: Role, action: Action) -> None:
    assert may(actor_with(role), action.value, "lid") is (role.value in ALLOWED[action.value])


def test_unknown_actions_and_other_tenants_are_denied() -> None:
    everything = actor_with(*Role)
    assert not may(everything, "case.delete_everything", "lid")
    assert not may(everything, "", "lid")
    assert not may(everything, "tenant.view", "een-ander-lid")
    assert not may(actor_with(), "tenant.view", "lid")


# seed-000 §1.7: the adviser of an organisation is never its reporting point, expert, process guardian,
# mediator or investigator.
FORBIDDEN_WITH_ADVISER = {Role.REPORTING_POINT, Role.EXPERT, Role.PROCESS_GUARDIAN, Role.MEDIATOR, Role.INVESTIGATOR}


@pytest.mark.parametrize("other", list(Role), ids=str)
def test_adviser_incompatibilities_hold_both_ways(other: Role) -> None:
    expected = Role.ADVISER if other in FORBIDDEN_WITH_ADVISER else None
    assert incompatible_with(other, {Role.ADVISER}) == expected
    assert incompatible_with(Role.ADVISER, {other}) == (other if other in FORBIDDEN_WITH_ADVISER else None)
