"""Where a sign-in may send the browser back to: an invitation page of the same organisation's party portal,
and no other address (an open redirect would carry a signed-in professional anywhere)."""

from __future__ import annotations

import pytest

from meldpunt.identity.services import return_path

TOKEN = "Zq3-v_8" * 5


def test_an_invitation_of_the_same_organisation_is_returned_to() -> None:
    assert return_path("de-linde", f"/p/de-linde/uitnodiging/{TOKEN}") == f"/p/de-linde/uitnodiging/{TOKEN}"
    assert return_path("de-linde", f"/p/de-linde/uitnodiging/{TOKEN}?lang=en").endswith("?lang=en")


@pytest.mark.parametrize(
    "asked",
    [
        None,
        "",
        "https://elders.example/",
        "//elders.example/p/de-linde/uitnodiging/" + TOKEN,
        f"/p/het-anker/uitnodiging/{TOKEN}",
        f"/p/de-linde/uitnodiging/{TOKEN}/../../../app/t/de-linde/zaken",
        f"/p/de-linde/uitnodiging/{TOKEN}?lang=en&next=https://elders.example",
        f"/p/de-linde/uitnodiging/{TOKEN}\n",
        "/app/t/de-linde",
        f"\\\\elders.example/p/de-linde/uitnodiging/{TOKEN}",
    ],
)
def test_any_other_address_is_not(asked: str | None) -> None:
    assert return_path("de-linde", asked) == ""
