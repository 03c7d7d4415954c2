"""An organisation's own figures (``/app/t/{tenant}/cijfers``): its cases per quarter, the terms it kept and its
open deadlines, small counts protected (``reports.dashboard``), for its administrators and decision makers."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from meldpunt.identity.roles import Action
from meldpunt.reports import dashboard
from meldpunt.tenancy.models import Tenant
from meldpunt.web.pages import AT_TENANT, AtTenant


class DashboardPage(Controller):
    path = "/app/t/{tenant:str}/cijfers"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/", action=Action.MEMBER_FIGURES)
    async def figures(self, at: NamedDependency[AtTenant]) -> Template:
        branch = await at.db.get(Tenant, at.acting.branch_id) if at.acting.branch_id else None
        shown = await dashboard.member_figures(at.db, at.acting, branch, datetime.now(UTC))
        return Template(
            "dashboard.html",
            context={
                **at.shell(),
                "figures": shown,
                "kinds": dashboard.KINDS,
                "terms": dashboard.TERMS,
                "deadline_kinds": [code for (code,) in shown.open_now if code != "*"],
            },
        )


ROUTES = (DashboardPage,)
