"""What a route declares it needs, resolved once for every handler (DESIGN §11).

A tenant route names its ``Action`` in its options (``@post(..., action=Action.CASE_ROUTE)``); the
``acting`` dependency then checks the policy for the signed-in actor in the path's ``{tenant}`` and scopes
the session to that tenant. A handler never resolves the tenant or checks the policy by hand, so the policy
of a route is visible on its decorator, in the route table (``meldpunt routes``) and to a test."""

from __future__ import annotations

from typing import Any, NamedTuple

from litestar import Litestar, Request
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity import services
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import PERMISSIONS, Action, Role
from meldpunt.tenancy.models import Tenant

ACTION = "action"  # the key of a route's options that names what it does


class RouteWithoutAction(RuntimeError):
    """A handler asked for the acting tenant but names no action: a programming error, never a request's."""


def action_of(handler: BaseRouteHandler) -> Action | None:
    """The action a route declares in its options, if any."""
    declared = handler.opt.get(ACTION)
    return Action(declared) if declared is not None else None


async def provide_acting(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> Tenant:
    """The tenant of the path in which the actor may do the route's action (Forbidden otherwise, the same
    for a tenant that does not exist), with the session scoped to it."""
    action = action_of(request.route_handler)
    if action is None:
        raise RouteWithoutAction(request.route_handler.handler_name)
    return await services.tenant_acting_in(db, actor, action, tenant)


class RouteAction(NamedTuple):
    """One row of the route table: a route, the action it names and the roles that may do it."""

    method: str
    path: str
    operation: str  # the operation id, or the handler's name for a page
    action: Action | None
    roles: tuple[Role, ...]


def http_handlers(app: Litestar) -> list[tuple[str, HTTPRouteHandler]]:
    """Every path of the application with each of its handlers (not the OPTIONS answers Litestar adds)."""
    return [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}
    ]


def route_actions(app: Litestar) -> list[RouteAction]:
    """Which route does which action, and who may (``identity.roles.PERMISSIONS``): ``meldpunt routes``."""
    rows = []
    for path, handler in http_handlers(app):
        action = action_of(handler)
        roles = tuple(sorted(PERMISSIONS.get(action, frozenset()))) if action else ()
        operation = handler.operation_id if isinstance(handler.operation_id, str) else handler.handler_name
        rows += [RouteAction(method, path, operation, action, roles) for method in sorted(handler.http_methods)]
    return sorted(rows, key=lambda row: (row.path, row.method))
