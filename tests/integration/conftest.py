"""The application under test, for the integration tests that talk HTTP to it.

Every response the client receives is watched: a test that makes the application answer with a 5xx fails
at teardown, whatever the test itself asserted (bad input gets a clear error, never a 500).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from meldpunt.app import create_app
from meldpunt.settings import Settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    failures: list[str] = []

    async def watch(response: httpx.Response) -> None:
        if response.status_code >= 500:
            failures.append(f"{response.request.method} {response.request.url.path} -> {response.status_code}")

    async with AsyncTestClient(create_app(settings)) as test_client:
        test_client.event_hooks["response"].append(watch)
        yield test_client
    assert not failures, f"the application answered with a server error: {failures}"
