"""The audit, the proof of protection (DESIGN §10): for every hidden or primary cell, the least and the most it can
be given everything the branch ever published, by linear programs on HiGHS. Pure; the report is plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import ceil, floor, inf, isinf
from typing import Any, NamedTuple

import numpy as np
import scipy
from scipy.optimize import Bounds as VariableBounds
from scipy.optimize import LinearConstraint, milp
from scipy.optimize._highspy import _core as highs
from scipy.sparse import csc_array

from meldpunt.disclosure.ledger import Release, Universe, build_universe
from meldpunt.disclosure.rules import Reason, Requirement
from meldpunt.disclosure.tables import Fact, Quantity, Tally

# HiGHS works in floating point: a bound within this of an integer is that integer.
TOLERANCE = 1e-6
# The options linprog(method="highs") sets (quiet, presolve on, dual simplex), so the same vertex is found.
SOLVER_OPTIONS: dict[str, object] = {
    "output_flag": False,
    "log_to_console": False,
    "presolve": "on",
    "simplex_strategy": 1,  # kSimplexStrategyDual
    "highs_debug_level": 0,
}


class CellAudit(NamedTuple):
    """One cell's verdict: its true value, the attacker's interval, what was required, and whether it holds."""

    quantity: Quantity
    places: tuple[str, ...]
    value: int
    reason: Reason
    least: int
    most: float  # inf when nothing bounds the cell from above
    required: Requirement
    passed: bool

    def to_dict(self) -> dict[str, object]:
        return {
            **self.quantity.to_dict(),
            "tables": list(self.places),
            "value": self.value,
            "reason": str(self.reason),
            "min": self.least,
            "max": None if isinf(self.most) else int(self.most),
            "required_min": self.required.low,
            "required_max": self.required.high,
            "required_width": self.required.width,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class AuditReport:
    """The audit of a ledger; kept with the release. It holds true values of hidden cells: never for a board."""

    cells: tuple[CellAudit, ...]
    integral: bool

    @property
    def passed(self) -> bool:
        return all(cell.passed for cell in self.cells)

    @property
    def failing(self) -> tuple[CellAudit, ...]:
        return tuple(cell for cell in self.cells if not cell.passed)

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "method": "milp" if self.integral else "lp",
            "solver": f"scipy {scipy.__version__} HiGHS",
            "cells": [cell.to_dict() for cell in self.cells],
        }


class Component(NamedTuple):
    """Hidden quantities tied to each other by rows; an attacker's problem splits into these, one LP each."""

    variables: tuple[int, ...]
    rows: tuple[int, ...]


Duals = tuple[float, ...] | None


class Program(NamedTuple):
    """One component's linear program but for its objective: the hidden cells' columns, the equations of its
    rows with the published cells moved to the right-hand side, and each cell's least possible value."""

    position: dict[int, int]
    matrix: csc_array
    fixed: np.ndarray
    floor_of: np.ndarray
    solver: Any  # HiGHS with the program loaded


class Interval(NamedTuple):
    least: int
    most: float
    # Per row of the component, the dual of the bound that failed first (LP only): which published cells bind.
    duals_most: Duals
    duals_least: Duals
    # Both bounds are whole-number optima: solved as a MILP, or the LP's optimal vertices were whole already.
    whole: bool


@dataclass
class Attack:
    """The attacker's programs over one universe, with the intervals already solved (keyed by component)."""

    universe: Universe
    solved: dict[tuple[tuple[int, ...], int], Interval] = field(default_factory=dict)
    programs: dict[tuple[int, ...], Program] = field(default_factory=dict)

    def components(self, hidden: frozenset[int]) -> dict[int, Component]:
        parent = {i: i for i in hidden}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        touching: dict[int, list[int]] = {}
        for r, row in enumerate(self.universe.rows):
            inside = [i for i, _ in row if i in hidden]
            for i in inside:
                touching.setdefault(i, []).append(r)
            for i in inside[1:]:
                parent[root(i)] = root(inside[0])
        groups: dict[int, list[int]] = {}
        for i in sorted(hidden):
            groups.setdefault(root(i), []).append(i)
        found: dict[int, Component] = {}
        for members in groups.values():
            rows = tuple(sorted({r for i in members for r in touching.get(i, ())}))
            component = Component(tuple(members), rows)
            found.update(dict.fromkeys(members, component))
        return found

    def interval(self, component: Component, target: int, integral: bool) -> Interval:
        key = (component.variables, target)
        known = self.solved.get(key)
        if known is None or (integral and not known.whole):
            known = self.solved[key] = self.solve(component, target, integral)
        return known

    def program(self, component: Component) -> Program:
        """The component's constraints, built once for all the bounds solved over it."""
        known = self.programs.get(component.variables)
        if known is not None:
            return known
        position = {i: n for n, i in enumerate(component.variables)}
        coefficients, at_row, at_column = [], [], []
        fixed = np.zeros(len(component.rows))
        for n, r in enumerate(component.rows):
            for i, coefficient in self.universe.rows[r]:
                if i in position:
                    coefficients.append(coefficient)
                    at_row.append(n)
                    at_column.append(position[i])
                else:  # a published cell: its value moves to the right-hand side
                    fixed[n] -= coefficient * self.universe.figures[i].cases
        matrix = csc_array(
            (coefficients, (at_row, at_column)), shape=(len(component.rows), len(component.variables)), dtype=float
        )
        floor_of = np.array([self.least_possible(i) for i in component.variables], dtype=float)
        made = Program(position, matrix, fixed, floor_of, loaded(matrix, fixed, floor_of))
        self.programs[component.variables] = made
        return made

    def solve(self, component: Component, target: int, integral: bool) -> Interval:
        program = self.program(component)
        objective = np.zeros(len(component.variables))
        objective[program.position[target]] = 1.0
        least, duals_least, whole_least = bound(objective, program, integral)
        most, duals_most, whole_most = bound(-objective, program, integral)
        highest = inf if isinf(most) else floor(-most + TOLERANCE)
        return Interval(ceil(least - TOLERANCE), highest, duals_most, duals_least, whole_least and whole_most)

    def least_possible(self, i: int) -> int:
        """What the attacker knows a hidden cell is at least: 1 for a hidden cell of a published table, since empty
        cells are always published as 0 and never hidden (sdcTools #194: so hidden means not empty); 0 for the
        quarters inside a year and the joint cells, which no table shows."""
        return 1 if self.universe.shown_in[i] and self.universe.figures[i].cases > 0 else 0


