"""The API of a case's context tags (``cases.context``)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from meldpunt.cases.context import ContextIn, ContextOut, context_of, context_out, set_context
from meldpunt.cases.controllers import OnCase, provide_on_case
from meldpunt.identity.roles import Action


class CaseContextController(Controller):
    """A case's context tags for the sector trends."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/context"
    tags = ("cases",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    @get("/", operation_id="CaseContext", action=Action.CASE_PROCESS)
    async def show(self, on: NamedDependency[OnCase]) -> ContextOut:
        return context_out(await context_of(on.db, on.who, on.tenant, on.case_id, on.is_point))

    @put("/", operation_id="TagCaseContext", action=Action.CASE_DECIDE)
    async def tag(self, on: NamedDependency[OnCase], data: JSONBody[ContextIn]) -> ContextOut:
        """The structural risks and context factors of the case, as closed codes (replacing earlier tags)."""
        return context_out(await set_context(on.db, on.who, on.tenant, on.case_id, data))


ROUTES = (CaseContextController,)
