"""Releases of sector trends (DESIGN §10, issue 16): per branch, population and period (a quarter, or a year as
the sum of its quarters), a fixed set of small linked tables computed from the facts and protected by
``disclosure`` against everything the branch published before. A release is ``audited`` when its audit passes
and ``refused`` when it does not (never publishable); a branch administrator asks for publication and another
one approves it (four eyes), and then it is ``published`` and immutable. Boards read published cells only."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from typing import Any, Literal

from sqlalchemy import ARRAY, DateTime, String, UniqueConstraint, case, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt import disclosure
from meldpunt.db.base import Base, TenantScoped
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.errors import NotFound, Refused
from meldpunt.identity.models import AccountRef
from meldpunt.intake import taxonomy
from meldpunt.intake.schemas import AccusedRole, Category, ReporterRole, Setting
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import quarter_of, size_class
from meldpunt.trends.models import TrendFact
from meldpunt.trends.synthetic import recorded_workforce

UNKNOWN = "unknown"
# No fact predates the platform; a four-digit year ends at 9999.
FIRST_YEAR, LAST_YEAR = 2020, 9999
PERIOD = re.compile(r"(?P<year>[0-9]{4})(?P<quarter>-Q[1-4])?")
SIZES = ("under_10", "10_to_49", "50_to_249", "250_and_more", UNKNOWN)
FINDINGS = ("well_founded", "partly_well_founded", "not_well_founded", "not_established", UNKNOWN)
ROUTES = ("decision_panel", "adviser_only", "complaints_committee", "whistleblower", "police", "no_action", UNKNOWN)
# A complaints committee's advice (``complaints.models.Outcome``): its own words, not a case decision's finding.
ADVICE = ("well_founded", "partly", "not_well_founded", "not_established", UNKNOWN)


def _codes(literal: Any) -> tuple[str, ...]:
    return (*literal.__args__, UNKNOWN)


CATEGORIES = _codes(Category)
SETTINGS = _codes(Setting)
RELATIONS = _codes(ReporterRole)
ACCUSED = _codes(AccusedRole)

YES_NO = ("yes", "no")
# A case may have several risk factors, so a table of them would not add up: each structural risk is its own
# yes/no dimension (disclosure's advice), one small table each, tied to the others by the grand total.
RISK_TABLES = tuple(disclosure.table(f"risk_{risk}", **{f"risk_{risk}": YES_NO}) for risk in taxonomy.STRUCTURAL_RISKS)
# The standard table set per population (the facts of one milestone): few dimensions each, all margins in.
STANDARD_TABLES: dict[str, tuple[disclosure.TableSpec, ...]] = {
    "registered": (
        disclosure.table("category_by_size", category=CATEGORIES, size=SIZES),
        disclosure.table("category_by_setting", category=CATEGORIES, setting=SETTINGS),
        *RISK_TABLES,
    ),
    "decided": (disclosure.table("route_by_finding", route=ROUTES, finding=FINDINGS),),
    # Complaints a committee advised on (one fact per complaint, at its advice): what it advised, by the size
    # of the member and by the kind of behaviour.
    "complaints": (
        disclosure.table("advice_by_size", advice=ADVICE, size=SIZES),
        disclosure.table("advice_by_category", advice=ADVICE, category=CATEGORIES),
    ),
}
POPULATIONS = tuple(STANDARD_TABLES)
Population = Literal["registered", "decided", "complaints"]
# The milestone whose facts make a population, where its name is not the milestone's own.
MILESTONE_OF = {"complaints": "advised"}


class ReleaseRefused(Refused, status=409, slug="release-refused"): ...


class ReleaseNotFound(NotFound, slug="release-not-found"): ...


class TrendRelease(TenantScoped, Base):
    __tablename__ = "trend_releases"
    __table_args__ = (UniqueConstraint("tenant_id", "population", "period"),)

    population: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))
    quarters: Mapped[list[str]] = mapped_column(ARRAY(String(7)))
    status: Mapped[str] = mapped_column(String(16))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tables: Mapped[list[Any]] = mapped_column(JSONB)
    hidden: Mapped[list[Any]] = mapped_column(JSONB)
    cells: Mapped[list[Any]] = mapped_column(JSONB)
    audit: Mapped[dict[str, Any]] = mapped_column(JSONB)  # true values of hidden cells: never for a board
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    requested_by_tenant_id: Mapped[uuid.UUID | None]
    requested_by_id: Mapped[uuid.UUID | None]
    approved_by_tenant_id: Mapped[uuid.UUID | None]
    approved_by_id: Mapped[uuid.UUID | None]
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def period_of(label: str) -> disclosure.Period:
    """A quarter ("2026-Q3") or a calendar year ("2026"); anything else is refused."""
    found = PERIOD.fullmatch(label)
    if found is None or not FIRST_YEAR <= int(found["year"]) <= LAST_YEAR:
        raise ReleaseRefused("unknown-period")
    return disclosure.quarter(label) if found["quarter"] else disclosure.calendar_year(int(found["year"]))


# Where the words of each dimension's codes are, by message id prefix (``unknown`` and the total have their own).
CODE_WORDS = {
    "category": "public.option.category.",
    "setting": "public.option.setting.",
    "route": "case.routes.",
    "finding": "outcome.finding.",
    "size": "trends.size.",
    "advice": "complaint.outcome.",
}
# Where each table dimension comes from in a fact, and its closed list.
SOURCES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "size": (TrendFact.size_class, SIZES),
    "category": (TrendFact.dimensions["category"].astext, CATEGORIES),
    "setting": (TrendFact.dimensions["setting"].astext, SETTINGS),
    "route": (TrendFact.dimensions["route"].astext, ROUTES),
    "finding": (TrendFact.dimensions["finding"].astext, FINDINGS),
    "advice": (TrendFact.dimensions["finding"].astext, ADVICE),
    **{
        f"risk_{risk}": (case((TrendFact.risk_factors.contains([risk]), "yes"), else_="no"), YES_NO)
        for risk in taxonomy.STRUCTURAL_RISKS
    },
}


def _coded(dim: str) -> Any:
    """The dimension's code in SQL: a value outside its closed list (or none) counts as ``unknown``."""
    source, closed = SOURCES[dim]
    return source if dim.startswith("risk_") else case((source.in_(closed), source), else_=UNKNOWN)


