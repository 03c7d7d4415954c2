"""The annual reports as JSON (``/api/v1/t/{tenant}/reports/{kind}/{year}``): the same ``Report`` the pages and
the PDF show, every count protected, a hidden cell ``null``. Each kind is its own route with its own reader: the
adviser (their own figures only), the committee's chair and secretary, the branch's administrators and its
sector board (a tenant that is not a branch has no sector report: 404). A year outside the platform's years is
refused with a problem (422), never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.reports import annual
from meldpunt.reports.model import Report, ReportKind
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import fact_secret

Language = Literal["nl", "en"]


async def _report(
    db: AsyncSession, settings: Settings, kind: ReportKind, actor: Actor, acting: Tenant, year: int, lang: Language
) -> Report:
    secret = fact_secret(settings.secret_key)
    return await annual.build(db, kind, actor, acting, year, lang, datetime.now(UTC), secret)


class AnnualReportsController(Controller):
    path = "/api/v1/t/{tenant:str}/reports"
    tags = ("annual reports",)

    @get("/adviser/{year:int}", operation_id="AdviserAnnualReport", action=Action.VAULT_USE)
    async def adviser(
        self,
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        year: FromPath[int],
        lang: FromQuery[Language] = "nl",
    ) -> Report:
        """The adviser's own annual report: per employer that hired them and across them (numbers only)."""
        return await _report(db, settings, "adviser", actor, acting, year, lang)

    @get("/committee/{year:int}", operation_id="CommitteeAnnualReport", action=Action.COMPLAINT_REPORT)
    async def committee(
        self,
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        year: FromPath[int],
        lang: FromQuery[Language] = "nl",
    ) -> Report:
        """The complaints committee's annual report across the members it serves."""
        return await _report(db, settings, "committee", actor, acting, year, lang)

    @get("/sector/{year:int}", operation_id="SectorAnnualReport", action=Action.SECTOR_REPORT)
    async def sector(
        self,
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        year: FromPath[int],
        lang: FromQuery[Language] = "nl",
    ) -> Report:
        """The branch's sector report of the year, from its published releases only."""
        return await _report(db, settings, "sector", actor, acting, year, lang)


ROUTES = (AnnualReportsController,)
