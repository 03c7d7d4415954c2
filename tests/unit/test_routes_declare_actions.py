"""DESIGN §11: a route declares what it needs. Every tenant route (``/api/v1/t/{tenant}/…``, ``/app/t/{tenant}/…``)
names its ``Action`` and takes the ``acting`` dependency, which checks the policy and scopes the session; the public
routes name none. The application is built, not started: nothing here connects to a service."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from meldpunt.app import create_app
from meldpunt.identity.dependencies import action_of, http_handlers, route_actions
from meldpunt.identity.roles import PERMISSIONS, Action, Role
from meldpunt.settings import load_settings

TENANT_ROUTE = "/t/{tenant"
PUBLIC_ROUTES = ("/m/{tenant", "/api/v1/public/{tenant")


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(load_settings({}))


def depends_on(handler: HTTPRouteHandler, name: str) -> bool:
    """Whether the handler asks for the dependency ``name``, itself or through another dependency."""
    provided = handler.resolve_dependencies()
    wanted, seen = list(handler.parsed_fn_signature.parameters), set()
    while wanted:
        parameter = wanted.pop()
        if parameter == name:
            return True
        if parameter in seen or parameter not in provided:
            continue
        seen.add(parameter)
        wanted += list(provided[parameter].parsed_fn_signature.parameters)
    return False


def where(path: str, handler: HTTPRouteHandler) -> str:
    return f"{'/'.join(sorted(handler.http_methods))} {path} ({handler.handler_name})"


def test_the_application_has_tenant_and_public_routes_to_check(app: Litestar) -> None:
    paths = {path for path, _ in http_handlers(app)}
    assert any(TENANT_ROUTE in path and path.startswith("/api/") for path in paths)
    assert any(TENANT_ROUTE in path and path.startswith("/app/") for path in paths)
    assert all(any(path.startswith(public) for path in paths) for public in PUBLIC_ROUTES)


def test_every_tenant_route_names_its_action(app: Litestar) -> None:
    silent = [where(path, h) for path, h in http_handlers(app) if TENANT_ROUTE in path and action_of(h) is None]
    assert not silent, "tenant routes that name no action:\n" + "\n".join(silent)


def test_every_tenant_route_takes_the_acting_tenant(app: Litestar) -> None:
    by_hand = [where(path, h) for path, h in http_handlers(app) if TENANT_ROUTE in path and not depends_on(h, "acting")]
    assert not by_hand, "tenant routes that do not depend on `acting`:\n" + "\n".join(by_hand)


def test_every_named_action_is_in_the_policy_matrix(app: Litestar) -> None:
    named = {action for _, handler in http_handlers(app) if (action := action_of(handler)) is not None}
    assert named and all(PERMISSIONS.get(action) for action in named)


def test_public_routes_name_no_action_and_act_in_no_tenant(app: Litestar) -> None:
    public = [(path, h) for path, h in http_handlers(app) if path.startswith(PUBLIC_ROUTES)]
    assert public
    acting = [where(path, h) for path, h in public if action_of(h) is not None or depends_on(h, "acting")]
    assert not acting, "public routes that act as a professional:\n" + "\n".join(acting)


def test_the_route_table_names_each_route_its_action_and_roles(app: Litestar) -> None:
    rows = {(row.method, row.operation): row for row in route_actions(app)}
    routing = rows[("POST", "RouteCase")]
    assert routing.path == "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/routing"
    assert routing.action is Action.CASE_ROUTE and routing.roles == (Role.REPORTING_POINT,)
    assert rows[("GET", "ListGrants")].roles == (Role.DPO, Role.TENANT_ADMIN)
    assert rows[("GET", "GetPublicTenant")].action is None and rows[("GET", "GetPublicTenant")].roles == ()
