"""When a dependency cannot be reached (PostgreSQL, object storage, Redis): 503 with ``Retry-After``, never 500.

The API answers problem+json; a page answers a friendly page (Dutch, English with ``?lang=en``) that needs
no database and gives back what the person posted, in a form that sends it again. Nothing posted is logged.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import redis.exceptions
import structlog
from litestar import Request, Response
from litestar.response import Template
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from litestar.types import Receive, Scope, Send
from sqlalchemy import exc as sa

from meldpunt.catalogues import LANGUAGES
from meldpunt.dossiers.storage import StorageUnavailable
from meldpunt.intake.uploads import PostedForm, posted_again
from meldpunt.web.i18n import context_for, language_of, words

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 30
# PostgreSQL's own "not now": connection failures (08), shutdown and start-up (57P), too many connections.
POSTGRES_UNAVAILABLE = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)
# Where a bare OSError or TimeoutError means the database cannot be reached: raised while connecting.
DATABASE_CODE = ("/asyncpg/", "/sqlalchemy/")
# Posted fields that are not typed text: sent again, not shown.
NOT_SHOWN = frozenset({"_csrf_token", "receipt", "concept", "code", "confirm"})
# A value that was chosen rather than typed: an option, a date, an id.
CHOSEN = re.compile(r"[a-z0-9_.:-]{0,64}")

# The words of the page and of the problem answer: ``outage.*`` in the catalogues.
TEXTS: dict[str, dict[str, str]] = {language: words(language, "outage") for language in LANGUAGES}


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending += [current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None]


def _raised_in(error: BaseException, places: tuple[str, ...]) -> bool:
    return any(place in frame.filename for frame in traceback.extract_tb(error.__traceback__) for place in places)


def unavailable_dependency(error: BaseException) -> str | None:
    """Which dependency ``error`` says cannot be reached now ("database", "object_storage", "redis"), if any."""
    for cause in _chain(error):
        if isinstance(cause, StorageUnavailable):
            return "object_storage"
        if isinstance(cause, sa.DBAPIError) and cause.connection_invalidated:
            return "database"
        if isinstance(cause, (sa.TimeoutError, *POSTGRES_UNAVAILABLE)):
            return "database"
        if isinstance(cause, (OSError, TimeoutError)) and _raised_in(cause, DATABASE_CODE):
            return "database"
        if isinstance(cause, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
            return "redis"
    return None


Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def unless_unavailable(fallback: Handler, is_page: Callable[[Request[Any, Any, Any]], bool]) -> Handler:
    """An exception handler that answers 503 for an unreachable dependency and leaves the rest to ``fallback``."""

    def handle(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
        dependency = unavailable_dependency(error)
        if dependency is None:
            return fallback(request, error)
        log.warning("request.unavailable", dependency=dependency, error=type(error).__name__)
        language = language_of(request.query_params.get("lang"))
        if is_page(request):
            return UnavailablePage(language)
        return Response(
            {
                "type": "https://meldpunt.nl/problems/unavailable",
                "title": "Service Unavailable",
                "status": HTTP_503_SERVICE_UNAVAILABLE,
                "detail": TEXTS["nl"]["problem"],
            },
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            media_type=PROBLEM_JSON,
            headers={"retry-after": str(RETRY_AFTER_SECONDS)},
        )

    return handle


@dataclass(frozen=True)
class ShownField:
    name: str
    label: str
    value: str


def posted_context(posted: PostedForm | None, language: str) -> dict[str, Any]:
    """The posted fields as the page shows them: typed text in text boxes, the rest sent along unseen."""
    texts = TEXTS[language]
    shown: list[ShownField] = []
    unseen: list[tuple[str, str]] = []
    for name, values in (posted.fields if posted else {}).items():
        for value in values:
            if name in NOT_SHOWN or CHOSEN.fullmatch(value.strip()):
                unseen.append((name, value))
            else:
                shown.append(ShownField(name, texts.get(name, texts["your_text"]), value))
    return {"shown": shown, "unseen": unseen, "had_files": bool(posted and posted.files)}


class UnavailablePage(Template):
    """The friendly 503 page. Exception handlers are synchronous and the handler may have failed before it
    read the form, so what was posted is read when the page is sent."""

    def __init__(self, language: str) -> None:
        super().__init__(
            "unavailable.html",
            context={**context_for(language), "o": TEXTS[language]},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"retry-after": str(RETRY_AFTER_SECONDS)},
        )
        self.language = language

    def to_asgi_response(self, app: Any, request: Request[Any, Any, Any], **options: Any) -> ASGIResponse:
        return _ReadThenRender(self, request, options)


class _ReadThenRender(ASGIResponse):
    def __init__(self, page: UnavailablePage, request: Request[Any, Any, Any], options: dict[str, Any]) -> None:
        super().__init__(status_code=HTTP_503_SERVICE_UNAVAILABLE)
        self.page, self.request, self.options = page, request, options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            posted = await posted_again(self.request)
        except Exception as error:  # the page is sent all the same, without what could not be read
            log.warning("request.posted_unreadable", error=type(error).__name__)
            posted = None
        action = self.request.url.path + (f"?{self.request.url.query}" if self.request.url.query else "")
        self.page.context.update(posted_context(posted, self.page.language), action=action)
        response = Template.to_asgi_response(self.page, None, self.request, **self.options)
        await response(scope, receive, send)
