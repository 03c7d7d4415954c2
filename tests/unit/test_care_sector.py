"""Which organisations are asked the Wkkgz/IGJ question at routing (cases.services.is_care_sector)."""

from __future__ import annotations

import pytest

from meldpunt.cases.services import is_care_sector
from meldpunt.tenancy.models import Tenant


@pytest.mark.parametrize(
    ("code", "asked"),
    [
        ("86", True),  # health care
        ("86.22", True),
        ("87.1", True),  # residential care
        ("88.10", True),  # home care for the elderly and disabled
        ("88", True),  # does not say which part of 88: asked, to be safe
        ("88.91", False),  # child care: the Wet kinderopvang, not the Wkkgz
        ("85.31", False),  # education
        ("93.13", False),  # a gym
        ("8", False),
    ],
)
def test_the_igj_question_is_asked_of_care_providers_only(code: str, asked: bool) -> None:
    assert is_care_sector(Tenant(sector_code=code)) is asked
