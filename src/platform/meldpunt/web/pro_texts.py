"""The words of the professional pages (reporting point, case handling, vault, signals), Dutch first with
English on request (``?lang=en``, DESIGN §2): the ``pro.*``, ``intake.*``, ``case.*``, ``vault.*`` and
``communication.*`` ids of the catalogues. Here only which names there are and in which order; no rule, no route."""

from __future__ import annotations

from typing import get_args

from meldpunt.cases import schemas as case_schemas
from meldpunt.catalogues import LANGUAGES, text
from meldpunt.intake import schemas as intake_schemas
from meldpunt.intake.models import DeadlineKind
from meldpunt.vault import schemas as vault_schemas
from meldpunt.web.i18n import named, words

# Names by group (``<prefix>.<group>.<key>``), in the order the pages list them; a group that names the values
# of a schema's Literal takes them from there (the catalogue test then fails on a value without words).
INTAKE_GROUPS: dict[str, tuple[str, ...]] = {
    "kinds": get_args(intake_schemas.Kind),
    "categories": get_args(intake_schemas.Category),
    "anonymity": get_args(intake_schemas.Anonymity),
}
CASE_GROUPS: dict[str, tuple[str, ...]] = {
    "routes": ("decision_panel", "adviser_only", "complaints_committee", "whistleblower", "police", "no_action"),
    "duties": get_args(case_schemas.LegalDuty),
    "escalations": get_args(case_schemas.Escalation),
    "seat_roles": get_args(case_schemas.PanelRole),
    "exclusion_reasons": get_args(case_schemas.ExclusionReason),
    "step_kinds": (
        "first_conversation",
        "exploration",
        "reporter_told",
        "accused_informed",
        "notice_deferred",
        "interim_measure",
        "weighing",
        "rights_explained",
        "communication",
        "interim_review",
        "scope_change",
        "police_report",
        "whistleblower_acknowledged",
        "whistleblower_feedback",
        "reporter_closed",
    ),
    "deadline_kinds": tuple(kind.value for kind in DeadlineKind),
    "options": get_args(case_schemas.Option),
    "ladder_groups": ("restore", "inform", "sanction", "criminal_or_wrongdoing"),
    "goals": get_args(case_schemas.Goal),
    "measures": get_args(case_schemas.InterimMeasure),
    "deferral_reasons": get_args(case_schemas.DeferralReason),
    "scenarios": get_args(case_schemas.LeakScenario),
    "rights_items": get_args(case_schemas.RightsItem),
    "parties": get_args(case_schemas.Party),
    "how": get_args(case_schemas.HowGiven),
    "igj_answers": get_args(case_schemas.IgjAnswer),
    "reported_by": ("reporter", "organisation", "reporting_point"),
    "applies_to": ("accused", "reporter", "both"),
    "review_outcomes": ("continue", "change", "end"),
    "scope_changes": get_args(case_schemas.ScopeChange),
    "warnings": ("anonymous_fact_finding",),
    "statuses": (
        "received",
        "routed",
        "in_progress",
        "decided",
        "following_up",
        "concluded",
        "withdrawn",
        "closed",
        "dismissed",
    ),
}
VAULT_GROUPS: dict[str, tuple[str, ...]] = {
    "channels": get_args(vault_schemas.Channel),
    "bases": get_args(vault_schemas.Basis),
    "recipients": get_args(vault_schemas.Recipient),
    "scopes": get_args(vault_schemas.Scope),
    "suggestions": get_args(vault_schemas.Suggestion),
}
# Process-only statements for the four leak scenarios (seed-000 §2.3 Stap 5): they say that a process
# runs, never what it is about.
SCENARIOS: tuple[str, ...] = get_args(case_schemas.LeakScenario)

WORDS: dict[str, dict[str, str]] = {language: words(language, "pro") for language in LANGUAGES}
INTAKE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    language: named(language, "intake", INTAKE_GROUPS) for language in LANGUAGES
}
CASE_NAMES: dict[str, dict[str, dict[str, str]]] = {
    language: named(language, "case", CASE_GROUPS) for language in LANGUAGES
}
COMMUNICATION_TEMPLATES: dict[str, dict[str, str]] = {
    language: {scenario: text(language, f"communication.{scenario}") for scenario in SCENARIOS}
    for language in LANGUAGES
}
VAULT_NAMES: dict[str, dict[str, dict[str, str]]] = {
    language: named(language, "vault", VAULT_GROUPS) for language in LANGUAGES
}
