"""Case handling's closed lists: the API's literals and the enums on the columns name the same values, and
a seat's declaration is made once."""

from __future__ import annotations

import typing
import uuid
from enum import StrEnum

import pytest

from meldpunt.cases import schemas
from meldpunt.cases.errors import AlreadyDeclared
from meldpunt.cases.models import (
    Escalation,
    ExclusionReason,
    IgjAnswer,
    Involvement,
    PanelMember,
    PanelRole,
    Route,
    ScopeChange,
    StepKind,
    declare_seat,
)


@pytest.mark.parametrize(
    ("literal", "enum"),
    [
        (schemas.Route, Route),
        (schemas.Escalation, Escalation),
        (schemas.PanelRole, PanelRole),
        (schemas.ExclusionReason, ExclusionReason),
        (schemas.ScopeChange, ScopeChange),
        (schemas.IgjAnswer, IgjAnswer),
    ],
)
def test_the_api_literals_are_the_column_enums(literal: typing.Any, enum: type[StrEnum]) -> None:
    assert set(typing.get_args(literal)) == {member.value for member in enum}


def test_every_step_type_is_a_step_kind() -> None:
    """The panel's steps, the steps of the routes without a panel and the reporter's step from the inbox."""
    kinds = (*typing.get_args(schemas.Step), *typing.get_args(schemas.RouteStep), schemas.ReporterClosed)
    tags = [kind.__struct_config__.tag for kind in kinds]
    assert sorted(tags) == sorted(member.value for member in StepKind)


def test_a_declaration_is_made_once_and_never_changed() -> None:
    seat = PanelMember(tenant_id=uuid.uuid4(), id=uuid.uuid4(), case_id=uuid.uuid4(), role=PanelRole.EXPERT)
    declare_seat(seat, Involvement.NOT_INVOLVED)
    assert seat.declaration == "not_involved"
    for answer in Involvement:
        with pytest.raises(AlreadyDeclared):
            declare_seat(seat, answer)
    assert seat.declaration == Involvement.NOT_INVOLVED
