"""What a vault route declares it needs: the adviser, in their own vault. Built on ``acting`` (the route's
``Action`` checked in the path's tenant), so a handler never opens a vault by hand."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity import services as identity
from meldpunt.identity.dependencies import RouteWithoutAction, action_of
from meldpunt.identity.policy import Actor
from meldpunt.tenancy.models import Tenant
from meldpunt.vault import services


async def provide_adviser(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], acting: NamedDependency[Tenant]
) -> services.Adviser:
    """The actor as adviser of the acting tenant, with the session in their own vault."""
    adviser = services.Adviser(actor.ref, acting)
    await services.enter_vault(db, adviser)
    return adviser


async def provide_employers(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
) -> list[Tenant]:
    """Across tenants: the organisations in which the actor may do the route's action (the employers that
    hired this adviser), for the routes that are not in one tenant's path."""
    action = action_of(request.route_handler)
    if action is None:
        raise RouteWithoutAction(request.route_handler.handler_name)
    return await identity.tenants_where(db, actor, action)
