"""A refusal says its words from the catalogues in the reader's language: problem+json in Dutch unless the
client asks for English, a page in the page's language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from meldpunt.app import create_app
from meldpunt.settings import Settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client


async def test_a_problem_is_dutch_unless_english_is_asked_for(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    dutch = (await client.get("/api/v1/public/bestaat-niet")).json()
    assert dutch["title"] == "Onbekend meldpunt"
    assert dutch["detail"] == "Er is geen meldpunt met de naam 'bestaat-niet'."
    by_header = await client.get("/api/v1/public/bestaat-niet", headers={"accept-language": "en-GB,nl;q=0.5"})
    by_query = await client.get("/api/v1/public/bestaat-niet?lang=en", headers={"accept-language": "nl"})
    for english in (by_header.json(), by_query.json()):
        assert english["type"].endswith("/tenant-not-found") and english["status"] == 404
        assert english["title"] == "Unknown reporting point"
        assert english["detail"] == "There is no reporting point named 'bestaat-niet'."
    second = await client.get("/api/v1/public/bestaat-niet", headers={"accept-language": "nl, en"})
    assert second.json()["title"] == "Onbekend meldpunt"


async def test_an_error_page_speaks_the_language_of_the_page(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    html = {"accept": "text/html"}
    dutch = await client.get("/m/bestaat-niet", headers={**html, "accept-language": "en"})
    assert dutch.status_code == 404 and "Onbekend meldpunt" in dutch.text and 'lang="nl"' in dutch.text
    english = await client.get("/m/bestaat-niet?lang=en", headers=html)
    assert english.status_code == 404 and 'lang="en"' in english.text
    assert "Unknown reporting point" in english.text and "There is no reporting point named" in english.text
    missing = await client.get("/app/bestaat/niet?lang=en", headers=html)
    assert missing.status_code == 404 and "This page does not exist (any more)." in missing.text
