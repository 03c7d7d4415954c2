"""The sector board's page (``/app/t/{branch}/sector``): the branch's published releases of sector trends, each
table with its margins, hidden cells marked as hidden (never a value, never a member), and the reports over the
quarters. Only published cells reach this page (``trends.releases``); a tenant that is not a branch has none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from meldpunt import disclosure
from meldpunt.catalogues import text
from meldpunt.identity.roles import Action
from meldpunt.trends import releases
from meldpunt.trends.releases import ReleaseNotFound, TrendRelease
from meldpunt.web.pages import AT_TENANT, AtTenant, language

WORDS = releases.CODE_WORDS


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
    # Beside each value its count per 100 FTE, where one is published (as the page shows it), else None.
    rates: list[list[str | None]] = field(default_factory=list)


def _values(row: TrendRelease, spec: disclosure.TableSpec) -> dict[tuple[str, ...], int | None]:
    """The stored cells of one table by their codes in the table's order (JSON keeps no key order)."""
    return {
        tuple(cell["cell"][dim] for dim in spec.dims): cell["value"] for cell in row.cells if cell["table"] == spec.name
    }


def per_100_fte(language: str, rate: float | None) -> str | None:
    return None if rate is None else format_decimal(rate, format="#,##0.0", locale=language)


def _rates(language: str, row: TrendRelease, spec: disclosure.TableSpec) -> dict[tuple[str, ...], str | None]:
    """The published counts per 100 FTE of one table, as the page shows them (only where there is one)."""
    return {
        tuple(cell["cell"][dim] for dim in spec.dims): per_100_fte(language, cell.get("per_100_fte"))
        for cell in row.cells
        if cell["table"] == spec.name
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
        values, rates = _values(row, spec), _rates(language, row, spec)
        first, second = spec.dims
        down, across = (*spec.codes[0], disclosure.TOTAL), (*spec.codes[1], disclosure.TOTAL)
        shown.append(
            Grid(
                text(language, f"trends.table.{spec.name}"),
                [code_name(language, second, code) for code in across],
                [(code_name(language, first, a), [values.get((a, b)) for b in across]) for a in down],
                [[rates.get((a, b)) for b in across] for a in down],
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


def _quarterly(rows: list[TrendRelease]) -> list[TrendRelease]:
    """The published quarters of reports, oldest first (a year is the sum of its quarters: not a point)."""
    return sorted((r for r in rows if r.population == "registered" and len(r.quarters) == 1), key=lambda r: r.period)


def rates_over_quarters(language: str, rows: list[TrendRelease]) -> dict[str, str | None]:
    """Each published quarter's reports per 100 FTE of all members (None where it is withheld)."""
    found = {}
    for row in _quarterly(rows):
        grand = next(c for c in row.cells if all(v == disclosure.TOTAL for v in c["cell"].values()))
        found[row.period] = per_100_fte(language, grand.get("per_100_fte"))
    return found


def category_over_quarters(language: str, rows: list[TrendRelease]) -> Grid | None:
    """The reports of each kind of behaviour in each published quarter (the category margins of each quarter's
    first table), the kinds in their fixed order: never ranked."""
    quarterly = _quarterly(rows)
    if not quarterly:
        return None
    spec = releases.STANDARD_TABLES["registered"][0]
    per_quarter = [_values(row, spec) for row in quarterly]
    down = (*releases.CATEGORIES, disclosure.TOTAL)
    return Grid(
        text(language, "trends.page.categories_caption"),
        [row.period for row in quarterly],
        [(code_name(language, "category", c), [v.get((c, disclosure.TOTAL)) for v in per_quarter]) for c in down],
    )


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the value as the chart writes it above its bar, or the word for hidden
    value: int | None
    x: float
    top: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A bar chart drawn as inline SVG: its title and description name every value (hidden ones as hidden),
    for whoever does not see it; the table of the same numbers stands beside it. ``caption`` is what it shows
    above the bars (the page's heading names the main chart, so it has none)."""

    key: str
    title: str
    description: str
    caption: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    bar_width: float


CHART_HEIGHT, BAR_SPACE, BAR_WIDTH, MARGIN, CAPTION_WIDTH = 180, 72, 44, 30, 300


def bar_chart(
    language: str, key: str, title: str, points: list[tuple[str, int | None]], caption: str = "", largest: int = 0
) -> Chart:
    """Bars in the order given (periods, oldest first), scaled to ``largest`` (charts side by side share one
    scale) or else to the largest published value."""
    hidden = text(language, "trends.page.hidden")
    largest = largest or max((value for _, value in points if value), default=1)
    baseline = CHART_HEIGHT - MARGIN
    room = baseline - 2 * MARGIN
    bars = []
    for n, (label, value) in enumerate(points):
        height = 0.0 if value is None else round(room * value / largest, 1)
        x = MARGIN + n * BAR_SPACE
        bars.append(Bar(label, hidden if value is None else str(value), value, x, baseline - height, height))
    named = "; ".join(text(language, "trends.chart.point", label=bar.label, value=bar.shown) for bar in bars)
    width = 2 * MARGIN + max(len(points), 1) * BAR_SPACE
    return Chart(
        key,
        title,
        text(language, "trends.chart.description", values=named),
        caption,
        bars,
        max(width, CAPTION_WIDTH) if caption else width,
        CHART_HEIGHT,
        baseline,
        BAR_WIDTH,
    )


def charts_over_quarters(language: str, rows: list[TrendRelease]) -> tuple[Chart | None, list[Chart]]:
    """The chart of the reports per quarter, and one small chart per kind of behaviour (its trend), these on one
    scale so that their bars compare, in the kinds' fixed order."""
    totals = over_quarters(rows)
    if not totals:
        return None, []
    total = bar_chart(language, "quarters", text(language, "trends.page.over_quarters_caption"), totals)
    grid = category_over_quarters(language, rows)
    per_category = []
    if grid is not None:
        kinds = grid.rows[:-1]  # without the total: that is the chart above
        largest = max((value for _, values in kinds for value in values if value), default=1)
        for n, (name, values) in enumerate(kinds):
            title = text(language, "trends.chart.category", category=name)
            points = list(zip(grid.columns, values, strict=True))
            per_category.append(bar_chart(language, f"category-{n}", title, points, name, largest))
    return total, per_category


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
        chart, category_charts = charts_over_quarters(chosen, rows)
        return Template(
            "sector.html",
            context={
                **at.shell(),
                "releases": shown,
                "quarters": over_quarters(rows),
                "quarter_rates": rates_over_quarters(chosen, rows),
                "chart": chart,
                "categories": category_over_quarters(chosen, rows),
                "category_charts": category_charts,
            },
        )


ROUTES = (SectorPage,)
