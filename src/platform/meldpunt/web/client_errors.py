"""Refusals that do not come from a service: Litestar's own (a query that fails validation, a page that
does not exist, an expired form) and a write the database refuses as a conflict (the same thing done twice
at once). A browser gets a friendly page (Dutch, English with ``?lang=en``); everyone else problem+json. Never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from litestar import Request, Response
from litestar.config.app import AppConfig
from litestar.exceptions import HTTPException
from litestar.plugins import InitPlugin
from litestar.status_codes import HTTP_409_CONFLICT
from sqlalchemy.exc import IntegrityError

from meldpunt.catalogues import text
from meldpunt.web.health import PROBLEM_JSON
from meldpunt.web.i18n import language_of, problem_language

log = structlog.get_logger(__name__)

# What a person is told of each status (title and what to do, ``error.http-<status>`` in the catalogues): no
# field names or framework words.
SAID_STATUSES = frozenset({400, 403, 404, 405, 409, 413, 429})


def said(status: int, language: str) -> tuple[str, str]:
    message_id = f"error.http-{status}" if status in SAID_STATUSES else "error.http"
    return text(language, f"{message_id}.title"), text(language, message_id)


Page = Callable[[Request[Any, Any, Any], int, str, str], Response[Any]]
WantsHtml = Callable[[Request[Any, Any, Any]], bool]


class ClientErrors(InitPlugin):
    """Registered after the problem-details plugin: wraps its handler of HTTP errors and answers a
    conflict in the database (a unique, foreign-key or check constraint) with 409."""

    def __init__(self, page: Page, wants_html: WantsHtml) -> None:
        self.page, self.wants_html = page, wants_html

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        problem = app_config.exception_handlers[HTTPException]

        def client_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
            if self.wants_html(request) and error.status_code < 500:
                title, detail = said(error.status_code, language_of(request.query_params.get("lang")))
                return self.page(request, error.status_code, title, detail)
            return problem(request, error)

        app_config.exception_handlers[HTTPException] = client_error
        app_config.exception_handlers[IntegrityError] = self.conflict
        return app_config

    def conflict(self, request: Request[Any, Any, Any], error: IntegrityError) -> Response[Any]:
        """The last line behind a service's own checks: two requests that did the same thing at once."""
        constraint = getattr(getattr(error.orig, "driver_exception", None), "constraint_name", None)
        log.warning("request.conflict", constraint=constraint)
        if self.wants_html(request):
            title, detail = said(HTTP_409_CONFLICT, language_of(request.query_params.get("lang")))
            return self.page(request, HTTP_409_CONFLICT, title, detail)
        title, detail = said(
            HTTP_409_CONFLICT,
            problem_language(request.query_params.get("lang"), request.headers.get("accept-language")),
        )
        return Response(
            {
                "type": "https://meldpunt.nl/problems/conflict",
                "title": title,
                "status": HTTP_409_CONFLICT,
                "detail": detail,
            },
            status_code=HTTP_409_CONFLICT,
            media_type=PROBLEM_JSON,
        )
