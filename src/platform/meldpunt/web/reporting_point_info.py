"""The reporting point's own look and documents: ``/m/{tenant}/huisstijl.css`` and ``/m/{tenant}/beleid/{n}``.

The stylesheet carries only colours that pass the pattern (and contrast) check again here, so a row
written past ``tenants apply`` cannot inject CSS; the pages set no cookie, like every public page.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.tenancy.branding import COLOUR_PATTERN, MINIMUM_CONTRAST, Branding, contrast_with_white
from meldpunt.tenancy.dependencies import PUBLIC, PublicTenant
from meldpunt.tenancy.services import find_policy_text
from meldpunt.web.reporting_point import render

COLOUR = re.compile(COLOUR_PATTERN)
DEFAULT_BRANDING = Branding()
STYLESHEET_CACHE = "public, max-age=300"


def brand_colours(branding: dict[str, Any]) -> tuple[str, str]:
    """The tenant's primary and accent colour, or the defaults where a value is not a plain ``#rrggbb``
    (the primary colour also where its contrast with white is too low for text)."""
    primary = branding.get("primary_color")
    accent = branding.get("accent_color")
    if not (
        isinstance(primary, str) and COLOUR.fullmatch(primary) and contrast_with_white(primary) >= MINIMUM_CONTRAST
    ):
        primary = DEFAULT_BRANDING.primary_color
    if not (isinstance(accent, str) and COLOUR.fullmatch(accent)):
        accent = DEFAULT_BRANDING.accent_color
    return primary.lower(), accent.lower()


class ReportingPointInfo(Controller):
    path = "/m/{tenant:str}"
    include_in_schema = False

    @get("/huisstijl.css", dependencies=PUBLIC)
    async def tenant_stylesheet(self, public: NamedDependency[PublicTenant]) -> Response[str]:
        primary, accent = brand_colours(public.tenant.branding)
        return Response(
            f":root {{ --brand-primary: {primary}; --brand-accent: {accent}; }}\n",
            media_type="text/css",
            headers={"cache-control": STYLESHEET_CACHE},
        )

    @get("/beleid/{number:int}")
    async def policy_document_page(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        tenant: FromPath[str],
        number: FromPath[int],
    ) -> Template:
        """A policy text of the organisation (``find_policy_text`` finds the tenant and the text at once)."""
        found, document = await find_policy_text(db, tenant, number)
        return render(
            request,
            found,
            "m/policy.html",
            document=document,
            paragraphs=[part.strip() for part in re.split(r"\n\s*\n", document["text"]) if part.strip()],
        )


ROUTES = (ReportingPointInfo,)
