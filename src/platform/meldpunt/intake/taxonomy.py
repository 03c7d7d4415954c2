"""The closed taxonomy of sector trends (seed-000 §5, DESIGN §10): the six structural risk factors of H4, the
case context factors of H6 Stap 1, power differences and contract forms. Case handling tags a case with them
(``cases.context``); ``trends`` counts them. Codes only: no free text ever goes with them."""

from __future__ import annotations

from typing import Literal, get_args

# seed-000 H4 "Zes belangrijke risico's".
StructuralRisk = Literal[
    "power_and_hierarchy",  # ongelijke macht en hiërarchie
    "insecure_positions",  # onzekere posities en afhankelijkheid
    "nature_of_work",  # aard van het werk
    "organisation_of_work",  # organisatie van het werk
    "lack_of_diversity",  # gebrek aan diversiteit en inclusie
    "lack_of_time",  # gebrek aan tijd en prioriteit
]
# seed-000 H6 Stap 1: what the panel weighs about the case's context (forms, repetition, co-occurrence, where).
ContextFactor = Literal[
    "frequent_contact",
    "repeated_reports_same_person",
    "similar_signals_about_others",
    "linked_to_other_issues",
    "team_turnover_or_absence",
    "form_nonverbal",
    "form_verbal",
    "form_physical",
    "external_perpetrator",
    "with_discrimination",
    "with_aggression",
    "with_bullying",
    "at_drinks_or_outing",
    "overnight_stay",
    "online",
    "evening_or_night",
]
PowerDifference = Literal["none", "formal", "informal", "both"]
ContractForm = Literal["permanent", "temporary", "agency", "self_employed", "intern_or_trainee", "volunteer", "unknown"]

STRUCTURAL_RISKS: tuple[str, ...] = get_args(StructuralRisk)
CONTEXT_FACTORS: tuple[str, ...] = get_args(ContextFactor)
POWER_DIFFERENCES: tuple[str, ...] = get_args(PowerDifference)
CONTRACT_FORMS: tuple[str, ...] = get_args(ContractForm)
