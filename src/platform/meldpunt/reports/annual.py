"""The three annual reports (DESIGN §15, issue 16), as ``reports.model.Report`` in the reader's language:

- the confidential adviser's (seed-003 §3.1, §6: "aantal en soort meldingen", never traceable to a person): the
  people who consulted them in the year by kind of behaviour, relation and outcome, the conversations by channel
  and the signals they gave, per employer and across the employers that hired them, from the adviser's own
  vault (numbers only, ``vault.services.year_tally``);
- the complaints committee's: the complaints received in the year across the members it serves, admissible or
  not (by reason), ended early, the outcomes of advice and decision and the terms kept
  (``complaints.views.annual_counts``, per member so that the member is the contributor);
- the branch's sector report: the year's published release cells and the four quarters' totals, reused as
  published (never recounted), so that it cannot be set beside the releases to reveal a hidden cell.

Every count passes ``disclosure`` and a hidden cell is ``None``. The adviser's figures are one protection over
the year with the employer as a dimension, so an employer's column and the column across employers are one set
of linked cells: a cell hidden in one is never recovered from the other. Within one adviser's own figures the
members and dominance rules have nothing to count (like ``reports.dashboard``'s ``SELF``), so only k applies,
the strictest k of the employers' branches. The committee's figures have the members as contributors and the
branch's k, m and dominance; a committee that serves one organisation only reports that organisation's own
figures, where only k applies. In a branch its advices and decisions are a part of what the branch's releases
count, so they are counted as the releases count them and protected together with everything the branch
published (``branch_part``), once the year's releases are final."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt import disclosure
from meldpunt.catalogues import text
from meldpunt.complaints.models import InadmissibleReason, Outcome
from meldpunt.complaints.schemas import CountsOut
from meldpunt.complaints.views import annual_counts
from meldpunt.db.context import also_in, current_tenant_ids, tenant_context, vault_context
from meldpunt.errors import NotFound, Refused
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.reports.model import Report, ReportKind, Section, Table
from meldpunt.reports.pdf import pdf
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from meldpunt.trends.facts import FINDING_OF_OUTCOME, member_key
from meldpunt.trends.releases import CATEGORIES, RELATIONS, UNKNOWN, TrendRelease, rules_of
from meldpunt.vault import services as vault
from meldpunt.vault.schemas import Channel

KINDS: tuple[ReportKind, ...] = ("adviser", "committee", "sector")
SELF = "self"  # the one contributor of an adviser's own figures
FIRST_YEAR = releases.FIRST_YEAR
OUTCOMES = ("ongoing", "closed", "passed_on")
CHANNELS: tuple[str, ...] = get_args(Channel)
SIGNAL_CATEGORIES = CATEGORIES
Cells = dict[tuple[str, ...], int | None]


class ReportRefused(Refused, status=422, slug="report-refused"): ...


class ReportNotFound(NotFound, slug="report-not-found"): ...


def checked_year(year: int, now: datetime) -> int:
    """A year the platform can report on: from its first year up to this one (the current year so far)."""
    if not FIRST_YEAR <= year <= now.year:
        raise ReportRefused("year", first=FIRST_YEAR, last=now.year)
    return year


def years(now: datetime, back: int = 5) -> list[int]:
    """The years a chooser offers, newest first."""
    return list(range(now.year, max(FIRST_YEAR, now.year - back) - 1, -1))


def protected(
    facts: Sequence[disclosure.Fact], year: int, specs: Sequence[disclosure.TableSpec], rules: disclosure.Rules
) -> dict[str, Cells]:
    """The year's tables, protected together (one ``disclosure.protect``): every cell by its codes (TOTAL for
    a margin), ``None`` where hidden. Should the audit not pass, every cell that is not 0 is hidden."""
    period = disclosure.calendar_year(year)
    protection = disclosure.protect(facts, [], period, specs, rules)
    figures = disclosure.tabulate(facts, period, specs)
    return {spec.name: _shown(protection, figures, spec, spec.cells()) for spec in specs}


def _shown(
    protection: disclosure.Protection,
    figures: Mapping[disclosure.Quantity, disclosure.Tally],
    spec: disclosure.TableSpec,
    cells: Iterable[tuple[str, ...]],
) -> Cells:
    """The value of each of these cells of a protected table, ``None`` where hidden; every cell that is not 0
    is hidden when the audit did not pass."""
    period = protection.release.period
    shown: Cells = {}
    for cell in cells:
        quantity = disclosure.Quantity(period.quarters, spec.assignment(cell))
        value = figures[quantity].cases
        hidden = quantity in protection.release.hidden or (not protection.publishable and value > 0)
        shown[cell] = None if hidden else value
    return shown


def _alt(language: str, title: str, rows: list[tuple[str, list[int | None]]], column: int) -> str:
    """The chart in words: what it shows and every bar's value (a hidden one said as hidden)."""
    hidden = text(language, "report.hidden_word")
    bars = "; ".join(f"{name}: {hidden if values[column] is None else values[column]}" for name, values in rows)
    return text(language, "report.chart_alt", title=title, bars=bars)


