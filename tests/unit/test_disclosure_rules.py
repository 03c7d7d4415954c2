"""The protection rules: the platform's floors cannot be lowered by a branch, which cells are primary, and how much
uncertainty each hidden cell must keep (DESIGN §10)."""

from __future__ import annotations

import pytest

from meldpunt.disclosure import (
    PLATFORM_RULES,
    Quantity,
    Reason,
    Tally,
    branch_rules,
    fact,
    protect,
    quarter,
    table,
    tabulate,
)
from meldpunt.disclosure.errors import RuleBelowFloor
from meldpunt.disclosure.linkage import linked_as_tree
from meldpunt.disclosure.rules import Requirement, primary_reason, protection_requirement


@pytest.mark.parametrize(
    ("k", "m", "dominance"), [(4, 3, 75), (5, 2, 75), (5, 3, 76), (5, 3, 100), (5, 3, 0), (0, 0, 75)]
)
def test_a_branch_cannot_set_a_rule_weaker_than_the_platform_floor(k, m, dominance):
    with pytest.raises(RuleBelowFloor) as refused:
        branch_rules(k, m, dominance)
    assert refused.value.status == 422
    assert "grens" in refused.value.detail_in("nl")
    assert "floor" in refused.value.detail_in("en")


def test_a_branch_may_make_every_rule_stricter():
    rules = branch_rules(10, 4, 60)
    assert (rules.k, rules.m, rules.dominance_percent) == (10, 4, 60)
    assert branch_rules(5, 3, 75) == PLATFORM_RULES


@pytest.mark.parametrize(
    ("figures", "reason"),
    [
        (Tally(0, 0, 0), None),  # an empty cell is published as 0
        (Tally(1, 1, 1), Reason.COUNT),
        (Tally(4, 4, 1), Reason.COUNT),
        (Tally(5, 5, 1), None),
        (Tally(12, 2, 6), Reason.MEMBERS),
        (Tally(20, 5, 16), Reason.DOMINANCE),  # 80 % from one member
        (Tally(20, 5, 15), None),  # exactly 75 % is not above the share
    ],
)
def test_a_cell_is_primary_when_small_of_few_members_or_dominated(figures, reason):
    assert primary_reason(figures, PLATFORM_RULES) == reason


def test_stricter_branch_rules_hide_more_cells():
    strict = branch_rules(10, 3, 60)
    assert primary_reason(Tally(7, 7, 1), PLATFORM_RULES) is None
    assert primary_reason(Tally(7, 7, 1), strict) is Reason.COUNT
    assert primary_reason(Tally(20, 5, 13), strict) is Reason.DOMINANCE


def test_each_hidden_cell_keeps_the_uncertainty_its_rule_demands():
    assert protection_requirement(3, Reason.COUNT, PLATFORM_RULES) == Requirement(3, 5, 4)
    assert protection_requirement(3, Reason.COUNT, branch_rules(10, 3, 75)) == Requirement(3, 10, 9)
    assert protection_requirement(20, Reason.MEMBERS, PLATFORM_RULES) == Requirement(20, 25, 10)
    assert protection_requirement(6, Reason.DOMINANCE, PLATFORM_RULES) == Requirement(6, 8, 4)
    assert protection_requirement(8, Reason.SECONDARY, PLATFORM_RULES) == Requirement(8, 8, 1)
    small = Requirement(3, 5, 4)
    assert not small.met_by(1, 4)  # the attacker knows it is small
    assert not small.met_by(3, 6)  # the attacker narrows it to four values
    assert small.met_by(2, 6)
    assert small.met_by(3, float("inf"))


def test_a_cell_of_two_members_is_hidden_and_kept_uncertain_by_half_its_size_even_with_many_cases():
    spec = table("category_by_size", category=["x", "y"], size=["s", "l"])
    facts = [fact("2026-Q1", "big", 8, category="x", size="s"), fact("2026-Q1", "small", 4, category="x", size="s")]
    facts += [fact("2026-Q1", f"m{n}", 3, category=c, size=s) for n in range(4) for c, s in (("x", "l"), ("y", "s"))]
    facts += [fact("2026-Q1", f"m{n}", 5, category="y", size="l") for n in range(4)]
    protection = protect(facts, [], quarter("2026-Q1"), [spec], PLATFORM_RULES)
    two_members = Quantity(("2026-Q1",), (("category", "x"), ("size", "s")))
    assert two_members in protection.primary
    verdict = next(c for c in protection.report.cells if c.quantity == two_members)
    assert verdict.reason is Reason.MEMBERS
    assert verdict.most >= 12 + 3 and verdict.most - verdict.least >= 6
    assert protection.publishable


def test_empty_cells_are_published_as_zero():
    spec = table("category_by_size", category=["x", "y"], size=["s", "l"])
    facts = [fact("2026-Q1", f"m{n}", category="x", size="s") for n in range(9)]
    facts += [fact("2026-Q1", f"m{n}", category="y", size="l") for n in range(9)]
    protection = protect(facts, [], quarter("2026-Q1"), [spec], PLATFORM_RULES)
    assert protection.release.hidden == frozenset()
    assert protection.publishable


def test_tables_sharing_dimensions_link_as_a_tree_or_a_cycle():
    tree = [frozenset("ab"), frozenset("bc"), frozenset("cd"), frozenset("a")]
    assert linked_as_tree(tree)
    assert not linked_as_tree([frozenset("ab"), frozenset("bc"), frozenset("ca")])
    assert not linked_as_tree([frozenset("ab"), frozenset("bc"), frozenset("cd"), frozenset("da")])
    assert linked_as_tree([frozenset("ab"), frozenset("bc"), frozenset("ca"), frozenset("abc")])


def test_facts_outside_the_closed_code_lists_or_without_cases_are_refused():
    spec = table("category_by_size", category=["x", "y"], size=["s", "l"])
    with pytest.raises(ValueError, match="closed list"):
        tabulate([fact("2026-Q1", "m", category="x", size="xl")], quarter("2026-Q1"), [spec])
    with pytest.raises(ValueError, match="at least one case"):
        tabulate([fact("2026-Q1", "m", 0, category="x", size="s")], quarter("2026-Q1"), [spec])
