"""What every form of a case's pages does with what it sends: decode it and call the service, then back to the
page; a form that does not decode or a refusal shows the page again with what was typed. Not being at the panel
or not having declared is no form error: it is answered as the API answers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import msgspec
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template

from meldpunt.cases.controllers import OnCase, provide_on_case
from meldpunt.cases.errors import DeclareFirst, NotOnThePanel
from meldpunt.errors import DomainError
from meldpunt.web.forms import form_fields
from meldpunt.web.pages import language, same_language
from meldpunt.web.pro_texts import WORDS

Form = dict[str, Any]


class CaseFormPage(Protocol):
    """A page of one case that shows itself again after a refused form."""

    @property
    def request(self) -> Request[Any, Any, Any]: ...

    @property
    def on(self) -> OnCase: ...

    async def render(self, *, message: str | None = ..., entered: Form | None = ..., status: int = ...) -> Template: ...


Page = TypeVar("Page", bound=CaseFormPage)


def case_page_dependencies(page: Callable[[Request[Any, Any, Any], OnCase], Page]) -> dict[str, Provide]:
    """What a controller of a case's pages declares: ``on`` (the case for the viewer) and ``page`` built of it."""

    async def provide_page(request: Request[Any, Any, Any], on: NamedDependency[OnCase]) -> Page:
        return page(request, on)

    return {"on": Provide(provide_on_case), "page": Provide(provide_page)}


async def submit_on_case(
    page: CaseFormPage,
    act: Callable[[Form], Awaitable[object]],
    back: str,
    entered: Form | None = None,
    *,
    posted: Form | None = None,
) -> Template | Redirect:
    """``act`` decodes the form and calls the service; a refusal shows ``page`` again (after a refused service
    in a fresh transaction) with what was typed and ``entered``; a done form goes ``back``. ``posted``: the
    fields of a form the handler read itself (one with files)."""
    request, on = page.request, page.on
    form = posted if posted is not None else form_fields(await request.form())
    shown = {**form, **(entered or {})}
    chosen = language(request)
    try:
        await act(form)
    except (msgspec.ValidationError, ValueError):
        return await page.render(message=WORDS[chosen]["form_incomplete"], entered=shown, status=400)
    except (NotOnThePanel, DeclareFirst):
        raise
    except DomainError as refused:
        if refused.status in (403, 404):
            raise
        await on.db.rollback()
        await on.db.refresh(on.tenant)
        return await page.render(message=refused.detail_in(chosen), entered=shown, status=refused.status)
    return Redirect(same_language(request, back), status_code=303)
