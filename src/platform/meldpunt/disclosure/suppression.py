"""Primary and secondary suppression of a new release against the whole ledger, until the audit passes.

Deterministic: cells are handled in the ledger's sorted order and ties go to the lower index, so the same facts
and releases give the same pattern whatever order they came in. Earlier releases are never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import isinf
from typing import NamedTuple

from meldpunt.disclosure.audit import Attack, AuditReport, CellAudit, judge
from meldpunt.disclosure.ledger import Release, Universe, build_universe
from meldpunt.disclosure.rules import Rules, primary_reason
from meldpunt.disclosure.tables import Fact, Period, Quantity, TableSpec, Tally

# A margin costs this many times its value to hide: boards read totals first (τ-Argus weighs them likewise).
MARGIN_COST = 5
DUAL_EPSILON = 1e-9


class Protection(NamedTuple):
    """A protected release, the cells it hides and why, and the integral audit over the whole ledger."""

    release: Release
    primary: frozenset[Quantity]
    secondary: frozenset[Quantity]
    report: AuditReport

    @property
    def publishable(self) -> bool:
        return self.report.passed


@dataclass(frozen=True)
class Draft:
    """The new release inside the ledger's universe: which quantities it adds and which it may still hide."""

    universe: Universe
    ledger_published: frozenset[int]
    new: frozenset[int]
    candidates: frozenset[int]

    def hidden(self, chosen: frozenset[int]) -> frozenset[int]:
        """Hidden: what the ledger never published, less the new cells that are not chosen."""
        every = range(len(self.universe.quantities))
        return frozenset(i for i in every if i not in self.ledger_published and (i not in self.new or i in chosen))

    def cost(self, i: int, need: int) -> tuple[int, int, int, int]:
        """Order of preference for a further hidden cell: never a grand total unless nothing else, one whose
        value covers the slack the failing cell needs, then the cheapest (or else the largest), then the index."""
        value = self.universe.figures[i].cases
        weighted = value * (1 if i in self.universe.interior else MARGIN_COST)
        covers = value >= need
        grand = not self.universe.quantities[i].assignment
        return (int(grand), 0 if covers else 1, weighted if covers else -value, i)


def draft_in(universe: Universe, releases: Sequence[Release]) -> Draft:
    """The last of ``releases`` is the draft; the ones before it are the published ledger, frozen."""
    last = len(releases) - 1
    published = set()
    new = set()
    for i, quantity in enumerate(universe.quantities):
        earlier = [r for r in universe.shown_in[i] if r < last]
        if any(quantity not in releases[r].hidden for r in earlier):
            published.add(i)
        if last in universe.shown_in[i] and not earlier:
            new.add(i)
    # An empty cell is never hidden: 0 always means 0, so the attacker's "hidden means at least 1" is the truth.
    candidates = frozenset(i for i in new if universe.figures[i].cases > 0)
    return Draft(universe, frozenset(published), frozenset(new), candidates)


def protect(
    facts: Iterable[Fact],
    ledger: Sequence[Release],
    period: Period,
    specs: Iterable[TableSpec],
    rules: Rules,
    *,
    figures: Mapping[Quantity, Tally] | None = None,
    withheld: Iterable[Quantity] = (),
    withheld_rules: Rules | None = None,
) -> Protection:
    """Protect the tables of ``period`` against everything in ``ledger`` (the branch's published releases).

    Primary cells are hidden; then, until the audit passes, the cheapest further cells: first every line where a
    hidden cell is alone (it would be exact), then by the audit LP's duals, which name the published cells that
    pin a failing cell. At the end a secondary cell whose value follows from the rest anyway is published again,
    and the integral audit decides; a release whose audit fails is not publishable. ``figures``: the true figures
    of every table the ledger and the draft need (``tables_needed``), counted elsewhere; then ``facts`` is unread.
    ``withheld``: cells of the draft's tables it will not show (see ``Release``), judged by ``withheld_rules``.
    """
    draft_release = Release(period, tuple(specs), rules, frozenset(), frozenset(withheld), withheld_rules)
    universe = build_universe(facts, (*ledger, draft_release), figures)
    draft = draft_in(universe, (*ledger, draft_release))
    primary = frozenset(i for i in draft.new if primary_reason(universe.figures[i], rules) is not None)
    attack = Attack(universe)
    chosen = primary
    settled: frozenset[int] = frozenset()  # passed the LP already: more hidden cells only widen their intervals
    while True:
        chosen = close_single_hidden(draft, chosen)
        # The draft's own secondary cells do not steer: one hidden in vain is published again at the end.
        own = chosen - primary
        report = judge(attack, draft.hidden(chosen), integral=False, settled=settled | own)
        settled |= {universe.index[cell.quantity] for cell in report.cells if cell.passed}
        if report.passed:
            report = judge(attack, draft.hidden(chosen), integral=True, settled=own)
        further = {secondary_for(draft, attack, chosen, cell) for cell in report.failing}
        further.discard(None)
        if report.passed or not further:
            break
        chosen |= {i for i in further if i is not None}
    chosen, report = published_again(draft, attack, chosen - primary, primary)
    named = universe.quantities
    # Its tables hide what they choose and what an earlier release hid (a cell hidden once stays hidden).
    shown_here = (i for i in draft.hidden(chosen) if len(ledger) in universe.shown_in[i])
    release = draft_release._replace(hidden=frozenset(named[i] for i in shown_here))
    secondary = frozenset(named[i] for i in chosen - primary)
    return Protection(release, frozenset(named[i] for i in primary), secondary, report)