def _margins(specs: Sequence[disclosure.TableSpec]) -> list[tuple[str, ...]]:
    """The dimensions of every cell kind of the tables (a cell and each margin above it), each once."""
    found = {
        tuple(sorted(dims)) for spec in specs for n in range(len(spec.dims) + 1) for dims in combinations(spec.dims, n)
    }
    return sorted(found)


COUNTING_MEMORY = "32MB"  # for this transaction only (``set_config(..., is_local)``)


async def figures_of(
    session: AsyncSession,
    branch: Tenant,
    population: str,
    period: disclosure.Period,
    specs: Sequence[disclosure.TableSpec],
) -> dict[disclosure.Quantity, disclosure.Tally]:
    """The true figures of every cell (margins included, empty cells too) of the tables over the branch's facts
    of the population in the period, counted in SQL: each fact unnested into one row per kind of cell it counts
    in (its own cell of each table and each margin above it, each kind once), those counted per cell and member
    in one hash aggregate, then per cell the cases, the distinct members and the largest member's cases (one
    scan of the facts; GROUPING SETS would sort them once per kind). Only these figures leave the database."""
    dims = tuple(sorted({dim for spec in specs for dim in spec.dims}))
    kinds = _margins(specs)
    width = max(len(kind) for kind in kinds)
    base = (
        select(TrendFact.member_key.label("member"), *(_coded(dim).label(dim) for dim in dims))
        .where(TrendFact.tenant_id == branch.id, TrendFact.milestone == MILESTONE_OF.get(population, population))
        .where(TrendFact.quarter.in_(period.quarters))
        .subquery()
    )
    nothing: Any = cast(null(), String)
    places = [
        func.unnest(array[Any]([base.c[kind[n]] if n < len(kind) else nothing for kind in kinds], type_=String))
        for n in range(width)
    ]
    unnested = select(
        base.c.member,
        func.unnest(array([literal(k) for k in range(len(kinds))])).label("kind"),
        *(place.label(f"code_{n}") for n, place in enumerate(places)),
    ).subquery()
    grouping = [unnested.c.kind, *(unnested.c[f"code_{n}"] for n in range(width))]
    per_member = select(*grouping, func.count().label("cases")).group_by(*grouping, unnested.c.member).subquery()
    cases = per_member.c.cases
    columns = [per_member.c.kind, *(per_member.c[f"code_{n}"] for n in range(width))]
    # The planner cannot see how many rows the unnest makes: on a smaller estimate it sorts them on disk instead
    # of hashing (four times slower). The per-member counts are a hash table of a few MB: room for it here.
    await session.execute(select(func.set_config("work_mem", COUNTING_MEMORY, True)))
    rows = await session.execute(select(*columns, func.sum(cases), func.count(), func.max(cases)).group_by(*columns))
    counted = {
        tuple(zip(kinds[kind], codes, strict=False)): disclosure.Tally(int(total), int(members), int(largest))
        for kind, *codes, total, members, largest in rows.all()
    }
    empty = disclosure.Tally(0, 0, 0)
    return {quantity: counted.get(quantity.assignment, empty) for quantity in disclosure.cells_of(period, specs)}


