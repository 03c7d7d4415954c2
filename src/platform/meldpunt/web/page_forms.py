"""What every form of a case's pages does with what it sends: decode it and call the service, then back to the
page; a form that does not decode or a refusal shows the page again with what was typed. Not being at the panel
or not having declared is no form error: it is answered as the API answers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Redirect, Template

from meldpunt.cases.controllers import OnCase
from meldpunt.cases.errors import DeclareFirst, NotOnThePanel
from meldpunt.errors import DomainError
from meldpunt.web.forms import form_fields
from meldpunt.web.pages import language, same_language
from meldpunt.web.pro_texts import WORDS

Form = dict[str, Any]
Again = Callable[[str, Form, int], Awaitable[Template]]


async def submit_on_case(
    request: Request[Any, Any, Any],
    on: OnCase,
    act: Callable[[Form], Awaitable[object]],
    again: Again,
    back: str,
) -> Template | Redirect:
    """``act`` decodes the form and calls the service; ``again(message, entered, status)`` shows the page again
    (after a refusal in a fresh transaction); ``back`` is where a done form goes."""
    form = form_fields(await request.form())
    chosen = language(request)
    try:
        await act(form)
    except (msgspec.ValidationError, ValueError):
        return await again(WORDS[chosen]["form_incomplete"], form, 400)
    except (NotOnThePanel, DeclareFirst):
        raise
    except DomainError as refused:
        if refused.status in (403, 404):
            raise
        await on.db.rollback()
        await on.db.refresh(on.tenant)
        return await again(refused.detail_in(chosen), form, refused.status)
    return Redirect(same_language(request, back), status_code=303)