def _table(
    language: str,
    key: str,
    title: str,
    row_header: str,
    columns: list[str],
    rows: list[tuple[str, list[int | None]]],
    *,
    note: str | None = None,
    chart_column: int = -1,
) -> Table:
    alt = _alt(language, title, rows, chart_column) if rows else text(language, "report.chart_empty", title=title)
    return Table(key, title, row_header, columns, rows, alt, chart_column=chart_column, chart=bool(rows), note=note)


def _kept(code: str, values: list[int | None]) -> bool:
    """A row of ``unknown`` is left out when it counts nothing anywhere; every other code is always shown."""
    return code != UNKNOWN or any(value != 0 for value in values)


# --- the adviser's report ---------------------------------------------------------------------------------------

ADVISER_DIMS = {"category": CATEGORIES, "relation": RELATIONS, "outcome": OUTCOMES}
ADVISER_WORDS = {
    "category": "public.option.category.",
    "relation": "public.option.reporter_role.",
    "outcome": "report.adviser.outcome.",
    "channel": "vault.channels.",
}


def _code(value: str | None, closed: Iterable[str]) -> str:
    return value if value is not None and value in closed else UNKNOWN


def _name(language: str, words: str, code: str) -> str:
    if code == disclosure.TOTAL:
        return text(language, "trends.total")
    if code == UNKNOWN:
        return text(language, "trends.unknown")
    return text(language, words + code)


async def _adviser_rules(session: AsyncSession, employers: Sequence[Tenant]) -> disclosure.Rules:
    """k only (one contributor), the strictest of the employers' branches, never below the floor."""
    k = disclosure.PLATFORM_RULES.k
    for employer in employers:
        branch = await session.get(Tenant, employer.branch_id) if employer.branch_id else None
        k = max(k, rules_of(branch or employer).k)
    return disclosure.Rules(k, 1, 100)


async def adviser_figures(
    session: AsyncSession, account: AccountRef, employers: Sequence[Tenant], year: int
) -> dict[str, Cells]:
    """The adviser's protected figures of ``year`` across ``employers`` (the organisations that hired them):
    people by category, relation and outcome; conversations by channel; signals by category; each table with
    the employer (by slug) as its second dimension."""
    slugs = tuple(sorted(employer.slug for employer in employers)) or ("-",)
    people: list[disclosure.Fact] = []
    talks: list[disclosure.Fact] = []
    signals: list[disclosure.Fact] = []
    before = current_tenant_ids(session)
    try:
        for employer in employers:
            tally = await vault.year_tally(session, vault.Adviser(account, employer), year)
            for (quarter, category, relation, outcome), n in sorted(tally.consultations.items(), key=str):
                codes = {
                    "category": _code(category, CATEGORIES),
                    "relation": _code(relation, RELATIONS),
                    "outcome": outcome,
                }
                people.append(disclosure.fact(quarter, SELF, n, employer=employer.slug, **codes))
            for (quarter, channel), n in sorted(tally.contacts.items()):
                talks.append(
                    disclosure.fact(quarter, SELF, n, employer=employer.slug, channel=_code(channel, CHANNELS))
                )
            for (quarter, category), n in sorted(tally.signals.items()):
                code = _code(category, SIGNAL_CATEGORIES)
                signals.append(disclosure.fact(quarter, SELF, n, employer=employer.slug, signal=code))
    finally:
        await vault_context(session, None)
        await tenant_context(session, list(before))
    rules = await _adviser_rules(session, employers)
    tables = {
        f"{dim}_by_employer": disclosure.table(f"{dim}_by_employer", **{dim: codes, "employer": slugs})
        for dim, codes in ADVISER_DIMS.items()
    }
    shown = protected(people, year, list(tables.values()), rules)
    by_channel = disclosure.table("channel_by_employer", channel=CHANNELS, employer=slugs)
    shown |= protected(talks, year, [by_channel], rules)
    by_signal = disclosure.table("signal_by_employer", signal=SIGNAL_CATEGORIES, employer=slugs)
    shown |= protected(signals, year, [by_signal], rules)
    return shown