async def coded_facts(
    session: AsyncSession, branch: Tenant, population: str, period: disclosure.Period, dims: Sequence[str]
) -> list[tuple[str, str, tuple[str, ...], int]]:
    """The branch's facts of the population in the period by quarter, member key and the codes of ``dims`` (as
    the releases code them), with how many: for a report that counts a part of what the releases count."""
    coded = [_coded(dim).label(dim) for dim in dims]
    grouping = [TrendFact.quarter, TrendFact.member_key, *coded]
    rows = await session.execute(
        select(*grouping, func.count())
        .where(TrendFact.tenant_id == branch.id, TrendFact.milestone == MILESTONE_OF.get(population, population))
        .where(TrendFact.quarter.in_(period.quarters))
        .group_by(*grouping)
        .order_by(*grouping)
    )
    return [(quarter, member, tuple(codes), int(n)) for quarter, member, *codes, n in rows.all()]


def _hidden_of(row: TrendRelease) -> frozenset[disclosure.Quantity]:
    return frozenset(disclosure.Quantity(tuple(q), tuple((d, c) for d, c in a)) for q, a in row.hidden)


def _release_of(row: TrendRelease, population: str) -> disclosure.Release:
    return disclosure.Release(
        disclosure.Period(tuple(row.quarters)),
        STANDARD_TABLES[population],
        disclosure.Rules(**row.rules),
        _hidden_of(row),
    )


def _stored_figures(row: TrendRelease) -> dict[disclosure.Quantity, disclosure.Tally]:
    """The true figures a release was built from, kept in its audit (never for a board); none for a release
    built before they were kept."""
    return {
        disclosure.Quantity(tuple(q), tuple((d, c) for d, c in a)): disclosure.Tally(cases, members, largest)
        for q, a, cases, members, largest in (row.audit or {}).get("figures", ())
    }


def _figures_to_keep(
    figures: dict[disclosure.Quantity, disclosure.Tally], release: disclosure.Release
) -> list[list[Any]]:
    """What a later build needs of this release: the figures of every quantity its tables count (and those of
    its quarters and cycles' joint tables), so that it never counts this period's facts again."""
    needed = sorted(
        q for period, specs in disclosure.tables_needed([release]).items() for q in disclosure.cells_of(period, specs)
    )
    return [[list(q.quarters), [list(pair) for pair in q.assignment], *figures[q]] for q in needed]


# What is public or may become so: a release waiting for its four eyes is as good as published to the next
# build (both may be in the end), a refused one never is.
MAY_BE_PUBLISHED = ("audited", "requested", "published")


