"""The API of sector trends. The branch's administrators build releases and publish them with four eyes
(``/api/v1/t/{branch}/trends/releases``); sector boards read the published cells only
(``/api/v1/sector/{branch}/releases``): never facts, never an audit's true values, never a member's name. Every
route answers 404 for a tenant that is not a branch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.releases import ReleaseNotFound, TrendRelease


class ReleaseIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    population: releases.Population
    period: str  # "2026-Q3" or "2026"


class CellOut(msgspec.Struct, kw_only=True):
    table: str
    cell: dict[str, str]
    value: int | None  # None: hidden to protect the people and members behind it
    # Cases per 100 FTE of all the branch's members of the cell's size class (or all members), on the cells of
    # a table by size and the grand totals; None: withheld (the count is hidden, or the FTE of too few members).
    per_100_fte: float | None = None


class ReleaseOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    population: str
    period: str
    status: str
    published_at: datetime | None
    cells: list[CellOut]


class ManagedReleaseOut(ReleaseOut, kw_only=True):
    hidden_cells: int
    audit_passed: bool
    requested: bool


def _branch(acting: Tenant) -> Tenant:
    if acting.kind != "branch":
        raise ReleaseNotFound()
    return acting


def release_out(row: TrendRelease) -> ReleaseOut:
    return ReleaseOut(
        id=row.id,
        population=row.population,
        period=row.period,
        status=row.status,
        published_at=row.published_at,
        cells=[msgspec.convert(cell, CellOut) for cell in row.cells],
    )


def managed_out(row: TrendRelease) -> ManagedReleaseOut:
    shown: dict[str, Any] = msgspec.structs.asdict(release_out(row))
    return ManagedReleaseOut(
        **shown,
        hidden_cells=sum(1 for cell in row.cells if cell["value"] is None),
        audit_passed=bool(row.audit.get("passed")),
        requested=row.requested_by_id is not None,
    )


class TrendReleasesController(Controller):
    """The branch's administrators: build, ask for publication, approve (another administrator)."""

    path = "/api/v1/t/{tenant:str}/trends/releases"
    tags = ("sector trends",)

    @get("/", operation_id="ListTrendReleases", action=Action.TRENDS_MANAGE)
    async def list_releases(
        self, db: NamedDependency[AsyncSession], acting: NamedDependency[Tenant]
    ) -> list[ManagedReleaseOut]:
        rows = await releases.releases_of(db, _branch(acting), published_only=False)
        return [managed_out(row) for row in rows]

    @post("/", operation_id="BuildTrendRelease", status_code=201, action=Action.TRENDS_MANAGE)
    async def build(
        self, db: NamedDependency[AsyncSession], acting: NamedDependency[Tenant], data: JSONBody[ReleaseIn]
    ) -> ManagedReleaseOut:
        """Compute, protect and audit one period's tables; a failing audit keeps it from ever being published."""
        built = await releases.build(db, _branch(acting), data.period, data.population, datetime.now(UTC))
        return managed_out(built.row)

    @post("/{release_id:uuid}/request", operation_id="RequestTrendPublication", action=Action.TRENDS_MANAGE)
    async def request_publication(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        release_id: FromPath[uuid.UUID],
    ) -> ManagedReleaseOut:
        row = await releases.request_publication(db, actor.ref, _branch(acting), release_id)
        return managed_out(row)

    @post("/{release_id:uuid}/approval", operation_id="ApproveTrendPublication", action=Action.TRENDS_MANAGE)
    async def approve(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        release_id: FromPath[uuid.UUID],
    ) -> ManagedReleaseOut:
        """The second pair of eyes: another administrator than the one who asked. Published, then immutable."""
        return managed_out(await releases.approve(db, actor.ref, _branch(acting), release_id))


class SectorController(Controller):
    """What a sector board reads: the branch's published releases, cell by cell."""

    path = "/api/v1/sector/{tenant:str}"
    tags = ("sector trends",)

    @get("/releases", operation_id="SectorReleases", action=Action.TRENDS_READ)
    async def published(self, db: NamedDependency[AsyncSession], acting: NamedDependency[Tenant]) -> list[ReleaseOut]:
        rows = await releases.releases_of(db, _branch(acting), published_only=True)
        return [release_out(row) for row in rows]


ROUTES = (TrendReleasesController, SectorController)
