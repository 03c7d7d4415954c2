"""The words of the professional pages (reporting point, case handling, vault, signals), Dutch first with
English on request (``?lang=en``, DESIGN §2): the ``pro.*``, ``intake.*``, ``case.*``, ``vault.*`` and
``communication.*`` ids of the catalogues. Here only which names there are and in which order; no rule, no route."""

from __future__ import annotations

from meldpunt.catalogues import LANGUAGES, text
from meldpunt.web.i18n import named, words

# Names by group (``<prefix>.<group>.<key>``), in the order the pages list them.
INTAKE_GROUPS: dict[str, tuple[str, ...]] = {
    "kinds": ("report", "signal", "complaint"),
    "categories": ("sexual_harassment", "aggression", "bullying", "discrimination", "integrity", "unclear"),
    "anonymity": ("anonymous", "anonymous_with_contact", "confidential"),
}
CASE_GROUPS: dict[str, tuple[str, ...]] = {
    "routes": ("decision_panel", "adviser_only", "complaints_committee", "whistleblower", "police", "no_action"),
    "duties": ("police_report_duty", "care_sector_duty", "education_sector_duty", "whistleblower_wrongdoing"),
    "escalations": ("higher_manager", "supervisory_board", "branch"),
    "seat_roles": ("decision_maker", "expert", "process_guardian"),
    "exclusion_reasons": ("accused", "accused_manager", "declared_link"),
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
    ),
    "deadline_kinds": (
        "acknowledge",
        "route",
        "inform_accused",
        "panel",
        "first_conversation",
        "choice",
        "interim_review",
        "deferral_review",
        "whistleblower_feedback",
    ),
    "options": (
        "informal_conversation",
        "corrective_conversation",
        "group_conversation",
        "bemiddeling",
        "mediation",
        "fact_investigation",
        "culture_investigation",
        "system_investigation",
        "labour_law_measure",
        "disciplinary_measure",
        "police_report",
        "whistleblower_report",
    ),
    "ladder_groups": ("restore", "inform", "sanction", "criminal_or_wrongdoing"),
    "goals": ("restore_safety", "norm_setting", "establish_facts", "sanction", "learn_and_prevent"),
    "measures": ("no_contact", "other_shift_or_location", "leave_with_pay", "other_work", "supervision"),
    "deferral_reasons": ("traceability_of_reporter", "reprisal_risk", "evidence_at_risk", "reporter_safety"),
    "scenarios": ("no_communication", "internal_leak", "external_leak", "public_without_report"),
    "rights_items": (
        "confidentiality",
        "information_and_timeline",
        "expectations",
        "right_of_reply",
        "right_of_defence",
        "support_person",
        "aftercare",
        "complaint_or_objection",
    ),
    "parties": ("reporter", "accused"),
    "statuses": ("received", "routed", "in_progress", "decided", "withdrawn", "closed", "dismissed"),
}
VAULT_GROUPS: dict[str, tuple[str, ...]] = {
    "channels": ("in_person", "phone", "video", "email", "chat"),
    "bases": ("consent", "duty_to_report", "court_order"),
    "recipients": (
        "reporting_point",
        "decision_panel",
        "complaints_committee",
        "police",
        "company_doctor",
        "care_provider",
    ),
    "scopes": ("fact_of_contact", "summary", "identity", "documents"),
    "suggestions": (
        "team_conversation",
        "leadership_training",
        "code_of_conduct",
        "workload",
        "working_alone",
        "information",
    ),
}
# Process-only statements for the four leak scenarios (seed-000 §2.3 Stap 5): they say that a process
# runs, never what it is about.
SCENARIOS = ("no_communication", "internal_leak", "external_leak", "public_without_report")

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
