"""The annual reports as pages and as PDF downloads (``/app/t/{tenant}/jaarverslag/{soort}/{jaar}`` and
``…/{jaar}.pdf``): the adviser's (``vertrouwenspersoon``), the complaints committee's (``klachtencommissie``) and
the branch's sector report (``sector``), each with its own reader (``reports.annual.READERS``), a year chooser
and Dutch or English (``?lang=`` or the browser's). The page and the PDF show one ``Report``, so never different
figures. A year that is not a year of the platform answers with a friendly page, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import anyio
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from meldpunt.identity.roles import Action
from meldpunt.reports import annual
from meldpunt.reports.model import ReportKind
from meldpunt.settings import Settings
from meldpunt.trends.facts import fact_secret
from meldpunt.web.pages import AT_TENANT, AtTenant, language, same_language

# The Dutch address of each kind (DESIGN §11: the professional pages speak Dutch).
SLUGS: dict[ReportKind, str] = {"adviser": "vertrouwenspersoon", "committee": "klachtencommissie", "sector": "sector"}
YEAR = re.compile(r"(?P<year>[0-9]{4})(?P<pdf>\.pdf)?")


def report_path(slug: str, kind: ReportKind, year: int | None = None) -> str:
    return f"/app/t/{slug}/jaarverslag/{SLUGS[kind]}" + (f"/{year}" if year is not None else "")


def _default_year(now: datetime) -> int:
    """The last whole year, or this one while the platform has no whole year yet."""
    return max(annual.FIRST_YEAR, now.year - 1)


async def _shown(at: AtTenant, settings: Settings, kind: ReportKind, given: str) -> Template | Response[bytes]:
    now = datetime.now(UTC)
    found = YEAR.fullmatch(given)
    if found is None:
        raise annual.ReportRefused("year", first=annual.FIRST_YEAR, last=now.year)
    year = int(found["year"])
    chosen = language(at.request)
    secret = fact_secret(settings.secret_key)
    report = await annual.build(at.db, kind, at.actor, at.acting, year, chosen, now, secret)
    if found["pdf"]:
        name = f"{SLUGS[kind]}-{year}-{chosen}.pdf"
        return Response(
            await anyio.to_thread.run_sync(annual.pdf_of, report),  # a few tenths of CPU: not on the loop
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    base = report_path(at.acting.slug, kind)
    return Template(
        "annual_report.html",
        context={
            **at.shell(),
            "report": report,
            "years": annual.years(now),
            "base": base,
            "pdf": f"{base}/{year}.pdf",
        },
    )


def _latest(at: AtTenant, kind: ReportKind) -> Redirect:
    path = report_path(at.acting.slug, kind, _default_year(datetime.now(UTC)))
    return Redirect(same_language(at.request, path), status_code=303)


class AnnualReportPages(Controller):
    path = "/app/t/{tenant:str}/jaarverslag"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/vertrouwenspersoon", action=Action.VAULT_USE)
    async def adviser_latest(self, at: NamedDependency[AtTenant]) -> Redirect:
        return _latest(at, "adviser")

    @get("/vertrouwenspersoon/{year:str}", action=Action.VAULT_USE)
    async def adviser(
        self, at: NamedDependency[AtTenant], settings: NamedDependency[Settings], year: FromPath[str]
    ) -> Template | Response[bytes]:
        """The adviser's own annual report (or its PDF): per employer that hired them and across them."""
        return await _shown(at, settings, "adviser", year)

    @get("/klachtencommissie", action=Action.COMPLAINT_REPORT)
    async def committee_latest(self, at: NamedDependency[AtTenant]) -> Redirect:
        return _latest(at, "committee")

    @get("/klachtencommissie/{year:str}", action=Action.COMPLAINT_REPORT)
    async def committee(
        self, at: NamedDependency[AtTenant], settings: NamedDependency[Settings], year: FromPath[str]
    ) -> Template | Response[bytes]:
        """The complaints committee's annual report (or its PDF) across the members it serves."""
        return await _shown(at, settings, "committee", year)

    @get("/sector", action=Action.SECTOR_REPORT)
    async def sector_latest(self, at: NamedDependency[AtTenant]) -> Redirect:
        return _latest(at, "sector")

    @get("/sector/{year:str}", action=Action.SECTOR_REPORT)
    async def sector(
        self, at: NamedDependency[AtTenant], settings: NamedDependency[Settings], year: FromPath[str]
    ) -> Template | Response[bytes]:
        """The branch's sector report (or its PDF), from its published releases only."""
        return await _shown(at, settings, "sector", year)


ROUTES = (AnnualReportPages,)
