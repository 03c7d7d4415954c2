"""The table model of disclosure control: coded facts, periods made of quarters, linked tables and their cells.

Pure arithmetic over closed code lists; nothing here reads a database or knows a member beyond an opaque key.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from fractions import Fraction
from itertools import combinations, product
from typing import NamedTuple

# The code of a margin: the cell counts every code of that dimension.
TOTAL = "*"
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

Codes = tuple[tuple[str, str], ...]


class Period(NamedTuple):
    """A release period as the quarters it adds up (DESIGN §10: a quarter, or a year as the sum of its four)."""

    quarters: tuple[str, ...]

    @property
    def label(self) -> str:
        if len(self.quarters) == 1:
            return self.quarters[0]
        years = {q[:4] for q in self.quarters}
        if len(years) == 1 and len(self.quarters) == 4:
            return years.pop()
        return f"{self.quarters[0]}..{self.quarters[-1]}"


def quarter(label: str) -> Period:
    if not QUARTER.match(label):
        raise ValueError(f"not a quarter: {label!r} (expected e.g. 2026-Q1)")
    return Period((label,))


def quarters_through(year: int, last: int) -> Period:
    """The first ``last`` quarters of ``year``: the year itself for 4, a year-to-date span otherwise."""
    if not 1 <= last <= 4:
        raise ValueError(f"a year has quarters 1..4, not {last}")
    return Period(tuple(f"{year}-Q{n}" for n in range(1, last + 1)))


def calendar_year(year: int) -> Period:
    return quarters_through(year, 4)


class TableSpec(NamedTuple):
    """A table of a release: its dimensions, each with its closed list of codes; every margin is part of it."""

    name: str
    dims: tuple[str, ...]
    codes: tuple[tuple[str, ...], ...]

    def cells(self) -> Iterator[tuple[str, ...]]:
        """Every cell of the table, margins included, as one code (or TOTAL) per dimension, in a fixed order."""
        return product(*((*codes, TOTAL) for codes in self.codes))

    def assignment(self, cell: tuple[str, ...]) -> Codes:
        return tuple(sorted((dim, code) for dim, code in zip(self.dims, cell, strict=True) if code != TOTAL))


def table(name: str, **dims: Iterable[str]) -> TableSpec:
    """``table("category_by_size", category=[...], size=[...])``: the dimensions in the order given."""
    for dim, codes in dims.items():
        if TOTAL in codes or not codes:
            raise ValueError(f"dimension {dim!r} needs codes, and {TOTAL!r} is the margin's own")
    return TableSpec(name, tuple(dims), tuple(tuple(codes) for codes in dims.values()))


class Quantity(NamedTuple):
    """What a cell counts: the facts of some quarters with some codes. Cells of two tables (or of a table and
    its margin elsewhere) that count the same facts are one quantity, so they are published or hidden together.
    """

    quarters: tuple[str, ...]
    assignment: Codes

    @property
    def period(self) -> Period:
        return Period(self.quarters)

    def to_dict(self) -> dict[str, object]:
        return {"period": self.period.label, "cell": dict(self.assignment)}


class Fact(NamedTuple):
    """``cases`` facts of one member in one quarter with one code per dimension (callers group their rows)."""

    quarter: str
    member: str
    codes: Codes
    cases: int = 1


def fact(quarter: str, member: str, cases: int = 1, **codes: str) -> Fact:
    return Fact(quarter, member, tuple(sorted(codes.items())), cases)


class Tally(NamedTuple):
    """A cell's true figures: cases, distinct contributing members, and the largest member's cases."""

    cases: int
    members: int
    largest: int

    @property
    def largest_share(self) -> Fraction:
        return Fraction(self.largest, self.cases) if self.cases else Fraction(0)


def tally(per_member: Counter[str]) -> Tally:
    return Tally(sum(per_member.values()), len(per_member), max(per_member.values(), default=0))


def tabulate(facts: Iterable[Fact], period: Period, specs: Iterable[TableSpec]) -> dict[Quantity, Tally]:
    """Every cell (margins included) of the tables over the facts of the period's quarters, empty cells too."""
    specs = tuple(specs)
    inside = set(period.quarters)
    closed = [{dim: frozenset(codes) for dim, codes in zip(spec.dims, spec.codes, strict=True)} for spec in specs]
    per_member: dict[Codes, Counter[str]] = defaultdict(Counter)
    for row in facts:
        if row.cases < 1:
            raise ValueError(f"a fact row counts at least one case, not {row.cases}")
        if row.quarter in inside:
            # One fact counts once in a cell that two tables share (a common margin).
            for assignment in {a for allowed in closed for a in margins_of(row.codes, allowed)}:
                per_member[assignment][row.member] += row.cases
    cells = {Quantity(period.quarters, spec.assignment(cell)) for spec in specs for cell in spec.cells()}
    return {cell: tally(per_member.get(cell.assignment, Counter())) for cell in sorted(cells)}


def margins_of(codes: Codes, allowed: dict[str, frozenset[str]]) -> Iterator[Codes]:
    """The assignments of every cell of one table a fact counts in: its own cell and each margin above it."""
    given = dict(codes)
    own = []
    for dim, closed in allowed.items():
        code = given.get(dim)
        if code not in closed:
            raise ValueError(f"fact code {dim}={code!r} is not in the table's closed list")
        own.append((dim, code))
    own.sort()
    for size in range(len(own) + 1):
        yield from combinations(own, size)
