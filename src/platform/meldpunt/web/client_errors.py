"""A refusal by Litestar itself (a query that fails validation, a page that does not exist, an expired form)
shown to a browser as a friendly Dutch page; everyone else keeps the problem+json answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.config.app import AppConfig
from litestar.exceptions import HTTPException
from litestar.plugins import InitPlugin

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
    413: ("Te groot", "Wat u stuurde is te groot. Maak het kleiner of stuur minder tegelijk."),
    429: ("Even geduld", "Er kwamen te veel verzoeken tegelijk. Wacht even en probeer het opnieuw."),
}
FALLBACK = ("Niet gelukt", "Dit verzoek kon niet worden uitgevoerd. Ga terug en probeer het opnieuw.")

Page = Callable[[Request[Any, Any, Any], int, str, str], Response[Any]]


class FriendlyClientErrors(InitPlugin):
    """Registered after the problem-details plugin: wraps its handler of HTTP errors."""

    def __init__(self, page: Page, wants_html: Callable[[Request[Any, Any, Any]], bool]) -> None:
        self.page, self.wants_html = page, wants_html

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        problem = app_config.exception_handlers[HTTPException]

        def client_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
            if self.wants_html(request) and error.status_code < 500:
                title, detail = PAGE_TEXTS.get(error.status_code, FALLBACK)
                return self.page(request, error.status_code, title, detail)
            return problem(request, error)

        app_config.exception_handlers[HTTPException] = client_error
        return app_config
