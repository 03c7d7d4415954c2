"""The committee's annual figures from the members' counts: small cells, too few members and one dominant member
hidden, with what would give them away; one organisation's own figures with k only; every shown value true."""

from __future__ import annotations

from meldpunt import disclosure
from meldpunt.complaints.schemas import CountsOut
from meldpunt.reports.annual import committee_protected

YEAR = 2026


def counts(received: int = 0, admissible: int = 0, **more: object) -> CountsOut:
    given: dict[str, object] = {
        "inadmissible": {},
        "withdrawn": 0,
        "settled": 0,
        "advice_outcomes": {},
        "decision_outcomes": {},
        "terms_kept": 0,
        "terms_late": 0,
        **more,
    }
    return CountsOut(year=YEAR, received=received, admissible=admissible, **given)  # type: ignore[arg-type]


def lines_never_single_hidden(cells: dict[tuple[str, ...], int | None]) -> None:
    assert sum(1 for value in cells.values() if value is None) != 1, cells


def test_small_cells_few_members_and_a_dominant_member_are_hidden_and_the_rest_is_true() -> None:
    members = {
        "a": counts(5, 4, inadmissible={"too_late": 1}, decision_outcomes={"well_founded": 10}, terms_kept=5),
        "b": counts(5, 4, decision_outcomes={"well_founded": 1}, terms_kept=5),
        "c": counts(5, 4, decision_outcomes={"well_founded": 1}, terms_kept=5),
        "d": counts(5, 4, terms_kept=5, terms_late=1),
    }
    shown = committee_protected(members, YEAR, disclosure.PLATFORM_RULES)
    admission = shown["admission"]
    assert admission[("inadmissible_too_late",)] is None and admission[("pending",)] is None
    assert admission[("inadmissible_anonymous",)] == 0  # nothing is nothing
    lines_never_single_hidden(admission)
    truth = {("admissible",): 16, ("*",): 20}
    assert all(admission[cell] in (None, value) for cell, value in truth.items())
    assert shown["decision"][("well_founded",)] is None  # 12 from three members, one holds ten: dominant
    lines_never_single_hidden(shown["decision"])
    terms = shown["terms"]
    assert terms[("late",)] is None and terms[("kept",)] is None and terms[("*",)] == 21
    assert shown["ended_early"] == {("withdrawn",): 0, ("settled",): 0, ("*",): 0}


def test_one_organisations_own_committee_reports_with_k_only() -> None:
    own = committee_protected({"a": counts(7, 6, inadmissible={"too_late": 1})}, YEAR, disclosure.PLATFORM_RULES)
    assert own["admission"][("*",)] == 7  # one contributor: the members rule has nothing to count
    assert own["admission"][("inadmissible_too_late",)] is None  # one complaint: still hidden,
    assert own["admission"][("admissible",)] is None  # and so is what would give it away (7 - 6)
    two = committee_protected({"a": counts(7, 7), "b": counts(7, 7)}, YEAR, disclosure.PLATFORM_RULES)
    assert two["admission"][("*",)] is None  # fourteen, but from fewer than three members


def test_the_same_counts_give_the_same_pattern() -> None:
    members = {
        m: counts(n, n - 1, inadmissible={"out_of_scope": 1}) for m, n in zip("abcde", (3, 4, 6, 2, 9), strict=True)
    }
    first = committee_protected(members, YEAR, disclosure.PLATFORM_RULES)
    again = committee_protected(dict(reversed(members.items())), YEAR, disclosure.PLATFORM_RULES)
    assert first == again