async def public_ledger(
    session: AsyncSession, branch: Tenant, population: str
) -> tuple[list[disclosure.Release], dict[disclosure.Quantity, disclosure.Tally]]:
    """Everything of this population the branch published or may still publish (audited, or asked for), as the
    attacker will know it, and the true figures those releases were built from. A release protected only
    against the published ones would be protected apart from one that waits, and the two published together
    would give each other's hidden cells away."""
    rows = await session.execute(
        select(TrendRelease)
        .where(TrendRelease.tenant_id == branch.id, TrendRelease.population == population)
        .where(TrendRelease.status.in_(MAY_BE_PUBLISHED))
        .order_by(TrendRelease.built_at, TrendRelease.id)
    )
    releases, figures = [], {}
    for row in rows.scalars():
        releases.append(_release_of(row, population))
        figures.update(_stored_figures(row))
    return releases, figures


async def _row_of(session: AsyncSession, branch: Tenant, population: str, label: str) -> TrendRelease | None:
    """The branch's release of the population and period, if it was built (there is one at most)."""
    found = select(TrendRelease).where(
        TrendRelease.tenant_id == branch.id, TrendRelease.population == population, TrendRelease.period == label
    )
    return (await session.execute(found)).scalar()


async def year_final(session: AsyncSession, branch: Tenant, population: str, year: int) -> bool:
    """Whether nothing the branch releases from now on can count the population's facts of ``year`` again: its
    year release is built and decided (published, or refused by its audit), and a quarter of a year that has its
    release is never built (``build`` refuses it). Until then a report that shares cells with the releases of
    that year cannot be protected against all of them, so it waits."""
    row = await _row_of(session, branch, population, str(year))
    return row is not None and row.status in ("published", "refused")


async def ledger(session: AsyncSession, branch: Tenant, population: str) -> list[disclosure.Release]:
    """Everything of this population the branch published or may still publish, as the attacker will know it."""
    return (await public_ledger(session, branch, population))[0]


async def figures_for(
    session: AsyncSession,
    branch: Tenant,
    population: str,
    releases: Sequence[disclosure.Release],
    known: dict[disclosure.Quantity, disclosure.Tally],
) -> dict[disclosure.Quantity, disclosure.Tally]:
    """The figures of every table the releases' universe needs: those of earlier releases as they were kept, and
    only the periods not kept yet (the new one, or one built before figures were kept) counted from the facts."""
    figures = dict(known)
    for period, specs in disclosure.tables_needed(releases).items():
        if not disclosure.cells_of(period, specs) <= figures.keys():
            figures.update(await figures_of(session, branch, population, period, specs))
    return figures


def _cells(protection: disclosure.Protection, figures: dict[disclosure.Quantity, Any]) -> list[dict[str, Any]]:
    """Every cell of every table with its value, or ``None`` where it is hidden (primary or secondary)."""
    release = protection.release
    cells = []
    for spec in release.specs:
        for cell in spec.cells():
            quantity = disclosure.Quantity(release.period.quarters, spec.assignment(cell))
            shown = quantity not in release.hidden
            value = figures[quantity].cases if shown else None
            cells.append({"table": spec.name, "cell": dict(zip(spec.dims, cell, strict=True)), "value": value})
    return cells


def rules_of(branch: Tenant) -> disclosure.Rules:
    """The branch's own rules (``procedure.disclosure``), never below the platform's floors."""
    chosen = (branch.procedure or {}).get("disclosure") or {}
    floors = disclosure.PLATFORM_RULES
    return disclosure.branch_rules(
        int(chosen.get("k", floors.k)),
        int(chosen.get("m", floors.m)),
        int(chosen.get("dominance_percent", floors.dominance_percent)),
    )


# ---------------------------------------------------------------- counts per 100 FTE


@dataclass(frozen=True)
class Workforce:
    """The FTE of the branch's members, each member's own, per size class; ``unknown``: members whose FTE the
    platform does not know (their cases are counted, their size is not)."""

    per_class: dict[str, tuple[int, ...]]
    unknown: int

    def of(self, size: str) -> tuple[int, ...] | None:
        """Each member's FTE behind a size class (or all of them for the total); None when it is not known."""
        if size == disclosure.TOTAL:
            return None if self.unknown else tuple(fte for ftes in self.per_class.values() for fte in ftes)
        return None if size == UNKNOWN else self.per_class.get(size, ())


