"""Procedure terms (DESIGN §7): per tenant, in the tenants file under ``procedure.terms``. The seeds set
almost no terms, so they are configuration, with sensible defaults; the statutory ones may be set
shorter, never looser (``tenants apply`` refuses it)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]

# The law's outer limits: the Wbk's 7-day acknowledgement and 3-month feedback, and the GDPR's one month
# to inform the accused (seed-000 §2.7; DESIGN §7).
STATUTORY_MAXIMUM: dict[str, int] = {
    "acknowledge_days": 7,
    "inform_accused_days": 31,
    "whistleblower_feedback_days": 92,
}


class ProcedureTerms(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    acknowledge_days: Days = 7
    inform_accused_days: Days = 31  # "uiterlijk binnen één maand na de melding" (seed-000 §2.3 Stap 2)
    whistleblower_feedback_days: Days = 92
    route_days: Days = 7  # the reporting point routes a report
    panel_days: Days = 14  # the panel is formed and has declared
    first_conversation_days: Days = 14
    choice_days: Days = 42  # the weighing framework's choice
    interim_review_days: Days = 28  # an interim measure without a date of its own is reviewed after this
    follow_up_days: Days = 42  # a chosen follow-up (phase 2) is carried out, unless the panel sets its own term
    decision_days: Days = 14  # the decision maker decides once the last follow-up has ended
    # An investigation's stages (seed-000 §2.4 F: "moeten niet maanden duren"), unless the panel sets its own:
    investigation_protocol_days: Days = 14  # the investigator agrees the complete protocol
    investigation_draft_days: Days = 42  # the draft report goes to the parties
    investigation_reaction_days: Days = 14  # a party's written reaction to the draft ("redelijke termijn")
    investigation_final_days: Days = 21  # the final report, after the reactions
    investigation_days: Days = 92  # adopted by the panel (the Wbk's three months as the benchmark, H7 F)
    reminder_days: tuple[int, ...] = (7, 3, 1)
    # The complaint track's terms (DESIGN §7): the seeds give none, so they have no default; a tenant with
    # its own committee sets what its complaints regulation promises.
    complaint_receipt_days: Days | None = None  # the committee confirms it received the complaint
    committee_advice_days: Days | None = None  # the committee's judgement and advice
    complaint_decision_days: Days | None = None  # the employer's decision after the advice
    complaint_admissibility_days: Days | None = None  # the committee judges admissibility after registering
    complaint_defence_days: Days | None = None  # the accused's written defence (anchor: two weeks)
    complaint_hearing_days: Days | None = None  # both sides heard after the defence
    complaint_record_reply_days: Days | None = None  # a party reacts to their hearing record
    # Only where the regulation provides them: a reply round on the draft advice, an objection to the decision.
    complaint_draft_reply_days: Days | None = None
    complaint_objection_days: Days | None = None
    complaint_window_days: Days | None = None  # how long after the events a complaint may come (anchor: a year)


# Every stage of the complaint track needs its term before the procedure is active for a tenant (DESIGN §7;
# seed-003 Implications 16); the reply round and the objection only where the regulation provides them.
COMPLAINT_TERMS = (
    "complaint_receipt_days",
    "complaint_admissibility_days",
    "complaint_defence_days",
    "complaint_hearing_days",
    "complaint_record_reply_days",
    "committee_advice_days",
    "complaint_decision_days",
)


def missing_complaint_terms(terms: ProcedureTerms) -> list[str]:
    """The complaint track's terms a tenant has not set yet (empty: the procedure may be activated)."""
    return [name for name in COMPLAINT_TERMS if getattr(terms, name) is None]


class LooserThanStatute(ValueError):
    """A tenant's term is longer than the law allows; the message names the term and the limit."""

    def __init__(self, term: str, value: int, maximum: int) -> None:
        self.term = term
        super().__init__(f"{value} days is longer than the law allows ({maximum} days at most); a term may be shorter")


def check_terms(terms: ProcedureTerms) -> None:
    for name, maximum in STATUTORY_MAXIMUM.items():
        value = getattr(terms, name)
        if value > maximum:
            raise LooserThanStatute(name, value, maximum)


def terms_of(procedure: dict[str, Any] | None) -> ProcedureTerms:
    """The tenant's terms (stored from its tenants file), with the defaults for what it leaves out."""
    return msgspec.convert((procedure or {}).get("terms") or {}, ProcedureTerms)


class ComplaintRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What a tenant's complaints regulation says beyond its terms (seed-003 Implications 23; anchors-next §2.2):
    whether the committee's chair must be external, and whether the internal route comes first (LKOG: a complaint
    that skipped it is then inadmissible)."""

    external_chair: bool = False
    internal_route_first: bool = False


def complaint_rules_of(procedure: dict[str, Any] | None) -> ComplaintRules:
    return msgspec.convert((procedure or {}).get("complaint_rules") or {}, ComplaintRules)
