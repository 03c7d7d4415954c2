"""Request context and response headers for every HTTP request.

On the public side (``/m/…``, ``/api/v1/public/…`` and the party portal ``/p/…``, ``/api/v1/p/…``) the client
address and identifying headers are removed from the request before any handler or logger can see them (DESIGN §11).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from meldpunt.errors import DomainError

log = structlog.get_logger("meldpunt.request")

PUBLIC_PREFIXES = ("/m/", "/api/v1/public/", "/p/", "/api/v1/p/")
# The party portal's link carries its token in the path (a page without JavaScript cannot read a fragment):
# the log names the path without it.
_PORTAL_TOKEN = re.compile(r"^(/p/[^/]+/uitnodiging/)[^/]+")
# Headers that identify or locate a person; none of them is visible on the public side.
IDENTIFYING_HEADERS = frozenset(
    {
        b"user-agent",
        b"x-forwarded-for",
        b"x-real-ip",
        b"forwarded",
        b"cf-connecting-ip",
        b"true-client-ip",
        b"x-client-ip",
        b"via",
        b"referer",
        b"sec-ch-ua",
        b"sec-ch-ua-platform",
        b"sec-ch-ua-mobile",
    }
)
SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def logged_path(path: str) -> str:
    """The path as the request log names it: a party's invitation token is never written down."""
    return _PORTAL_TOKEN.sub(r"\1{token}", path)


def status_of(error: Exception) -> int:
    """The status an error leaving the route is answered with: an HTTP error's own, a domain error's own."""
    if isinstance(error, HTTPException):
        return error.status_code
    if isinstance(error, DomainError):
        return error.status
    return HTTP_500_INTERNAL_SERVER_ERROR


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        path: str = scope["path"]
        if is_public_path(path):
            scope["client"] = None
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTIFYING_HEADERS]
        request_id = uuid.uuid4().hex
        tenant = scope.get("path_params", {}).get("tenant")
        structlog.contextvars.bind_contextvars(request_id=request_id, **({"tenant": tenant} if tenant else {}))
        started = time.perf_counter()
        status: dict[str, Any] = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"server"]
                message["headers"] = [*headers, *SECURITY_HEADERS, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        except Exception as error:
            # Refused by a middleware (CSRF, the input guard) before any response: the application's
            # exception handlers, outside this middleware, answer with the status the error carries.
            status.setdefault("code", status_of(error))
            raise
        finally:
            log.info(
                "request.completed",
                method=scope["method"],
                path=logged_path(path),
                status=status.get("code", HTTP_500_INTERNAL_SERVER_ERROR),
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()

    return middleware