def _by_employer(
    language: str, cells: Cells, dim: str, codes: Sequence[str], employers: Sequence[Tenant], words: str
) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """Rows: the codes; columns: each employer and (with more than one) all of them together, the last."""
    ordered = sorted(employers, key=lambda e: e.slug)
    across = [disclosure.TOTAL] if len(ordered) == 1 else [*(e.slug for e in ordered), disclosure.TOTAL]
    names = {e.slug: e.display_name for e in ordered}
    columns = [text(language, "report.adviser.all_employers") if s == disclosure.TOTAL else names[s] for s in across]
    if len(ordered) == 1:
        columns = [text(language, "report.column.count")]
    rows = []
    for code in codes:
        values = [cells[(code, slug)] for slug in across]
        if _kept(code, values):
            rows.append((_name(language, words, code), values))
    return columns, rows


def adviser_report(
    language: str, year: int, adviser_name: str, employers: Sequence[Tenant], shown: dict[str, Cells]
) -> Report:
    ordered = sorted(employers, key=lambda e: e.slug)
    across = [disclosure.TOTAL] if len(ordered) == 1 else [*(e.slug for e in ordered), disclosure.TOTAL]
    summary_rows: list[tuple[str, list[int | None]]] = [
        (text(language, "report.adviser.people"), [shown["category_by_employer"][("*", s)] for s in across]),
        (text(language, "report.adviser.conversations"), [shown["channel_by_employer"][("*", s)] for s in across]),
        (text(language, "report.adviser.signals"), [shown["signal_by_employer"][("*", s)] for s in across]),
    ]
    columns, _ = _by_employer(language, shown["category_by_employer"], "category", (), employers, "")
    sections = [
        Section(
            text(language, "report.adviser.summary"),
            [text(language, "report.adviser.summary_text")],
            [
                _table(
                    language,
                    "summary",
                    text(language, "report.adviser.summary_table"),
                    text(language, "report.column.what"),
                    columns,
                    summary_rows,
                )
            ],
        )
    ]
    for dim, codes, name in (
        ("category", CATEGORIES, "category_by_employer"),
        ("relation", RELATIONS, "relation_by_employer"),
        ("outcome", OUTCOMES, "outcome_by_employer"),
        ("channel", CHANNELS, "channel_by_employer"),
        ("signal", SIGNAL_CATEGORIES, "signal_by_employer"),
    ):
        words = ADVISER_WORDS.get(dim, "public.option.category.")
        columns, rows = _by_employer(language, shown[name], dim, codes, employers, words)
        title = text(language, f"report.adviser.table.{dim}")
        sections.append(
            Section(
                title,
                [text(language, f"report.adviser.text.{dim}")],
                [_table(language, name, title, text(language, f"report.adviser.dim.{dim}"), columns, rows)],
            )
        )
    return Report(
        kind="adviser",
        language=language,
        year=year,
        title=text(language, "report.adviser.title", year=year),
        subtitle=text(
            language, "report.adviser.subtitle", name=adviser_name, employers=", ".join(e.display_name for e in ordered)
        ),
        intro=[text(language, "report.adviser.intro"), text(language, "report.adviser.protection")],
        sections=sections,
        hidden_explained=text(language, "report.hidden_explained"),
        footer=text(language, "report.footer"),
    )


# --- the complaints committee's report --------------------------------------------------------------------------

REASONS = tuple(reason.value for reason in InadmissibleReason)
OUTCOME_CODES = tuple(outcome.value for outcome in Outcome)
ADMISSION = disclosure.table("admission", admission=("admissible", *(f"inadmissible_{r}" for r in REASONS), "pending"))
ENDED = disclosure.table("ended_early", ended=("withdrawn", "settled"))
# An advice's and a decision's outcome (``complaints.models.Outcome``), and unknown as the releases count it.
ADVICE = disclosure.table("advice", advice=releases.ADVICE)
DECISION = disclosure.table("decision", decision=releases.ADVICE)
SERVED_OR_NOT = ("yes", "no")
TERMS = disclosure.table("terms", term=("kept", "late"))
COMMITTEE_TABLES = (ADMISSION, ENDED, ADVICE, DECISION, TERMS)


