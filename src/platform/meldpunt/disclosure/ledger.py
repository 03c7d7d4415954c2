"""The ledger: every release a branch published, and the linear facts an attacker knows from all of them
together — each table's margins, shared cells of linked tables, and a year as the sum of its quarters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from meldpunt.disclosure.linkage import cyclic_joints
from meldpunt.disclosure.rules import Reason, Requirement, Rules, primary_reason, protection_requirement
from meldpunt.disclosure.tables import TOTAL, Fact, Period, Quantity, TableSpec, Tally, tabulate

# One additivity fact: sum of coefficient * quantity = 0, over quantity indices.
Row = tuple[tuple[int, int], ...]


class Release(NamedTuple):
    """The tables of one period as published: every cell is published except the ``hidden`` quantities and the
    ``withheld`` ones. A withheld cell is part of a table only to tie it to the rest: a report that shows one
    part of a total another release publishes (a committee's own members out of the whole branch) withholds
    the other part, which it never shows, never marks as hidden, and whose cells must still not be recovered:
    they are judged by ``withheld_rules`` (else the release's own) like the quarters inside a year."""

    period: Period
    specs: tuple[TableSpec, ...]
    rules: Rules
    hidden: frozenset[Quantity]
    withheld: frozenset[Quantity] = frozenset()
    withheld_rules: Rules | None = None

    def quantities(self) -> set[Quantity]:
        every = {Quantity(self.period.quarters, spec.assignment(cell)) for spec in self.specs for cell in spec.cells()}
        return every - self.withheld

    def to_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {
            "period": self.period.label,
            "tables": [spec.name for spec in self.specs],
            "rules": self.rules.to_dict(),
            "hidden": [quantity.to_dict() for quantity in sorted(self.hidden)],
        }
        if self.withheld:
            shown["withheld"] = [quantity.to_dict() for quantity in sorted(self.withheld)]
        return shown


@dataclass(frozen=True)
class Universe:
    """Every quantity the ledger's tables count (and the quarters inside a longer period), with the rows that
    tie them. Quantities are sorted, so the same releases give the same indices, whatever the input order."""

    quantities: tuple[Quantity, ...]
    index: dict[Quantity, int]
    rows: tuple[Row, ...]
    figures: tuple[Tally, ...]
    rules: tuple[Rules, ...]
    # The releases (by position) whose tables show the quantity; empty for a quarter only implied by a year.
    shown_in: tuple[tuple[int, ...], ...]
    places: tuple[tuple[str, ...], ...]
    interior: frozenset[int]
    # Cells of a cycle's joint table that no published table has: constraints for the attacker, never judged.
    joint_only: frozenset[int]

    def hidden_by(self, releases: Sequence[Release]) -> frozenset[int]:
        """The quantities no release shows a value for: hidden in every release that has them, or only implied."""
        return frozenset(
            i
            for i, quantity in enumerate(self.quantities)
            if all(quantity in releases[r].hidden for r in self.shown_in[i])
        )

    def requirement(self, i: int, hidden: frozenset[int]) -> tuple[Reason, Requirement] | None:
        """What the audit demands of quantity ``i``: a primary cell's protection, or a hidden released cell's not
        being exact; None for a published safe cell, an implied quarter that is safe on its own, and a cell of
        a joint table only (the audit protects the cells of published tables and of their quarters)."""
        if i in self.joint_only:
            return None
        figures = self.figures[i]
        reason = primary_reason(figures, self.rules[i])
        if reason is None and i in hidden and self.shown_in[i]:
            reason = Reason.SECONDARY
        if reason is None:
            return None
        return reason, protection_requirement(figures.cases, reason, self.rules[i])


def periods_and_tables(releases: Sequence[Release]) -> dict[Period, list[TableSpec]]:
    """The tables each period has: those released, and for a longer period the same tables of each quarter."""
    tables: dict[Period, list[TableSpec]] = defaultdict(list)
    for release in releases:
        for period in (
            release.period,
            *(Period((q,)) for q in release.period.quarters if len(release.period.quarters) > 1),
        ):
            tables[period].extend(spec for spec in release.specs if spec not in tables[period])
    return tables


def table_rows(period: Period, spec: TableSpec) -> Iterable[tuple[tuple[Quantity, int], ...]]:
    """Each line of the table: its cells along one dimension add up to the margin at the end of the line."""
    for cell in spec.cells():
        for axis, code in enumerate(cell):
            if code == TOTAL:
                line = [(Quantity(period.quarters, spec.assignment(cell)), -1)]
                for part in spec.codes[axis]:
                    inner = (*cell[:axis], part, *cell[axis + 1 :])
                    line.append((Quantity(period.quarters, spec.assignment(inner)), 1))
                yield tuple(line)


def tables_needed(releases: Sequence[Release]) -> dict[Period, tuple[TableSpec, ...]]:
    """Per period, every table whose cells the attacker's universe counts: the released ones, for a longer period
    the same tables of each of its quarters, and for a quarter the joint table of each cycle its tables form."""
    return {
        period: (*specs, *(cyclic_joints(specs) if len(period.quarters) == 1 else []))
        for period, specs in periods_and_tables(releases).items()
    }


def cells_of(period: Period, specs: Iterable[TableSpec]) -> set[Quantity]:
    """The quantities the cells (margins included) of these tables of the period count."""
    return {Quantity(period.quarters, spec.assignment(cell)) for spec in specs for cell in spec.cells()}


def figures_from(facts: Iterable[Fact], releases: Sequence[Release]) -> dict[Quantity, Tally]:
    """The true figures of every quantity the releases' universe counts, tabulated from the facts. A caller that
    counts them elsewhere (in SQL, or kept from an earlier build) passes its own with the same quantities."""
    facts = tuple(facts)
    figures: dict[Quantity, Tally] = {}
    for period, specs in tables_needed(releases).items():
        figures.update(tabulate(facts, period, specs))
    return figures


def gathered(
    given: Mapping[Quantity, Tally], releases: Sequence[Release]
) -> tuple[dict[Quantity, Tally], set[tuple[tuple[Quantity, int], ...]], set[Quantity]]:
    """Every quantity with its figures, every line, and the cells only a cycle's joint table has."""
    figures: dict[Quantity, Tally] = {}
    lines: set[tuple[tuple[Quantity, int], ...]] = set()
    in_tables: set[Quantity] = set()
    for period, specs in periods_and_tables(releases).items():
        joints = cyclic_joints(specs) if len(period.quarters) == 1 else []
        for quantity in cells_of(period, [*specs, *joints]):
            if quantity not in given:
                raise ValueError(f"no figures for {quantity}: they must cover every table the ledger needs")
            figures[quantity] = given[quantity]
        in_tables |= cells_of(period, specs)
        for spec in (*specs, *joints):
            lines.update(tuple(sorted(line)) for line in table_rows(period, spec))
    for quantity in list(figures):
        if len(quantity.quarters) > 1:  # the year is the sum of its quarters
            parts = [(Quantity((q,), quantity.assignment), 1) for q in quantity.quarters]
            lines.add(tuple(sorted([(quantity, -1), *parts])))
    return figures, lines, set(figures) - in_tables


def build_universe(
    facts: Iterable[Fact], releases: Sequence[Release], figures: Mapping[Quantity, Tally] | None = None
) -> Universe:
    """The attacker's knowledge: all tables of all releases, linked by shared cells and by quarters. The true
    figures are tabulated from ``facts``, or taken from ``figures`` when given (then ``facts`` is not read)."""
    given = figures_from(facts, releases) if figures is None else figures
    figures, lines, joint_only = gathered(given, releases)
    quantities = tuple(sorted(figures))
    index = {quantity: i for i, quantity in enumerate(quantities)}
    shown, rules, places = described(quantities, releases)
    interior = {
        index[Quantity(release.period.quarters, spec.assignment(cell))]
        for release in releases
        for spec in release.specs
        for cell in spec.cells()
        if TOTAL not in cell
    }
    return Universe(
        quantities=quantities,
        index=index,
        rows=tuple(tuple((index[q], coefficient) for q, coefficient in line) for line in sorted(lines)),
        figures=tuple(figures[q] for q in quantities),
        rules=rules,
        shown_in=shown,
        places=places,
        interior=frozenset(interior),
        joint_only=frozenset(index[q] for q in joint_only),
    )


def described(
    quantities: tuple[Quantity, ...], releases: Sequence[Release]
) -> tuple[tuple[tuple[int, ...], ...], tuple[Rules, ...], tuple[tuple[str, ...], ...]]:
    """Per quantity: the releases that show it, the rules it is judged by (those of the first release that shows
    it; else, for a cell a release withholds and the same cell of each of its quarters, that release's rules for
    what it withholds; else those of the first release that implies it), and the tables it appears in."""
    shown: dict[Quantity, list[int]] = defaultdict(list)
    places: dict[Quantity, list[str]] = defaultdict(list)
    implied_rules: dict[tuple[str, ...], Rules] = {}
    withheld_rules: dict[Quantity, Rules] = {}
    for r, release in enumerate(releases):
        for q in release.period.quarters:
            implied_rules.setdefault((q,), release.rules)
        for quantity in release.withheld:
            judged_by = release.withheld_rules or release.rules
            for part in (quantity, *(Quantity((q,), quantity.assignment) for q in quantity.quarters)):
                withheld_rules.setdefault(part, judged_by)
        for spec in release.specs:
            for cell in spec.cells():
                quantity = Quantity(release.period.quarters, spec.assignment(cell))
                if quantity not in release.withheld and r not in shown[quantity]:
                    shown[quantity].append(r)
                places[quantity].append(f"{release.period.label}/{spec.name}")
    rules = tuple(
        releases[shown[q][0]].rules
        if shown.get(q)
        else withheld_rules.get(q) or implied_rules.get(q.quarters, releases[0].rules)
        for q in quantities
    )
    return (
        tuple(tuple(shown.get(q, ())) for q in quantities),
        rules,
        tuple(tuple(sorted(set(places.get(q, ())))) for q in quantities),
    )
