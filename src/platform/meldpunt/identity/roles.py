"""Roles (DESIGN §6), the actions the policy knows, and which role may do which action.

Unknown action: deny. The table below is the whole truth; ``policy.py`` applies it with grants and the
role incompatibilities of seed-000 §1.7.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    TENANT_ADMIN = "tenant_admin"
    ADVISER = "adviser"
    REPORTING_POINT = "reporting_point"
    DECISION_MAKER = "decision_maker"
    EXPERT = "expert"
    PROCESS_GUARDIAN = "process_guardian"
    COMMITTEE_CHAIR = "committee_chair"
    COMMITTEE_MEMBER = "committee_member"
    COMMITTEE_SECRETARY = "committee_secretary"
    INVESTIGATOR = "investigator"
    DPO = "dpo"
    SECTOR_BOARD = "sector_board"
    HR = "hr"
    LINE_MANAGER = "line_manager"
    MEDIATOR = "mediator"
    FACILITATOR = "facilitator"


class Action(enum.StrEnum):
    """Everything the policy can be asked about. Later issues add case actions here."""

    TENANT_VIEW = "tenant.view"  # see the tenant in the switcher and its shell page
    GRANTS_VIEW = "grants.view"
    GRANTS_MANAGE = "grants.manage"
    AUDIT_READ = "audit.read"
    INTAKE_LIST = "intake.list"  # see that submissions arrived (kind, category, dates; no content)
    INTAKE_READ = "intake.read"  # open one: narrative and messages (audited)
    INTAKE_REPLY = "intake.reply"  # answer the reporter in the two-way channel
    INTAKE_DISMISS = "intake.dismiss"  # dismiss in bulk what a flood left unverified (DESIGN §11)
    VAULT_USE = "vault.use"  # the adviser's own vault: consultations, notes, consent ledger, signals, drafts
    SIGNALS_READ = "signals.read"  # the anonymised signals advisers sent to the organisation
    CASE_ROUTE = "case.route"  # classify and route a case (seed-000 §2.2)
    CASE_PANEL = "case.panel"  # seat and exclude people at a case's decision panel
    CASE_PROCESS = "case.process"  # see a case's process: steps, dates, deadlines, seats (no content)
    CASE_DECLARE = "case.declare"  # declare, per case, not to be involved
    CASE_READ = "case.read"  # the content of a case (also needs a declared seat at its panel)
    CASE_DECIDE = "case.decide"  # record phase-1 steps and answer process concerns
    CASE_CONCERN = "case.concern"  # raise a process concern
    CASE_GUARD = "case.guard"  # the process guardian's dashboard across organisations
    CASE_PARTIES = "case.parties"  # add, invite and write to the parties of a case; share documents with them
    INTERVENTION_MANAGE = "intervention.manage"  # phase 2: start, seat, prepare and stop a chosen follow-up
    INTERVENTION_CARRY_OUT = "intervention.carry_out"  # phase 2: carry out a follow-up one is seated for
    INVESTIGATION_MANAGE = "investigation.manage"  # phase 2: commission, change, seat, stop and adopt an investigation
    INVESTIGATION_CARRY_OUT = "investigation.carry_out"  # phase 2: investigate as the seated investigator
    CASE_CONCLUDE = "case.conclude"  # decide with reasons, tell the outcome, monitor, plan aftercare, evaluate
    CASE_CLOSE = "case.close"  # close a case (the seat or the reporting point is checked by the service)
    CASE_AFTERCARE = "case.aftercare"  # an aftercare action's owner reads and completes it
    TRENDS_MANAGE = "trends.manage"  # build sector-trend releases, ask for and approve their publication (branch)
    TRENDS_READ = "trends.read"  # read the branch's published sector-trend releases
    MEMBER_FIGURES = "member.figures"  # an organisation's own protected figures (its dashboard)
    COMPLAINT_HANDLE = "complaint.handle"  # the committee: register, seat, declare, hear, advise (seat checked)
    COMPLAINT_DECIDE = "complaint.decide"  # the employer's competent authority decides on the advice
    COMPLAINT_PROCESS = "complaint.process"  # a complaint's process or status (guardian, reporting point)
    COMPLAINT_REPORT = "complaint.report"  # the committee's annual counts
    SECTOR_REPORT = "sector.report"  # the branch's annual sector report, built from its published releases


ALL_ROLES = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.TENANT_VIEW: ALL_ROLES,
    Action.GRANTS_VIEW: frozenset({Role.TENANT_ADMIN, Role.DPO}),
    Action.GRANTS_MANAGE: frozenset({Role.TENANT_ADMIN}),
    # The audit log is the data protection officer's (issue 3 §6); it holds no case content.
    Action.AUDIT_READ: frozenset({Role.DPO}),
    # seed-000 §1.4: the reporting point receives and answers; the adviser is never the reporting point.
    Action.INTAKE_LIST: frozenset({Role.REPORTING_POINT}),
    Action.INTAKE_READ: frozenset({Role.REPORTING_POINT}),
    Action.INTAKE_REPLY: frozenset({Role.REPORTING_POINT}),
    # DESIGN §11: who receives the submissions sorts out a flood's junk; nobody else sees the list.
    Action.INTAKE_DISMISS: frozenset({Role.REPORTING_POINT}),
    # seed-000 §1.3 and Implications B.9: only the adviser works in an adviser's vault (and the database
    # adds: only their own vault); no administrator, panel member or reporting point.
    Action.VAULT_USE: frozenset({Role.ADVISER}),
    # The organisation receives the advisers' anonymised signals: its reporting point and its administrator.
    Action.SIGNALS_READ: frozenset({Role.REPORTING_POINT, Role.TENANT_ADMIN}),
    # Case handling (seed-000 §1.4, §2.2–§2.3). The role opens the door; the seat at the case's panel and
    # the declaration decide which cases (cases/services.py).
    Action.CASE_ROUTE: frozenset({Role.REPORTING_POINT}),
    Action.CASE_PANEL: frozenset({Role.REPORTING_POINT}),
    Action.CASE_PROCESS: frozenset({Role.REPORTING_POINT, Role.DECISION_MAKER, Role.EXPERT, Role.PROCESS_GUARDIAN}),
    Action.CASE_DECLARE: frozenset({Role.DECISION_MAKER, Role.EXPERT, Role.PROCESS_GUARDIAN}),
    Action.CASE_READ: frozenset({Role.DECISION_MAKER, Role.EXPERT}),
    Action.CASE_DECIDE: frozenset({Role.DECISION_MAKER}),
    Action.CASE_CONCERN: frozenset({Role.PROCESS_GUARDIAN}),
    Action.CASE_GUARD: frozenset({Role.PROCESS_GUARDIAN}),
    # The party portal (DESIGN §6): the declared decision maker decides who takes part and what they see.
    Action.CASE_PARTIES: frozenset({Role.DECISION_MAKER}),
    # Phase 2 (seed-000 §2.4, §3.2): the declared decision maker starts a chosen follow-up and seats who carries
    # it out; they see only what their part needs, per case and for a time (interventions/services.py).
    Action.INTERVENTION_MANAGE: frozenset({Role.DECISION_MAKER}),
    Action.INTERVENTION_CARRY_OUT: frozenset({Role.LINE_MANAGER, Role.FACILITATOR, Role.MEDIATOR, Role.HR}),
    # Investigations (seed-000 §2.4): the panel commissions them; the investigator is seated per case and for a
    # time and sees only what the assignment needs (investigations/services.py).
    Action.INVESTIGATION_MANAGE: frozenset({Role.DECISION_MAKER}),
    Action.INVESTIGATION_CARRY_OUT: frozenset({Role.INVESTIGATOR}),
    # The end of a case (issue 13): the declared decision maker decides and closes; the reporting point closes the
    # routes without a panel; an aftercare action's owner may hold any of these roles (the service checks that the
    # action is theirs).
    Action.CASE_CONCLUDE: frozenset({Role.DECISION_MAKER}),
    Action.CASE_CLOSE: frozenset({Role.DECISION_MAKER, Role.REPORTING_POINT}),
    Action.CASE_AFTERCARE: frozenset(
        {Role.ADVISER, Role.DECISION_MAKER, Role.EXPERT, Role.REPORTING_POINT, Role.HR, Role.LINE_MANAGER}
    ),
    Action.TRENDS_MANAGE: frozenset({Role.TENANT_ADMIN}),
    Action.TRENDS_READ: frozenset({Role.SECTOR_BOARD}),
    Action.MEMBER_FIGURES: frozenset({Role.TENANT_ADMIN, Role.DECISION_MAKER}),
    # The complaint track (complaints/, DESIGN §7): the role opens the door; the per-complaint seat with its
    # written independence declaration decides which complaints (complaints/services.py).
    Action.COMPLAINT_HANDLE: frozenset({Role.COMMITTEE_CHAIR, Role.COMMITTEE_MEMBER, Role.COMMITTEE_SECRETARY}),
    Action.COMPLAINT_DECIDE: frozenset({Role.DECISION_MAKER}),
    Action.COMPLAINT_PROCESS: frozenset(
        {
            Role.COMMITTEE_CHAIR,
            Role.COMMITTEE_MEMBER,
            Role.COMMITTEE_SECRETARY,
            Role.DECISION_MAKER,
            Role.PROCESS_GUARDIAN,
            Role.REPORTING_POINT,
        }
    ),
    Action.COMPLAINT_REPORT: frozenset({Role.COMMITTEE_CHAIR, Role.COMMITTEE_SECRETARY}),
    # The branch's annual sector report (issue 16): published cells only; the route answers 404 off a branch.
    Action.SECTOR_REPORT: frozenset({Role.TENANT_ADMIN, Role.SECTOR_BOARD}),
}

# seed-000 §1.7: the confidential adviser of an organisation is never its reporting point ("Vertrouwens-
# personen moeten echter niet als meldpunt … fungeren", H5), expert, process guardian, mediator or
# investigator. Symmetric: holding either side forbids the other in the same tenant.
INCOMPATIBLE_ROLES: frozenset[frozenset[Role]] = frozenset(
    frozenset({Role.ADVISER, other})
    for other in (Role.REPORTING_POINT, Role.EXPERT, Role.PROCESS_GUARDIAN, Role.MEDIATOR, Role.INVESTIGATOR)
)

# Which roles a branch person holds in the members that use each branch service (DESIGN §5).
BRANCH_SERVICE_ROLES: dict[str, frozenset[Role]] = {
    "advisers": frozenset({Role.ADVISER}),
    "process_guardians": frozenset({Role.PROCESS_GUARDIAN}),
    "complaints_committee": frozenset({Role.COMMITTEE_CHAIR, Role.COMMITTEE_MEMBER, Role.COMMITTEE_SECRETARY}),
    # Registered external mediators (seed-000 §1.4: "externe, onafhankelijke, professionele", MfN register),
    # whom a member that cannot keep its own engages through the branch; seated per case like any mediator.
    "mediators": frozenset({Role.MEDIATOR}),
}


def incompatible_with(role: Role, held: frozenset[Role] | set[Role]) -> Role | None:
    """A role already held that ``role`` may not be combined with, or None."""
    for other in sorted(held):
        if frozenset({role, other}) in INCOMPATIBLE_ROLES:
            return other
    return None