def _committee_facts(member: str, quarter: str, counts: CountsOut) -> dict[str, list[disclosure.Fact]]:
    inadmissible = sum(counts.inadmissible.values())
    admission = {
        "admissible": counts.admissible,
        **{f"inadmissible_{r}": counts.inadmissible.get(r, 0) for r in REASONS},
        "pending": max(0, counts.received - counts.admissible - inadmissible),
    }
    found: dict[str, dict[str, int]] = {
        "admission": admission,
        "ended_early": {"withdrawn": counts.withdrawn, "settled": counts.settled},
        "advice": {o: counts.advice_outcomes.get(o, 0) for o in OUTCOME_CODES},
        "decision": {o: counts.decision_outcomes.get(o, 0) for o in OUTCOME_CODES},
        "terms": {"kept": counts.terms_kept, "late": counts.terms_late},
    }
    dims = {spec.name: spec.dims[0] for spec in COMMITTEE_TABLES}
    return {
        name: [disclosure.fact(quarter, member, n, **{dims[name]: code}) for code, n in values.items() if n > 0]
        for name, values in found.items()
    }


def committee_protected(counts: dict[str, CountsOut], year: int, rules: disclosure.Rules) -> dict[str, Cells]:
    """The committee's tables from each member's counts (by an opaque member key), protected. Each table counts
    another population (complaints, advices, decisions, terms), so each is protected on its own; none shares a
    cell with another. One member only: its own figures, nobody else to single out, so k only."""
    facts: dict[str, list[disclosure.Fact]] = {spec.name: [] for spec in COMMITTEE_TABLES}
    quarter = f"{year}-Q1"  # the counts know only the year: every fact is filed in one quarter of it
    for member, counted in sorted(counts.items()):
        for name, rows in _committee_facts(member, quarter, counted).items():
            facts[name].extend(rows)
    if len(counts) <= 1:
        rules = disclosure.Rules(rules.k, 1, 100)
    shown: dict[str, Cells] = {}
    for spec in COMMITTEE_TABLES:
        shown |= protected(facts[spec.name], year, [spec], rules)
    return shown


@dataclass(frozen=True)
class BranchPart:
    """A table of the committee's report that counts a part of what the branch's releases of ``population``
    count: ``split`` is the releases' table of those facts with ``served`` (whether the committee serves the
    member) beside, and ``cells`` names the cell of it each cell of the report's ``table`` shows."""

    table: disclosure.TableSpec
    population: str
    split: disclosure.TableSpec
    cells: Mapping[tuple[str, ...], tuple[str, ...]]


# A complaint decision's outcome as the ``decided`` releases code a case decision's finding.
FINDING_OF = {code: FINDING_OF_OUTCOME.get(code, code) for code in releases.ADVICE}
BRANCH_PARTS = (
    BranchPart(
        ADVICE,
        "complaints",
        disclosure.table("advice_served", advice=releases.ADVICE, served=SERVED_OR_NOT),
        {(code,): (code, "yes") for code in (*releases.ADVICE, disclosure.TOTAL)},
    ),
    BranchPart(
        DECISION,
        "decided",
        disclosure.table("decision_served", route=releases.ROUTES, finding=releases.FINDINGS, served=SERVED_OR_NOT),
        {
            (code,): ("complaints_committee", FINDING_OF.get(code, disclosure.TOTAL), "yes")
            for code in (*releases.ADVICE, disclosure.TOTAL)
        },
    ),
)


@dataclass(frozen=True)
class CommitteeFigures:
    """The committee's protected tables; ``waiting``: the tables that wait for the branch's releases of the year
    (see ``branch_part``), so the report says so instead of showing them."""

    shown: dict[str, Cells]
    waiting: frozenset[str] = frozenset()


