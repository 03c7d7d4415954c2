"""Refusals that do not come from a service: Litestar's own (a query that fails validation, a page that
does not exist, an expired form) and a write the database refuses as a conflict (the same thing done twice
at once). A browser gets a friendly Dutch page; everyone else problem+json. Never a 500."""

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

from meldpunt.web.health import PROBLEM_JSON

log = structlog.get_logger(__name__)

# (title, what to do): said to a person, so no field names or framework words.
PAGE_TEXTS: dict[int, tuple[str, str]] = {
    400: ("Ongeldig verzoek", "Het adres of het formulier klopt niet. Ga terug en probeer het opnieuw."),
    403: (
        "Pagina verlopen",
        "Deze pagina is verlopen of u heeft hier geen toegang. "
        "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
    ),
    404: ("Niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres of ga naar de beginpagina."),
    405: ("Niet mogelijk", "Deze pagina kan zo niet worden gebruikt. Ga terug en probeer het opnieuw."),
    409: (
        "Al gedaan",
        "Dit botst met wat er al is: het bestaat al, of iemand anders deed tegelijk hetzelfde. "
        "Laad de pagina opnieuw en kijk of het nog nodig is.",
    ),
    413: ("Te groot", "Wat u stuurde is te groot. Maak het kleiner of stuur minder tegelijk."),
    429: ("Even geduld", "Er kwamen te veel verzoeken tegelijk. Wacht even en probeer het opnieuw."),
}
FALLBACK = ("Niet gelukt", "Dit verzoek kon niet worden uitgevoerd. Ga terug en probeer het opnieuw.")

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
                title, detail = PAGE_TEXTS.get(error.status_code, FALLBACK)
                return self.page(request, error.status_code, title, detail)
            return problem(request, error)

        app_config.exception_handlers[HTTPException] = client_error
        app_config.exception_handlers[IntegrityError] = self.conflict
        return app_config

    def conflict(self, request: Request[Any, Any, Any], error: IntegrityError) -> Response[Any]:
        """The last line behind a service's own checks: two requests that did the same thing at once."""
        constraint = getattr(getattr(error.orig, "driver_exception", None), "constraint_name", None)
        log.warning("request.conflict", constraint=constraint)
        title, detail = PAGE_TEXTS[HTTP_409_CONFLICT]
        if self.wants_html(request):
            return self.page(request, HTTP_409_CONFLICT, title, detail)
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