def published_again(
    draft: Draft, attack: Attack, secondary: frozenset[int], primary: frozenset[int]
) -> tuple[frozenset[int], AuditReport]:
    """The final, integral audit, after publishing every secondary cell whose value follows from the rest anyway
    (hidden in vain). All at once is safe: a value every solution shares adds nothing an attacker can use."""
    universe = draft.universe
    report = judge(attack, draft.hidden(primary | secondary), integral=True)
    implied = {universe.index[c.quantity] for c in report.cells if c.least == c.most} & secondary
    if not implied:
        return primary | secondary, report
    chosen = primary | (secondary - implied)
    return chosen, judge(attack, draft.hidden(chosen), integral=True)


def close_single_hidden(draft: Draft, chosen: frozenset[int]) -> frozenset[int]:
    """Until no line has a lone hidden cell that must be protected, hide a partner in that line: a lone hidden
    cell equals its margin minus the published rest (sdcTools #307; CBS's 'never one suppression in a line')."""
    universe = draft.universe
    changed = True
    while changed:
        changed = False
        hidden = draft.hidden(chosen)
        for row in universe.rows:
            alone = [i for i, _ in row if i in hidden]
            if len(alone) != 1 or universe.requirement(alone[0], hidden) is None:
                continue
            partners = [i for i, _ in row if i in draft.candidates and i not in chosen]
            if partners:
                value = universe.figures[alone[0]].cases
                need = max(1, universe.rules[alone[0]].k - value)
                chosen = chosen | {min(partners, key=lambda i: draft.cost(i, need))}
                hidden = draft.hidden(chosen)
                changed = True
    return chosen


def secondary_for(draft: Draft, attack: Attack, chosen: frozenset[int], cell: CellAudit) -> int | None:
    """The next cell to hide for a failing one: among the published cells of its lines, those whose LP dual is
    not zero (freeing them widens the interval), else any of them; None when none may be hidden."""
    universe = draft.universe
    target = universe.index[cell.quantity]
    hidden = draft.hidden(chosen)
    if target not in hidden:
        return None  # published by an earlier release: nothing in this one can hide it
    component = attack.components(hidden)[target]
    interval = attack.interval(component, target, integral=False)
    short = cell.required.width - (cell.most - cell.least)
    upward = cell.most < cell.required.high or (cell.least <= cell.required.low and not isinf(cell.most))
    duals = interval.duals_most if upward else interval.duals_least
    slack = max(short, cell.required.high - cell.most if upward else cell.least - cell.required.low)
    need = max(1, int(slack))
    weight: dict[int, float] = {}
    for n, r in enumerate(component.rows):
        for i, coefficient in universe.rows[r]:
            if i in draft.candidates and i not in chosen:
                weight[i] = weight.get(i, 0.0) + (duals[n] * coefficient if duals else 0.0)
    binding = [i for i, w in weight.items() if abs(w) > DUAL_EPSILON]
    pool = binding or list(weight)
    return min(pool, key=lambda i: draft.cost(i, need)) if pool else None
