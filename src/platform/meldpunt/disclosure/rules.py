"""The protection rules: primary suppression (k cases, m members, dominance) with the platform's floors, and the
interval an attacker must be left with for every hidden cell. Pure; the figures come from branch settings."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from math import ceil
from typing import NamedTuple

from meldpunt.disclosure.errors import RuleBelowFloor
from meldpunt.disclosure.tables import Tally

# DESIGN §10: the platform's floors; a branch may make the rules stricter, never weaker.
FLOOR_K = 5
FLOOR_M = 3
FLOOR_DOMINANCE_PERCENT = 75


class Reason(StrEnum):
    """Why a cell is hidden."""

    COUNT = "count"  # 1..k-1 cases
    MEMBERS = "members"  # fewer than m distinct members
    DOMINANCE = "dominance"  # one member contributes more than the dominance share
    SECONDARY = "secondary"  # safe itself, hidden so that a primary cell cannot be recovered


class Rules(NamedTuple):
    """A branch's rules. Build them with ``branch_rules``, which refuses anything weaker than the floors."""

    k: int = FLOOR_K
    m: int = FLOOR_M
    dominance_percent: int = FLOOR_DOMINANCE_PERCENT

    def to_dict(self) -> dict[str, int]:
        return self._asdict()


PLATFORM_RULES = Rules()


def branch_rules(k: int, m: int, dominance_percent: int) -> Rules:
    """The branch's settings as rules. A setting below a floor is refused (``RuleBelowFloor``), not raised
    quietly: a board must never read k = 3 in its settings while k = 5 is applied, nor the reverse. A stricter
    dominance rule is a *lower* share (60 % hides more cells than 75 %), so the share may not go above 75."""
    if k < FLOOR_K:
        raise RuleBelowFloor(rule="k", given=k, floor=FLOOR_K)
    if m < FLOOR_M:
        raise RuleBelowFloor(rule="m", given=m, floor=FLOOR_M)
    if not 0 < dominance_percent <= FLOOR_DOMINANCE_PERCENT:
        raise RuleBelowFloor(rule="dominance", given=dominance_percent, floor=FLOOR_DOMINANCE_PERCENT)
    return Rules(k, m, dominance_percent)


def primary_reason(figures: Tally, rules: Rules) -> Reason | None:
    """Why a cell must be hidden on its own, or None when it may be published.

    An empty cell (0 cases) is published as 0: it names no one, and most empty cells are structural (a
    combination that does not occur). It is never hidden, not even as a secondary cell, so that a hidden cell
    always counts at least 1 and the audit's attacker knows exactly that (sdcTools #194)."""
    if figures.cases == 0:
        return None
    if figures.cases < rules.k:
        return Reason.COUNT
    if figures.members < rules.m:
        return Reason.MEMBERS
    if figures.largest_share > Fraction(rules.dominance_percent, 100):
        return Reason.DOMINANCE
    return None


class Requirement(NamedTuple):
    """The interval [low, high] the attacker's feasible interval must contain, and its least width."""

    low: int
    high: int
    width: int

    def met_by(self, least: int, most: float) -> bool:
        return least <= self.low and most >= self.high and most - least >= self.width


def protection_requirement(value: int, reason: Reason, rules: Rules) -> Requirement:
    """How much uncertainty a hidden cell must keep, against everything the branch ever published.

    Each demand is a level the attacker's upper bound must reach and a least width; no lower level is demanded,
    because a hidden cell is known to count at least its number of non-empty parts (empty cells show 0):
    - a small cell (1..k-1): the interval reaches k, so the attacker cannot tell the cell is small, and is at
      least k - 1 wide, so he cannot narrow it to fewer than k values;
    - a cell of too few members or with a dominant member: at least w = max(k - 1, ceil(v / 2)) wide and reaching
      v + ceil(w / 2), so that not even a contributing member, subtracting its own cases, learns what the others
      contributed to within a quarter of the cell (anchors-next §1.4: width ≥ max(k - 1, v / 2));
    - a secondary cell: not exactly determined (width at least 1).
    """
    if reason is Reason.COUNT:
        return Requirement(value, rules.k, rules.k - 1)
    if reason is Reason.SECONDARY:
        return Requirement(value, value, 1)
    width = max(rules.k - 1, ceil(value / 2))
    return Requirement(value, value + ceil(width / 2), width)
