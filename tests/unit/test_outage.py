"""Which errors mean "a dependency cannot be reached now" (503) and which are faults of ours (500)."""

from __future__ import annotations

import asyncpg
import pytest
import redis.exceptions
from sqlalchemy import exc as sa

from meldpunt.dossiers.storage import ObjectNotFound, StorageUnavailable
from meldpunt.intake.uploads import PostedForm
from meldpunt.web.outage import posted_context, unavailable_dependency


def wrapped(orig: Exception, invalidated: bool = False) -> sa.DBAPIError:
    error = sa.DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)
    error.__cause__ = orig
    return error


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (wrapped(Exception("connection is closed"), invalidated=True), "database"),
        (wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle of operation")), "database"),
        (wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")), "database"),
        (wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")), "database"),
        (wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")), "database"),
        (sa.TimeoutError("QueuePool limit of size 5 overflow 0 reached, connection timed out"), "database"),
        (StorageUnavailable("put_object: EndpointConnectionError"), "object_storage"),
        (redis.exceptions.ConnectionError("Connection refused"), "redis"),
        (sa.IntegrityError("INSERT", {}, Exception("duplicate key")), None),
        (sa.InterfaceError("SELECT", {}, Exception("another operation is in progress")), None),
        (ObjectNotFound("tenant/x"), None),
        (ConnectionRefusedError("an outgoing call of our own, not the database"), None),
        (RuntimeError("a fault of ours"), None),
    ],
)
def test_an_error_is_an_outage_only_when_a_dependency_cannot_be_reached(
    error: Exception, dependency: str | None
) -> None:
    assert unavailable_dependency(error) == dependency


def test_typed_text_is_shown_and_chosen_values_are_sent_along_unseen() -> None:
    posted = PostedForm(
        {
            "narrative": ["Het gebeurde op maandag."],
            "category": ["bullying"],
            "receipt": ["1234 5678 9012 3456"],
            "_csrf_token": ["token"],
            "name": ["Jan de Vries"],
        }
    )
    context = posted_context(posted, "nl")
    assert [(f.name, f.label, f.value) for f in context["shown"]] == [
        ("narrative", "Wat is er gebeurd?", "Het gebeurde op maandag."),
        ("name", "Uw naam", "Jan de Vries"),
    ]
    assert sorted(context["unseen"]) == [
        ("_csrf_token", "token"),
        ("category", "bullying"),
        ("receipt", "1234 5678 9012 3456"),
    ]
    assert context["had_files"] is False
