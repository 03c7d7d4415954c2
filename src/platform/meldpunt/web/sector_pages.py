"""The sector board's page (``/app/t/{branch}/sector``): the branch's published releases of sector trends, each
table with its margins, hidden cells marked as hidden (never a value, never a member), and the reports over the
quarters. Only published cells reach this page (``trends.releases``); a tenant that is not a branch has none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from meldpunt import disclosure
from meldpunt.catalogues import text
from meldpunt.identity.roles import Action
from meldpunt.trends import releases
from meldpunt.trends.releases import ReleaseNotFound, TrendRelease
from meldpunt.web.pages import AT_TENANT, AtTenant, language

# Where the words of each dimension's codes are (``unknown`` has its own).
WORDS = {
    "category": "public.option.category.",
    "setting": "public.option.setting.",
    "route": "case.routes.",
    "finding": "outcome.finding.",
    "size": "trends.size.",
}


def code_name(language: str, dim: str, code: str) -> str:
    if code == disclosure.TOTAL:
        return text(language, "trends.total")
    if code == releases.UNKNOWN:
        return text(language, "trends.unknown")
    return text(language, WORDS[dim] + code)


@dataclass(frozen=True)
class Grid:
    """One published table as rows and columns of names and values (None: hidden)."""

    title: str
    columns: list[str]
    rows: list[tuple[str, list[int | None]]]


def _values(row: TrendRelease, spec: disclosure.TableSpec) -> dict[tuple[str, ...], int | None]:
    """The stored cells of one table by their codes in the table's order (JSON keeps no key order)."""
    return {
        tuple(cell["cell"][dim] for dim in spec.dims): cell["value"] for cell in row.cells if cell["table"] == spec.name
    }


def _risks(language: str, row: TrendRelease, specs: list[disclosure.TableSpec]) -> Grid:
    """The yes/no tables of the structural risks as one grid: with the factor, without, all reports."""
    across = (*releases.YES_NO, disclosure.TOTAL)
    rows = []
    for spec in specs:
        values = _values(row, spec)
        risk = spec.dims[0].removeprefix("risk_")
        rows.append((text(language, f"taxonomy.structural_risks.{risk}"), [values.get((code,)) for code in across]))
    columns = [text(language, f"trends.risk.{code}") for code in releases.YES_NO] + [text(language, "trends.total")]
    return Grid(text(language, "trends.table.risks"), columns, rows)


def grids(language: str, row: TrendRelease) -> list[Grid]:
    shown, risks = [], []
    for spec in releases.STANDARD_TABLES[row.population]:
        if len(spec.dims) == 1:
            risks.append(spec)
            continue
        values = _values(row, spec)
        first, second = spec.dims
        down, across = (*spec.codes[0], disclosure.TOTAL), (*spec.codes[1], disclosure.TOTAL)
        shown.append(
            Grid(
                text(language, f"trends.table.{spec.name}"),
                [code_name(language, second, code) for code in across],
                [(code_name(language, first, a), [values.get((a, b)) for b in across]) for a in down],
            )
        )
    return [*shown, _risks(language, row, risks)] if risks else shown


def over_quarters(rows: list[TrendRelease]) -> list[tuple[str, int | None]]:
    """The reports of each published quarter (the grand total of the first table), oldest first."""
    totals = []
    for row in rows:
        if row.population == "registered" and len(row.quarters) == 1:
            grand = next(c["value"] for c in row.cells if all(v == disclosure.TOTAL for v in c["cell"].values()))
            totals.append((row.period, grand))
    return sorted(totals)


class SectorPage(Controller):
    path = "/app/t/{tenant:str}/sector"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/", action=Action.TRENDS_READ)
    async def sector(self, at: NamedDependency[AtTenant]) -> Template:
        if at.acting.kind != "branch":
            raise ReleaseNotFound()
        chosen = language(at.request)
        rows = await releases.releases_of(at.db, at.acting, published_only=True)
        shown: list[dict[str, Any]] = [
            {"release": row, "grids": grids(chosen, row)} for row in sorted(rows, key=lambda r: r.period, reverse=True)
        ]
        return Template("sector.html", context={**at.shell(), "releases": shown, "quarters": over_quarters(rows)})


ROUTES = (SectorPage,)
