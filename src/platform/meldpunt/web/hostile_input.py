"""Refuses, before any handler or the database sees it, input that no honest client sends.

A NUL byte in the path, the query or a text of a JSON or form body (PostgreSQL cannot store it in text),
a lone surrogate, a JSON body that is malformed, not UTF-8 or nested deeper than any of our schemas: a
clear 400 here, never a 500 further in. It only reads: nothing of the request is logged or kept.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from meldpunt.errors import DomainError, Refused

# Our deepest schema nests a few levels; 32 leaves room and stays far from Python's recursion limit.
MAX_JSON_DEPTH = 32
# Litestar's default request body limit; a JSON body is buffered here, so it is bounded here too.
MAX_JSON_BYTES = 10 * 1024 * 1024


class RefusedInput(Refused, status=400, slug="refused-input"):
    """``nul``, ``not-unicode``, ``not-utf-8``, ``too-deep`` (``depth``) or ``unreadable`` (``error``)."""


class RequestTooLarge(DomainError, status=413, slug="request-too-large"): ...


def check_text(value: str) -> None:
    """A text PostgreSQL can store: no NUL, no lone surrogate (which is not UTF-8)."""
    if "\x00" in value:
        raise RefusedInput("nul")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RefusedInput("not-unicode") from None


def check_json_value(document: Any) -> None:
    """Every key and text of a decoded JSON document, without recursion, with a bound on the depth."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise RefusedInput("too-deep", depth=MAX_JSON_DEPTH)
        if isinstance(value, str):
            check_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                check_text(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def check_json_body(body: bytes) -> None:
    """A JSON body that is UTF-8 and decodes within our bounds. Whether it fits the route's schema is the
    route's own validation, which names the field."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedInput("not-utf-8") from None
    if not body.strip():
        return  # no body at all: the route says whether it needs one
    try:
        document = msgspec.json.decode(body)
    except RecursionError:
        raise RefusedInput("too-deep", depth=MAX_JSON_DEPTH) from None
    except msgspec.DecodeError as error:  # also a lone surrogate, which msgspec calls "truncated"
        raise RefusedInput("unreadable", error=str(error)) from None
    check_json_value(document)


def check_target(scope: Scope) -> None:
    """The path (already percent-decoded) and the query string (still encoded) carry no NUL."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    check_text(path)
    if b"\x00" in query or b"%00" in query:
        raise RefusedInput("nul")


def content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            return str(value.decode("latin-1").lower())
    return ""


async def read_body(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    """The whole body and the messages it came in (to replay them to the application)."""
    messages: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > MAX_JSON_BYTES:
            raise RequestTooLarge()
        if not message.get("more_body", False):
            break
    return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request"), messages


def check_body(kind: str, body: bytes) -> None:
    if "json" in kind:
        check_json_body(body)
    elif kind.startswith("application/x-www-form-urlencoded") and (b"\x00" in body or b"%00" in body):
        # In a url-encoded form a literal % is sent as %25, so %00 can only be a NUL.
        raise RefusedInput("nul")


def refuse_hostile_input(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: raises RefusedInput (400) for the input above; everything else passes unchanged."""

    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        check_target(scope)
        kind = content_type(scope)
        if "json" not in kind and not kind.startswith("application/x-www-form-urlencoded"):
            await app(scope, receive, send)
            return
        body, messages = await read_body(receive)
        check_body(kind, body)

        async def replay() -> ReceiveMessage:
            return messages.pop(0) if messages else await receive()

        await app(scope, replay, send)

    return guard
