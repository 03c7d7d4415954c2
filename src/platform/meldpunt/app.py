"""``create_app(settings)``: the Litestar application with its middleware, routes and error handling.

Errors leave as ``application/problem+json``; an unreachable dependency answers 503 (``web/outage.py``); an
unexpected error is logged by type and request id only (never the request body) and answered with a 500.
"""

from __future__ import annotations

import secrets
import traceback
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import structlog
from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt import __version__
from meldpunt.cases.context_controllers import ROUTES as case_context_routes
from meldpunt.cases.controllers import ROUTES as case_routes
from meldpunt.cases.outcome_controllers import ROUTES as case_outcome_routes
from meldpunt.cases.party_controllers import ROUTES as case_party_routes
from meldpunt.catalogues import text
from meldpunt.complaints.controllers import ROUTES as complaint_routes
from meldpunt.errors import DomainError
from meldpunt.identity.controllers import ROUTES as identity_routes
from meldpunt.identity.controllers import provide_actor
from meldpunt.identity.demo_provider import ROUTES as demo_provider_routes
from meldpunt.identity.dependencies import provide_acting
from meldpunt.identity.errors import NotSignedIn
from meldpunt.intake.controllers import ROUTES as intake_routes
from meldpunt.interventions.controllers import ROUTES as intervention_routes
from meldpunt.investigations.controllers import ROUTES as investigation_routes
from meldpunt.parties.controllers import ROUTES as party_routes
from meldpunt.reports.controllers import ROUTES as report_routes
from meldpunt.settings import Settings, load_settings
from meldpunt.tenancy.controllers import get_public_tenant
from meldpunt.trends.controllers import ROUTES as trend_routes
from meldpunt.vault.controllers import ROUTES as vault_routes
from meldpunt.web.annual_pages import ROUTES as annual_page_routes
from meldpunt.web.case_outcome_pages import ROUTES as case_outcome_page_routes
from meldpunt.web.case_pages import ROUTES as case_page_routes
from meldpunt.web.case_party_pages import ROUTES as case_party_page_routes
from meldpunt.web.client_errors import ClientErrors
from meldpunt.web.complaint_pages import ROUTES as complaint_page_routes
from meldpunt.web.dashboard_pages import ROUTES as dashboard_page_routes
from meldpunt.web.health import PROBLEM_JSON, live, ready
from meldpunt.web.hostile_input import refuse_hostile_input
from meldpunt.web.i18n import context_for, install_translations, language_of, problem_language
from meldpunt.web.intervention_pages import ROUTES as intervention_page_routes
from meldpunt.web.investigation_pages import ROUTES as investigation_page_routes
from meldpunt.web.middleware import request_context_middleware
from meldpunt.web.outage import unless_unavailable
from meldpunt.web.pages import ROUTES as page_routes
from meldpunt.web.party_pages import ROUTES as party_page_routes
from meldpunt.web.report_view import install_report_helpers
from meldpunt.web.reporting_point import ROUTES as reporting_point_routes
from meldpunt.web.reporting_point_info import ROUTES as reporting_point_info_routes
from meldpunt.web.resources import Resources
from meldpunt.web.sector_pages import ROUTES as sector_page_routes
from meldpunt.web.submission_pages import ROUTES as submission_page_routes
from meldpunt.web.vault_pages import ROUTES as vault_page_routes

log = structlog.get_logger(__name__)
WEB_DIR = Path(__file__).resolve().parent / "web"


async def provide_db(state: State) -> AsyncGenerator[AsyncSession, None]:
    """One session per request: committed when the handler succeeds, rolled back when it raises."""
    resources: Resources = state.resources
    async with resources.sessionmaker() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        else:
            await session.commit()


def stack_frames(error: BaseException, limit: int = 12) -> list[str]:
    """Where an error happened (file, line, function) without its message, which may quote content."""
    frames = traceback.extract_tb(error.__traceback__)[-limit:]
    return [f"{frame.filename.rsplit('/site-packages/', 1)[-1]}:{frame.lineno} in {frame.name}" for frame in frames]


def from_resources(attribute: str) -> Provide:
    """A dependency handing the handler one of the process's open resources (``Resources.<attribute>``)."""

    def provide(state: State) -> Any:
        return getattr(state.resources, attribute)

    return Provide(provide, sync_to_thread=False)


def dependencies(settings: Settings) -> dict[str, Provide]:
    """What a handler may ask for by name: the request's session, the settings, the open resources, the
    signed-in actor and the tenant it acts in (by the route's action, identity/dependencies.py)."""
    return {
        "db": Provide(provide_db),
        "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
        "oidc": from_resources("oidc"),
        "sessions": from_resources("sessions"),
        "actor": Provide(provide_actor),
        "acting": Provide(provide_acting),
        "redis": from_resources("redis"),
        "keyring": from_resources("keyring"),
        "flood_guard": from_resources("flood_guard"),
        "store": from_resources("object_store"),
    }