async def committee_figures(
    session: AsyncSession, branch: Tenant | None, members: Sequence[Tenant], year: int, secret: bytes
) -> CommitteeFigures:
    """The committee's protected figures across ``members`` (each one a contributor), with the branch's rules.
    In a branch the advices and the decisions are counted as its releases count them and protected together
    with them (``branch_part``); a committee of an organisation without a branch has no releases beside it."""
    counts: dict[str, CountsOut] = {}
    async with also_in(session, *(member.id for member in members)):
        for member in members:
            counts[str(member.id)] = await annual_counts(session, [member.id], year)
    rules = rules_of(branch) if branch is not None else disclosure.PLATFORM_RULES
    shown = committee_protected(counts, year, rules)
    if branch is None or branch.kind != "branch":
        return CommitteeFigures(shown)
    waiting = set()
    for part in BRANCH_PARTS:
        cells = await branch_part(session, branch, members, year, secret, part)
        if cells is None:
            waiting.add(part.table.name)
        shown[part.table.name] = dict.fromkeys(part.table.cells()) if cells is None else cells
    return CommitteeFigures(shown, frozenset(waiting))


async def branch_part(
    session: AsyncSession, branch: Tenant, members: Sequence[Tenant], year: int, secret: bytes, part: BranchPart
) -> Cells | None:
    """The committee's members' part of what the branch's releases count in ``year``, protected together with
    everything the branch published of that population (issue 16: "two reports cannot be combined"). They are
    the branch's facts of the year's quarters (the same cells as the releases'), split by whether the committee
    serves the member (by its opaque key): the report shows the served part, and withholds the rest, whose cells
    are judged by the branch's rules, so that the branch's published figures minus the committee's give away no
    member it does not serve. None until the year's releases are final (``releases.year_final``): a release
    built later would not know this report's pattern."""
    dims = part.split.dims[:-1]
    async with also_in(session, branch.id):
        if not await releases.year_final(session, branch, part.population, year):
            return None
        period = disclosure.calendar_year(year)
        served = {member_key(secret, member.id) for member in members}
        counted = await releases.coded_facts(session, branch, part.population, period, dims)
        facts = [
            disclosure.fact(
                quarter, member, n, served="yes" if member in served else "no", **dict(zip(dims, codes, strict=True))
            )
            for quarter, member, codes, n in counted
        ]
        ledger, known = await releases.public_ledger(session, branch, part.population)
        figures = await releases.figures_for(session, branch, part.population, ledger, known)
    branch_rules = rules_of(branch)
    own = disclosure.Rules(branch_rules.k, 1, 100) if len(members) <= 1 else branch_rules
    draft = disclosure.Release(period, (part.split,), own, frozenset())
    figures = {**disclosure.figures_from(facts, [draft]), **figures}  # a shared cell: as the releases counted it
    shown = set(part.cells.values())
    withheld = {
        disclosure.Quantity(period.quarters, part.split.assignment(c)) for c in part.split.cells() if c not in shown
    }
    try:
        protection = disclosure.protect(
            (), ledger, period, [part.split], own, figures=figures, withheld=withheld, withheld_rules=branch_rules
        )
    except ArithmeticError:  # the facts no longer add up to what was published: show nothing rather than guess
        return dict.fromkeys(part.table.cells())
    values = _shown(protection, figures, part.split, part.cells.values())
    return {cell: values[split] for cell, split in part.cells.items()}


COMMITTEE_WORDS = {
    "admission": "report.committee.admission.",
    "ended": "report.committee.ended.",
    "advice": "complaint.outcome.",
    "decision": "complaint.outcome.",
    "term": "report.committee.term.",
}


def _committee_name(language: str, dim: str, code: str) -> str:
    if code == UNKNOWN:
        return text(language, "trends.unknown")
    if dim == "admission" and code.startswith("inadmissible_"):
        reason = text(language, f"complaint.reason.{code.removeprefix('inadmissible_')}")
        return text(language, "report.committee.inadmissible", reason=reason)
    return text(language, COMMITTEE_WORDS[dim] + code)


def _committee_section(language: str, year: int, spec: disclosure.TableSpec, figures: CommitteeFigures) -> Section:
    """One table of the committee's report; one that waits for the branch's releases of the year says so."""
    shown = figures.shown[spec.name]
    (dim,) = spec.dims
    waits = spec.name in figures.waiting
    rows = [
        (_committee_name(language, dim, code), [shown[(code,)]])
        for code in spec.codes[0]
        if _kept(code, [shown[(code,)]]) and not (waits and code == UNKNOWN)
    ]
    note = text(language, "report.committee.waits", year=year) if waits else None
    title = text(language, f"report.committee.table.{spec.name}")
    header = text(language, f"report.committee.dim.{spec.name}")
    count = [text(language, "report.column.count")]
    return Section(
        title,
        [text(language, f"report.committee.text.{spec.name}")],
        [_table(language, spec.name, title, header, count, rows, note=note)],
    )