async def workforce_of(session: AsyncSession, branch: Tenant) -> Workforce:
    """Every member of the branch now, with or without cases (archived members are no longer members). The
    demo's synthetic members exist only in their facts: their FTE is recorded with the branch when their history
    is written (``trends.synthetic.recorded_workforce``), each counted once, so that no build scans the facts for
    them."""
    members = await session.execute(
        select(Tenant.fte).where(Tenant.branch_id == branch.id, Tenant.kind == "member", Tenant.archived_at.is_(None))
    )
    ftes = [fte for (fte,) in members.all()] + recorded_workforce(branch.procedure)
    per_class: dict[str, list[int]] = {}
    for fte in ftes:
        if fte is not None and fte > 0:
            per_class.setdefault(size_class(fte), []).append(fte)
    unknown = sum(1 for fte in ftes if fte is None or fte <= 0)
    return Workforce({size: tuple(sorted(found)) for size, found in per_class.items()}, unknown)


def _safe(ftes: Sequence[int], rules: disclosure.Rules) -> bool:
    """FTE that may be given away: of at least m members, none holding more than the dominance share."""
    return len(ftes) >= rules.m and max(ftes) * 100 <= rules.dominance_percent * sum(ftes)


def rate_of(cases: int | None, ftes: Sequence[int] | None, rules: disclosure.Rules) -> float | None:
    """Cases per 100 FTE, or None where it would give someone away: where the count itself is hidden (a count
    and its rate give away each other), or where the FTE come from fewer than m members or one member holds
    more than the dominance share of them (the rate and the count would give away a member's size)."""
    if cases is None or not ftes or not _safe(ftes, rules):
        return None
    return round(cases * 100 / sum(ftes), 1)


def _total_shown(workforce: Workforce, rules: disclosure.Rules) -> bool:
    """Whether a total's rate may be shown beside the size classes' rates. Its FTE minus those of the classes
    whose rates are shown is the FTE of the classes withheld: together they must be safe as one group, or the
    total would give a withheld class away (secondary suppression, for the FTE)."""
    withheld = [fte for ftes in workforce.per_class.values() if not _safe(ftes, rules) for fte in ftes]
    return not withheld or _safe(withheld, rules)


def with_rates(cells: list[dict[str, Any]], workforce: Workforce, rules: disclosure.Rules) -> list[dict[str, Any]]:
    """The finished cells with ``per_100_fte`` beside the count of every cell of a table by size class and of
    every grand total: the cases over the FTE of all the branch's members of that class (or of all members)."""
    total_shown = _total_shown(workforce, rules)
    rated = []
    for cell in cells:
        codes = cell["cell"]
        if "size" in codes or all(code == disclosure.TOTAL for code in codes.values()):
            size = codes.get("size", disclosure.TOTAL)
            ftes = workforce.of(size) if size != disclosure.TOTAL or total_shown else None
            cell = {**cell, "per_100_fte": rate_of(cell["value"], ftes, rules)}
        rated.append(cell)
    return rated


@dataclass(frozen=True)
class Built:
    row: TrendRelease
    protection: disclosure.Protection


