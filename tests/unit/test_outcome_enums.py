"""The end of a case's closed lists: the API's literals and the enums on the columns name the same values."""

from __future__ import annotations

import typing
from enum import StrEnum

import pytest

from meldpunt.cases import outcome_models as models
from meldpunt.cases import outcome_schemas as schemas
from meldpunt.cases.outcome import HEARD_FIRST


@pytest.mark.parametrize(
    ("literal", "enum"),
    [
        (schemas.Finding, models.Finding),
        (schemas.MeasureKind, models.MeasureKind),
        (schemas.TeamTemplate, models.TeamTemplate),
        (schemas.AftercareParty, models.AftercareParty),
        (schemas.AftercareKind, models.AftercareKind),
        (schemas.Perspective, models.Perspective),
    ],
)
def test_the_api_literals_are_the_column_enums(literal: typing.Any, enum: type[StrEnum]) -> None:
    assert set(typing.get_args(literal)) == {member.value for member in enum}


def test_a_sanction_needs_the_accused_heard_but_an_improvement_plan_and_a_disciplinary_complaint_do_not() -> None:
    assert models.MeasureKind.DISMISSAL in HEARD_FIRST and models.MeasureKind.OFFICIAL_WARNING in HEARD_FIRST
    assert models.MeasureKind.IMPROVEMENT_PLAN not in HEARD_FIRST
    assert models.MeasureKind.DISCIPLINARY_COMPLAINT not in HEARD_FIRST