def committee_report(language: str, year: int, members: Sequence[Tenant], figures: CommitteeFigures) -> Report:
    shown = figures.shown
    count = [text(language, "report.column.count")]
    summary = [
        (text(language, "report.committee.received"), [shown["admission"][("*",)]]),
        (text(language, "report.committee.admission.admissible"), [shown["admission"][("admissible",)]]),
        (text(language, "report.committee.ended_total"), [shown["ended_early"][("*",)]]),
        (text(language, "report.committee.advised"), [shown["advice"][("*",)]]),
        (text(language, "report.committee.decided"), [shown["decision"][("*",)]]),
        (text(language, "report.committee.terms_total"), [shown["terms"][("*",)]]),
    ]
    sections = [
        Section(
            text(language, "report.committee.summary"),
            [text(language, "report.committee.summary_text")],
            [
                _table(
                    language,
                    "summary",
                    text(language, "report.committee.summary_table"),
                    text(language, "report.column.what"),
                    count,
                    summary,
                )
            ],
        )
    ]
    sections.extend(_committee_section(language, year, spec, figures) for spec in COMMITTEE_TABLES)
    return Report(
        kind="committee",
        language=language,
        year=year,
        title=text(language, "report.committee.title", year=year),
        subtitle=text(
            language,
            "report.committee.subtitle",
            members=", ".join(m.display_name for m in sorted(members, key=lambda m: m.slug)),
        ),
        intro=[text(language, "report.committee.intro"), text(language, "report.committee.protection")],
        sections=sections,
        hidden_explained=text(language, "report.hidden_explained"),
        footer=text(language, "report.footer"),
    )


# --- the branch's sector report ---------------------------------------------------------------------------------

SECTOR_WORDS = releases.CODE_WORDS  # the board page's words for the same codes


def _sector_name(language: str, dim: str, code: str) -> str:
    return _name(language, SECTOR_WORDS.get(dim, ""), code)


def published_cells(row: TrendRelease, spec: disclosure.TableSpec) -> Cells:
    """The stored, published cells of one table of a release by their codes in the table's order (a cell the
    release does not have, say of a code added to a list after it was published, is looked up as missing and
    shown as not published, never counted again)."""
    return {
        tuple(cell["cell"][dim] for dim in spec.dims): cell["value"] for cell in row.cells if cell["table"] == spec.name
    }


def _grand_total(row: TrendRelease) -> int | None:
    first = releases.STANDARD_TABLES[row.population][0]
    return published_cells(row, first).get(tuple(disclosure.TOTAL for _ in first.dims))


def _release_tables(language: str, row: TrendRelease) -> list[Table]:
    """A published year release as tables: each two-way table with its row margin, its column margin as a
    table of its own, the structural risks as one table; every value as published."""
    tables, risks = [], []
    for spec in releases.STANDARD_TABLES[row.population]:
        values = published_cells(row, spec)
        if len(spec.dims) == 1:
            risks.append((spec, values))
            continue
        first, second = spec.dims
        across = (*spec.codes[1], disclosure.TOTAL)
        title = text(language, f"trends.table.{spec.name}")
        tables.append(
            _table(
                language,
                spec.name,
                title,
                text(language, f"report.sector.dim.{first}"),
                [_sector_name(language, second, code) for code in across],
                [(_sector_name(language, first, a), [values.get((a, b)) for b in across]) for a in spec.codes[0]],
            )
        )
        margin_title = text(language, f"report.sector.margin.{spec.name}")
        tables.append(
            _table(
                language,
                f"{spec.name}.{second}",
                margin_title,
                text(language, f"report.sector.dim.{second}"),
                [text(language, "report.column.count")],
                [(_sector_name(language, second, b), [values.get((disclosure.TOTAL, b))]) for b in spec.codes[1]],
            )
        )
    if risks:
        rows = []
        for spec, values in risks:
            risk = spec.dims[0].removeprefix("risk_")
            rows.append(
                (text(language, f"taxonomy.structural_risks.{risk}"), [values.get((c,)) for c in releases.YES_NO])
            )
        columns = [text(language, f"trends.risk.{code}") for code in releases.YES_NO]
        tables.append(
            _table(
                language,
                "risks",
                text(language, "trends.table.risks"),
                text(language, "report.sector.dim.risk"),
                columns,
                rows,
                chart_column=0,
            )
        )
    return tables