async def build(session: AsyncSession, branch: Tenant, label: str, population: str, now: datetime) -> Built:
    """Compute, protect and audit the release of ``label``: refused when it exists (no revisions), when its
    period has not ended, or for an unknown population. An audit that fails makes it ``refused``, kept with its
    report, never publishable."""
    if population not in STANDARD_TABLES:
        raise ReleaseRefused("unknown-population")
    # One build of the branch at a time: two at once would each be protected without the other.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"trends:{branch.id}", 0))))
    period = period_of(label)
    if quarter_of(now) <= period.quarters[-1]:
        raise ReleaseRefused("period-not-over")
    if await _row_of(session, branch, population, label) is not None:
        raise ReleaseRefused("exists")
    if len(period.quarters) == 1 and await _row_of(session, branch, population, label[:4]) is not None:
        raise ReleaseRefused("year-released")
    published, known = await public_ledger(session, branch, population)
    specs = STANDARD_TABLES[population]
    rules = rules_of(branch)
    draft = disclosure.Release(period, specs, rules, frozenset())
    figures = await figures_for(session, branch, population, [*published, draft], known)
    protection = disclosure.protect((), published, period, specs, rules, figures=figures)
    row = TrendRelease(
        tenant_id=branch.id,
        id=uuid.uuid4(),
        population=population,
        period=label,
        quarters=list(period.quarters),
        status="audited" if protection.publishable else "refused",
        rules=protection.release.rules.to_dict(),
        tables=[{"name": s.name, "dims": list(s.dims), "codes": [list(c) for c in s.codes]} for s in specs],
        hidden=[[list(q.quarters), [list(pair) for pair in q.assignment]] for q in sorted(protection.release.hidden)],
        cells=with_rates(_cells(protection, figures), await workforce_of(session, branch), protection.release.rules),
        audit={**protection.report.to_dict(), "figures": _figures_to_keep(figures, draft)},
    )
    try:
        async with session.begin_nested():  # two builds of one period at once: one is made, the other refused
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise ReleaseRefused("exists") from None
    return Built(row, protection)


async def _release(session: AsyncSession, branch: Tenant, release_id: uuid.UUID) -> TrendRelease:
    row = await session.get(TrendRelease, (branch.id, release_id), with_for_update=True)
    if row is None:
        raise ReleaseNotFound()
    return row


async def request_publication(
    session: AsyncSession, who: AccountRef, branch: Tenant, release_id: uuid.UUID
) -> TrendRelease:
    """A branch administrator asks for an audited release to be published (the first pair of eyes)."""
    row = await _release(session, branch, release_id)
    if row.status != "audited":
        raise ReleaseRefused("audit-failed" if row.status == "refused" else "not-audited")
    row.status, row.requested_by_tenant_id, row.requested_by_id = "requested", who.tenant_id, who.id
    await session.flush()
    return row


async def approve(session: AsyncSession, who: AccountRef, branch: Tenant, release_id: uuid.UUID) -> TrendRelease:
    """Another branch administrator approves it (the second pair): published, and immutable from now on."""
    row = await _release(session, branch, release_id)
    if row.status != "requested":
        raise ReleaseRefused("published" if row.status == "published" else "not-requested")
    if (row.requested_by_tenant_id, row.requested_by_id) == (who.tenant_id, who.id):
        raise ReleaseRefused("four-eyes")
    row.status, row.approved_by_tenant_id, row.approved_by_id = "published", who.tenant_id, who.id
    row.published_at = datetime.now(UTC)
    await session.flush()
    return row


async def releases_of(session: AsyncSession, branch: Tenant, *, published_only: bool) -> list[TrendRelease]:
    query = select(TrendRelease).where(TrendRelease.tenant_id == branch.id)
    if published_only:
        query = query.where(TrendRelease.status == "published")
    return list((await session.execute(query.order_by(TrendRelease.period, TrendRelease.population))).scalars())


async def build_missing(session: AsyncSession, branch: Tenant, label: str, now: datetime) -> list[TrendRelease]:
    """Every population's release of ``label`` that the branch does not have yet (the scheduled job and the
    CLI); one that exists is left as it is."""
    made = []
    for population in POPULATIONS:
        if await _row_of(session, branch, population, label) is None:
            made.append((await build(session, branch, label, population, now)).row)
    return made


async def build_for(settings: Settings, slug: str, label: str) -> list[tuple[str, str, int]]:
    """``meldpunt trends release``: (population, status, hidden cells) of each release made now."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            branch = (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar()
            if branch is None or branch.kind != "branch":
                raise LookupError(f"no branch {slug!r}")
            await tenant_context(session, [branch.id])
            made = await build_missing(session, branch, label, datetime.now(UTC))
            return [(r.population, r.status, sum(1 for c in r.cells if c["value"] is None)) for r in made]
    finally:
        await engine.dispose()
