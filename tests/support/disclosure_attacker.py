"""An attacker written apart from ``meldpunt.disclosure``: it shares nothing with the audit but the release format.

It knows what a board could know: the code lists, every published cell of every release, and that behind them is
one table of whole numbers ≥ 0 per quarter crossing *all* dimensions (the microdata's own table), and that a
hidden cell is not empty (empty cells are published as 0). It solves for
each cell the least and most that table allows (HiGHS MILP). This is stronger than the audit's model (it also
knows that linked tables come from one joint table), so the tests check the audit against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from math import ceil, floor, inf

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from meldpunt.disclosure import TOTAL, Fact, Release


class Attacker:
    def __init__(self, facts: Sequence[Fact], releases: Sequence[Release]) -> None:
        codes: dict[str, list[str]] = {}
        for release in releases:
            for spec in release.specs:
                for dim, values in zip(spec.dims, spec.codes, strict=True):
                    codes.setdefault(dim, sorted(values))
        self.dims = sorted(codes)
        quarters = sorted({q for release in releases for q in release.period.quarters})
        self.base = [(q, combo) for q in quarters for combo in product(*(codes[d] for d in self.dims))]
        self.facts = facts
        rows, values, at_least = [], [], []
        for release in releases:
            hidden = {(h.quarters, h.assignment) for h in release.hidden}
            withheld = {(w.quarters, w.assignment) for w in release.withheld}
            for spec in release.specs:
                for cell in spec.cells():
                    wanted = {d: c for d, c in zip(spec.dims, cell, strict=True) if c != TOTAL}
                    row = self.indicator(release.period.quarters, wanted)
                    if (release.period.quarters, tuple(sorted(wanted.items()))) in withheld:
                        continue  # never shown, not even as hidden: the attacker learns nothing of it
                    if (release.period.quarters, tuple(sorted(wanted.items()))) in hidden:
                        at_least.append(row)  # empty cells are published as 0: a hidden one counts at least 1
                    else:
                        rows.append(row)
                        values.append(self.truth(release.period.quarters, wanted))
        self.matrix = np.array(rows, dtype=float).reshape(len(rows), len(self.base))
        self.values = np.array(values, dtype=float)
        self.nonempty = np.array(at_least, dtype=float).reshape(len(at_least), len(self.base))

    def indicator(self, quarters: Sequence[str], wanted: dict[str, str]) -> list[float]:
        return [
            1.0 if q in quarters and all(combo[self.dims.index(d)] == c for d, c in wanted.items()) else 0.0
            for q, combo in self.base
        ]

    def truth(self, quarters: Sequence[str], wanted: dict[str, str]) -> int:
        inside = [f for f in self.facts if f.quarter in quarters]
        return sum(f.cases for f in inside if all(dict(f.codes)[d] == c for d, c in wanted.items()))

    def interval(self, quarters: Sequence[str], **wanted: str) -> tuple[int, float]:
        """The least and most the cell can be, as whole numbers, given everything published."""
        objective = np.array(self.indicator(quarters, wanted))
        least = self.optimum(objective)
        most = self.optimum(-objective)
        return ceil(least - 1e-6), inf if most == -inf else floor(-most + 1e-6)

    def optimum(self, objective: np.ndarray) -> float:
        relaxed = linprog(
            objective,
            A_ub=-self.nonempty if len(self.nonempty) else None,
            b_ub=-np.ones(len(self.nonempty)) if len(self.nonempty) else None,
            A_eq=self.matrix,
            b_eq=self.values,
            bounds=(0, None),
            method="highs",
        )
        if relaxed.status == 3:
            return -inf
        assert relaxed.status == 0, relaxed.message
        if np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7, rtol=0):
            return float(relaxed.fun)  # a whole-number vertex: the integer optimum too
        constraints = [LinearConstraint(self.matrix, self.values, self.values)]
        if len(self.nonempty):
            constraints.append(LinearConstraint(self.nonempty, 1, inf))
        exact = milp(objective, constraints=constraints, integrality=np.ones(len(self.base)), bounds=Bounds(0, inf))
        assert exact.status == 0, exact.message
        return float(exact.fun)