def sector_report(language: str, year: int, branch: Tenant, published: Sequence[TrendRelease]) -> Report:
    """The year from the branch's published releases only: the year's releases and each quarter's totals."""
    rows = [row for row in published if row.status == "published" and row.period[:4] == str(year)]
    by_period = {(row.population, row.period): row for row in rows}
    quarters = [f"{year}-Q{n}" for n in range(1, 5)]
    population_names = [text(language, f"report.sector.column.{p}") for p in releases.POPULATIONS]
    over_quarters: list[tuple[str, list[int | None]]] = [
        (
            label,
            [_grand_total(by_period[(p, label)]) if (p, label) in by_period else None for p in releases.POPULATIONS],
        )
        for label in quarters
    ]
    periods = [*quarters, str(year)]
    unpublished = [label for label in periods if not any((p, label) in by_period for p in releases.POPULATIONS)]
    note = text(language, "report.sector.unpublished", periods=", ".join(unpublished)) if unpublished else None
    sections = [
        Section(
            text(language, "report.sector.quarters"),
            [text(language, "report.sector.quarters_text")],
            [
                _table(
                    language,
                    "quarters",
                    text(language, "report.sector.quarters_table"),
                    text(language, "trends.page.period"),
                    population_names,
                    over_quarters,
                    note=note,
                    chart_column=0,
                )
            ],
        )
    ]
    for population in releases.POPULATIONS:
        release = by_period.get((population, str(year)))
        heading = text(language, f"report.sector.heading.{population}")
        if release is None:
            sections.append(Section(heading, [text(language, "report.sector.no_year_release", year=year)]))
            continue
        sections.append(
            Section(heading, [text(language, f"report.sector.text.{population}")], _release_tables(language, release))
        )
    return Report(
        kind="sector",
        language=language,
        year=year,
        title=text(language, "report.sector.title", year=year),
        subtitle=branch.display_name,
        intro=[text(language, "report.sector.intro"), text(language, "report.sector.protection")],
        sections=sections,
        hidden_explained=text(language, "report.sector.hidden_explained"),
        footer=text(language, "report.footer"),
    )


# --- who reads which report, and the one way to build each -----------------------------------------------------

READERS: dict[ReportKind, Action] = {
    "adviser": Action.VAULT_USE,
    "committee": Action.COMPLAINT_REPORT,
    "sector": Action.SECTOR_REPORT,
}


def _root(tenant: Tenant) -> object:
    return tenant.branch_id or tenant.id


async def build(
    session: AsyncSession,
    kind: ReportKind,
    actor: Actor,
    acting: Tenant,
    year: int,
    language: str,
    now: datetime,
    secret: bytes,
) -> Report:
    """The report of ``kind`` for ``year`` as the actor may read it from the acting tenant (the route checked
    ``READERS[kind]`` there): the adviser's own figures across the employers that hired them; the committee's
    across the members of this branch where the actor chairs or keeps the secretariat; the branch's sector
    report (a tenant that is not a branch has none). ``secret``: the facts' (``trends.facts.fact_secret``), to tell
    the committee's members' facts from the rest of the branch's."""
    checked_year(year, now)
    if kind == "adviser":
        employers = await identity.tenants_where(session, actor, Action.VAULT_USE)
        shown = await adviser_figures(session, actor.ref, employers, year)
        return adviser_report(language, year, actor.display_name, employers, shown)
    if kind == "committee":
        served = [
            t
            for t in await identity.tenants_where(session, actor, Action.COMPLAINT_REPORT)
            if _root(t) == _root(acting)
        ]
        branch = acting if acting.branch_id is None else await session.get(Tenant, acting.branch_id)
        figures = await committee_figures(session, branch, served, year, secret)
        return committee_report(language, year, served, figures)
    if kind == "sector":
        if acting.kind != "branch":
            raise ReportNotFound()
        published = await releases.releases_of(session, acting, published_only=True)
        return sector_report(language, year, acting, published)
    raise ReportNotFound()


def pdf_of(report: Report) -> bytes:
    """The report as a tagged PDF/UA-1 (``reports.pdf``): the same figures as its page."""
    return pdf(report)
