"""A member's own figures (issue 16): its cases per quarter by kind and category, its open deadlines and the
terms it kept, for its administrators and decision makers. Small counts pass the same protection as the sector
figures (``disclosure``): a cell of 1 to k−1 is hidden, with the cells that would give it away, and the audit
proves it over the quarters shown together. Within one organisation the members and dominance rules have
nothing to count (every cell is this member's), so only k applies; k is the branch's, never below the floor."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt import disclosure
from meldpunt.intake.models import Case, CaseKind, CaseStatus, Deadline, DeadlineKind
from meldpunt.tenancy.models import Tenant
from meldpunt.trends.facts import quarter_of
from meldpunt.trends.releases import CATEGORIES, UNKNOWN, rules_of
from meldpunt.trends.synthetic import past_quarters

SELF = "self"  # the one contributor of a member's own figures
KINDS = (*(kind.value for kind in CaseKind), UNKNOWN)
TERMS = ("on_time", "late")
CASES = disclosure.table("cases_by_kind_and_category", kind=KINDS, category=CATEGORIES)
OPEN = disclosure.table("open_deadlines", deadline=tuple(kind.value for kind in DeadlineKind))
KEPT = disclosure.table("terms_kept", term=TERMS)


@dataclass(frozen=True)
class Figures:
    """The protected cells per quarter (``None``: hidden) of each table, and the quarters shown."""

    quarters: list[str]
    cases: dict[str, dict[tuple[str, ...], int | None]]
    terms: dict[str, dict[tuple[str, ...], int | None]]
    open_now: dict[tuple[str, ...], int | None]
    hidden: int


def _code(value: Any, closed: tuple[str, ...]) -> str:
    return value if isinstance(value, str) and value in closed else UNKNOWN


async def _case_facts(session: AsyncSession, member: Tenant, quarters: list[str]) -> list[disclosure.Fact]:
    rows = await session.execute(
        select(Case.kind, Case.category, Case.created_at).where(
            Case.tenant_id == member.id, Case.status != CaseStatus.DISMISSED
        )
    )
    counted: Counter[tuple[str, str, str]] = Counter()
    for kind, category, created in rows.all():
        quarter = quarter_of(created)
        if quarter in quarters:
            counted[(quarter, _code(str(kind), KINDS), _code(category, CATEGORIES))] += 1
    return [disclosure.fact(q, SELF, n, kind=k, category=c) for (q, k, c), n in sorted(counted.items())]


async def _term_facts(session: AsyncSession, member: Tenant, quarters: list[str]) -> list[disclosure.Fact]:
    rows = await session.execute(
        select(Deadline.due_at, Deadline.met_at).where(
            Deadline.tenant_id == member.id, Deadline.met_at.is_not(None), Deadline.ended_by.is_(None)
        )
    )
    counted: Counter[tuple[str, str]] = Counter()
    for due, met in rows.all():
        quarter = quarter_of(due)
        if quarter in quarters:
            counted[(quarter, "on_time" if met is not None and met <= due else "late")] += 1
    return [disclosure.fact(q, SELF, n, term=t) for (q, t), n in sorted(counted.items())]


async def _open_facts(session: AsyncSession, member: Tenant, quarter: str) -> list[disclosure.Fact]:
    rows = await session.execute(
        select(Deadline.kind, func.count())
        .where(Deadline.tenant_id == member.id, Deadline.met_at.is_(None))
        .group_by(Deadline.kind)
    )
    return [disclosure.fact(quarter, SELF, n, deadline=str(kind)) for kind, n in rows.all() if n]


def _protected(
    facts: list[disclosure.Fact], quarters: list[str], spec: disclosure.TableSpec, rules: disclosure.Rules
) -> tuple[dict[str, dict[tuple[str, ...], int | None]], int]:
    """Each quarter protected against the quarters before it (as the sector releases are): cell → value."""
    ledger: list[disclosure.Release] = []
    shown: dict[str, dict[tuple[str, ...], int | None]] = {}
    hidden = 0
    for quarter in quarters:
        period = disclosure.quarter(quarter)
        protection = disclosure.protect(facts, ledger, period, (spec,), rules)
        figures = disclosure.tabulate(facts, period, (spec,))
        cells: dict[tuple[str, ...], int | None] = {}
        for cell in spec.cells():
            quantity = disclosure.Quantity(period.quarters, spec.assignment(cell))
            cells[cell] = None if quantity in protection.release.hidden else figures[quantity].cases
        hidden += sum(1 for value in cells.values() if value is None)
        shown[quarter] = cells
        ledger.append(protection.release)
    return shown, hidden


async def member_figures(session: AsyncSession, member: Tenant, branch: Tenant | None, now: datetime) -> Figures:
    """The member's last four quarters (the current one included) and its open deadlines, protected."""
    current = quarter_of(now)
    quarters = [*past_quarters(current, 3), current]
    rules = rules_of(branch or member)._replace(m=1, dominance_percent=100)  # one contributor: k only
    cases, hidden_cases = _protected(await _case_facts(session, member, quarters), quarters, CASES, rules)
    terms, hidden_terms = _protected(await _term_facts(session, member, quarters), quarters, KEPT, rules)
    open_now, hidden_open = _protected(await _open_facts(session, member, current), [current], OPEN, rules)
    return Figures(quarters, cases, terms, open_now[current], hidden_cases + hidden_terms + hidden_open)
