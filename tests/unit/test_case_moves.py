"""The case's statuses and the moves between them (intake/models.py), as the services use them."""

from __future__ import annotations

import pytest

from meldpunt.intake.models import CASE_MOVES, Case, CaseStatus, StatusMoveRefused, may_move, move_case


def test_a_complaint_can_be_withdrawn_until_it_is_judged_or_closed() -> None:
    # A case the decision maker concluded (phase 3) is not withdrawn either: it is closed.
    for status in CaseStatus:
        expected = status not in (CaseStatus.JUDGED, CaseStatus.CONCLUDED, CaseStatus.CLOSED, CaseStatus.WITHDRAWN)
        assert may_move(Case(status=status), CaseStatus.WITHDRAWN) is expected, status


def test_only_a_received_case_is_dismissed_with_a_flood() -> None:
    assert [s for s in CaseStatus if CaseStatus.DISMISSED in CASE_MOVES[s]] == [CaseStatus.RECEIVED]


def test_a_move_the_table_does_not_allow_is_refused_and_leaves_the_status() -> None:
    case = Case(status=CaseStatus.CLOSED)
    with pytest.raises(StatusMoveRefused):
        move_case(case, CaseStatus.RECEIVED)
    assert case.status == "closed"  # a StrEnum: other modules compare with the plain value


def test_a_status_set_as_a_plain_string_still_moves_by_the_table() -> None:
    case = Case(status="routed")
    move_case(case, CaseStatus.IN_PROGRESS)
    assert case.status is CaseStatus.IN_PROGRESS


def test_a_panel_case_reaches_closure_only_through_its_decision() -> None:
    # routed -> panel complete -> phase-1 choice -> follow-up -> decision -> closed; no shortcut past the decision.
    path = [
        CaseStatus.IN_PROGRESS,
        CaseStatus.DECIDED,
        CaseStatus.FOLLOWING_UP,
        CaseStatus.CONCLUDED,
        CaseStatus.CLOSED,
    ]
    case = Case(status=CaseStatus.ROUTED)
    for status in path:
        move_case(case, status)
    assert not may_move(Case(status=CaseStatus.FOLLOWING_UP), CaseStatus.CLOSED)
    assert may_move(Case(status=CaseStatus.CONCLUDED), CaseStatus.IN_PROGRESS)  # escalation: weigh again