def loaded(matrix: csc_array, fixed: np.ndarray, floor_of: np.ndarray) -> Any:
    """HiGHS with the program loaded, through scipy's own binding of it: what ``linprog(method="highs")`` runs,
    with the same options, without its checks and conversions of every input on every call (most of its time on
    programs this small). Each bound then only sets the objective."""
    program = highs.HighsLp()
    program.num_col_, program.num_row_ = matrix.shape[1], matrix.shape[0]
    program.a_matrix_.num_col_, program.a_matrix_.num_row_ = matrix.shape[1], matrix.shape[0]
    program.a_matrix_.format_ = highs.MatrixFormat.kColwise
    program.a_matrix_.start_, program.a_matrix_.index_ = matrix.indptr, matrix.indices
    program.a_matrix_.value_ = matrix.data
    program.col_cost_, program.col_lower_ = np.zeros(matrix.shape[1]), floor_of
    program.col_upper_ = np.full(matrix.shape[1], highs.kHighsInf)
    program.row_lower_ = program.row_upper_ = fixed
    solver = highs._Highs()
    for option, value in SOLVER_OPTIONS.items():
        solver.setOptionValue(option, value)
    if solver.passModel(program) == highs.HighsStatus.kError:
        raise ArithmeticError("the audit LP could not be loaded")
    return solver


def bound(objective: np.ndarray, program: Program, integral: bool) -> tuple[float, Duals, bool]:
    """The optimum of ``objective`` over the hidden cells: real values ≥ their floor (the LP relaxation), or whole
    numbers when ``integral``. The MILP is only solved when the LP's optimal vertex is not whole already (in a
    two-way table it always is: its matrix is totally unimodular). Every LP starts afresh (no warm start), so
    that the vertex, and so the duals that steer suppression, do not depend on what was solved before."""
    solver = program.solver
    solver.changeColsCost(len(objective), np.arange(len(objective), dtype=np.int32), objective)
    solver.clearSolver()
    if solver.run() == highs.HighsStatus.kError:
        raise ArithmeticError("the audit LP could not be solved")
    status = solver.getModelStatus()
    if status == highs.HighsModelStatus.kUnbounded:
        return -inf, None, True
    if status != highs.HighsModelStatus.kOptimal:
        raise ArithmeticError(f"the audit LP did not solve: {solver.modelStatusToString(status)}")
    solution = solver.getSolution()
    duals = tuple(float(d) for d in solution.row_dual)
    x = np.asarray(solution.col_value)
    whole = bool(np.allclose(x, np.round(x), atol=TOLERANCE, rtol=0))
    value = float(solver.getInfo().objective_function_value)
    if whole or not integral:
        return value, duals, whole
    exact = milp(
        objective,
        constraints=LinearConstraint(program.matrix, program.fixed, program.fixed),
        integrality=np.ones(len(objective)),
        bounds=VariableBounds(program.floor_of, inf),
    )
    if exact.status != 0:
        raise ArithmeticError(f"the audit MILP did not solve: {exact.message}")
    return float(exact.fun), duals, True


def judge(attack: Attack, hidden: frozenset[int], integral: bool, settled: frozenset[int] = frozenset()) -> AuditReport:
    """The verdict on every cell that must be protected, given which quantities are hidden; cells in ``settled``
    are left out (while suppressing: those that passed with fewer cells hidden, as hiding more only widens an
    interval, and the new secondary cells)."""
    universe = attack.universe
    components = attack.components(hidden)
    cells = []
    for i, quantity in enumerate(universe.quantities):
        demanded = universe.requirement(i, hidden)
        if demanded is None or i in settled:
            continue
        reason, required = demanded
        value = universe.figures[i].cases
        least, most = (value, float(value))
        if i in hidden:
            least, most, *_ = attack.interval(components[i], i, integral)
        passed = i in hidden and required.met_by(least, most)
        cells.append(CellAudit(quantity, universe.places[i], value, reason, least, most, required, passed))
    return AuditReport(tuple(cells), integral)


def audit(
    facts: Iterable[Fact],
    releases: Sequence[Release],
    *,
    integral: bool = True,
    figures: Mapping[Quantity, Tally] | None = None,
) -> AuditReport:
    """Attack everything the branch published (``releases``, in publication order) and judge every hidden cell.

    ``integral``: the attacker solves in whole numbers (MILP, exact). With False, the LP relaxation: faster, and
    its interval can only be wider, so a pass there is weaker evidence; ``protect`` ends with the integral one.
    ``figures``: the true figures counted elsewhere (see ``protect``).
    """
    universe = build_universe(facts, releases, figures)
    return judge(Attack(universe), universe.hidden_by(releases), integral)
