"""An application client on settings of a test's own (another Redis, other flood limits), watched as the
``client`` fixture is: any 5xx it receives fails the test (but a 503, when the test stops a dependency and
``unavailable_expected``: that is the answer DESIGN §13 asks for)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar.testing import AsyncTestClient

from meldpunt.app import create_app
from meldpunt.settings import Settings


@asynccontextmanager
async def watched_client(settings: Settings, *, unavailable_expected: bool = False) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    failures: list[str] = []

    async def watch(response: httpx.Response) -> None:
        if response.status_code >= 500 and not (unavailable_expected and response.status_code == 503):
            failures.append(f"{response.request.method} {response.request.url.path} -> {response.status_code}")

    async with AsyncTestClient(create_app(settings)) as test_client:
        test_client.event_hooks["response"].append(watch)
        yield test_client
    assert not failures, f"the application answered with a server error: {failures}"