def route_handlers(settings: Settings) -> list[ControllerRouterHandler]:
    return [
        live,
        ready,
        get_public_tenant,
        *identity_routes,
        *intake_routes,
        *vault_routes,
        *case_routes,
        *page_routes,
        *submission_page_routes,
        *reporting_point_routes,
        *reporting_point_info_routes,
        *vault_page_routes,
        *case_page_routes,
        *case_party_routes,
        *party_routes,
        *party_page_routes,
        *case_party_page_routes,
        *intervention_routes,
        *investigation_routes,
        *intervention_page_routes,
        *investigation_page_routes,
        *complaint_routes,
        *complaint_page_routes,
        *case_outcome_routes,
        *case_context_routes,
        *trend_routes,
        *sector_page_routes,
        *dashboard_page_routes,
        *report_routes,
        *annual_page_routes,
        *case_outcome_page_routes,
        *(demo_provider_routes if settings.demo_identity_provider else ()),
        create_static_files_router(path="/static", directories=[WEB_DIR / "static"], include_in_schema=False),
    ]


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key or secrets.token_urlsafe(32),
        cookie_name="mp_csrf",
        header_name="x-csrf-token",
        cookie_secure=settings.session_cookie_secure,
        cookie_samesite="lax",
        # No cookie at all on the public side (DESIGN §11), nor where a third party posts to us.
        exclude=[
            "^/$",
            "^/m/",
            "^/api/v1/public/",
            "^/p/",
            "^/api/v1/p/",
            "^/health/",
            "^/schema",
            "^/static/",
            "^/auth/callback",
            "^/demo-idp/",
        ],
    )


def unexpected_error(request: Request[object, object, State], error: Exception) -> Response[Any]:
    log.error("request.failed", error=type(error).__name__, frames=stack_frames(error))
    if wants_html(request):
        language = page_language(request)
        title, detail = text(language, "error.internal.title"), text(language, "error.internal")
        return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, title, detail)
    return Response(
        {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": HTTP_500_INTERNAL_SERVER_ERROR,
            "detail": text(problem_language_of(request), "error.internal"),
        },
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=PROBLEM_JSON,
    )


def wants_html(request: Request[object, object, State]) -> bool:
    """A browser on a page (not the API): errors become friendly Dutch pages instead of problem JSON."""
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(
        ("/api/", "/health", "/schema", "/demo-idp/token")
    )


def page_language(request: Request[object, object, State]) -> str:
    return language_of(request.query_params.get("lang"), request.headers.get("accept-language"))


def problem_language_of(request: Request[object, object, State]) -> str:
    return problem_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def error_page(request: Request[object, object, State], status: int, title: str, detail: str) -> Response[Any]:
    context = context_for(page_language(request))
    return Template("message.html", context={**context, "title": title, "detail": detail}, status_code=status)


def domain_error(request: Request[object, object, State], error: DomainError) -> Response[Any]:
    """A refused rule, in the words of its message id: a page in the page's language, problem+json in Dutch
    unless the client asks for English (``?lang=en`` or ``Accept-Language: en``)."""
    if wants_html(request):
        if isinstance(error, NotSignedIn):
            return Redirect("/", status_code=303)
        language = page_language(request)
        return error_page(request, error.status, error.title_in(language), error.detail_in(language))
    language = problem_language_of(request)
    return Response(
        {
            "type": f"https://meldpunt.nl/problems/{error.slug}",
            "title": error.title_in(language),
            "status": error.status,
            "detail": error.detail_in(language),
        },
        status_code=error.status,
        media_type=PROBLEM_JSON,
    )


def openapi_config() -> OpenAPIConfig:
    renderer = JsonRenderPlugin(path=["/", "/openapi.json"])
    return OpenAPIConfig(title="Meldpunt", version=__version__, path="/schema", render_plugins=[renderer])


def install_template_helpers(engine: JinjaTemplateEngine) -> None:
    """The pages' Jinja environment: gettext in the page's language and the annual report's helpers."""
    install_translations(engine)
    install_report_helpers(engine)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    async def open_resources(app: Litestar) -> None:
        app.state.resources = Resources.open(settings)

    async def close_resources(app: Litestar) -> None:
        await app.state.resources.close()

    return Litestar(
        route_handlers=route_handlers(settings),
        template_config=TemplateConfig(
            directory=WEB_DIR / "templates", engine=JinjaTemplateEngine, engine_callback=install_template_helpers
        ),
        csrf_config=csrf_config(settings),
        dependencies=dependencies(settings),
        middleware=[request_context_middleware, refuse_hostile_input],
        plugins=[
            ProblemDetailsPlugin(ProblemDetailsConfig(enable_for_all_http_exceptions=True)),
            ClientErrors(error_page, wants_html),
        ],
        exception_handlers={DomainError: domain_error, Exception: unless_unavailable(unexpected_error, wants_html)},
        on_startup=[open_resources],
        on_shutdown=[close_resources],
        openapi_config=openapi_config(),
        state=State({"settings": settings}),
        logging_config=None,
        debug=False,
    )
