"""The known under-protection cases of table suppression (anchors-next §1.2, §1.3), as fixed examples: each is
first shown to leak with too little suppression (the audit and an independent attacker both recover the cell),
then protected, after which neither can narrow any primary cell below its protection."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from meldpunt.disclosure import (
    PLATFORM_RULES,
    Fact,
    Period,
    Quantity,
    Release,
    TableSpec,
    audit,
    fact,
    protect,
    quarter,
    quarters_through,
    table,
    tabulate,
)
from meldpunt.disclosure.rules import Reason, primary_reason
from tests.support.disclosure_attacker import Attacker

Q1 = quarter("2026-Q1")
BY_SIZE = table("category_by_size", category=["x", "y", "z"], size=["s", "m", "l"])
BY_SETTING = table("category_by_setting", category=["x", "y", "z"], setting=["o", "p"])


def facts_of(quarter_label: str, counts: Mapping[tuple[str, ...], int], dims: Sequence[str]) -> list[Fact]:
    """``counts`` cases per combination of codes, each case from one of 20 members in turn (so only the k rule
    bites)."""
    facts = []
    for codes, cases in counts.items():
        for n in range(cases):
            facts.append(fact(quarter_label, f"member-{n % 20}", **dict(zip(dims, codes, strict=True))))
    return facts


def cell(period: Period, **codes: str) -> Quantity:
    return Quantity(period.quarters, tuple(sorted(codes.items())))


def primaries(facts: Sequence[Fact], period: Period, specs: Sequence[TableSpec]) -> frozenset[Quantity]:
    cells = tabulate(facts, period, specs)
    return frozenset(q for q, figures in cells.items() if primary_reason(figures, PLATFORM_RULES) is not None)


def assert_attacker_is_held_off(facts: Sequence[Fact], releases: Sequence[Release]) -> None:
    """The independent attacker cannot tell a small cell of any release is small, nor narrow it below k values."""
    attacker = Attacker(facts, releases)
    for release in releases:
        cells = tabulate(facts, release.period, release.specs)
        for quantity, figures in cells.items():
            if primary_reason(figures, release.rules) is Reason.COUNT:
                least, most = attacker.interval(quantity.quarters, **dict(quantity.assignment))
                assert most >= release.rules.k and most - least >= release.rules.k - 1, (quantity, least, most)


def test_a_lone_small_cell_in_a_row_is_its_margin_minus_the_rest_until_a_partner_is_hidden():
    counts = {("x", "s"): 2, ("x", "m"): 10, ("x", "l"): 9, ("y", "s"): 8, ("y", "m"): 9, ("y", "l"): 7}
    counts |= {("z", "s"): 7, ("z", "m"): 6, ("z", "l"): 12}
    facts = facts_of("2026-Q1", counts, ("category", "size"))
    small = cell(Q1, category="x", size="s")
    assert primaries(facts, Q1, [BY_SIZE]) == {small}

    only_primary = Release(Q1, (BY_SIZE,), PLATFORM_RULES, frozenset({small}))
    (verdict,) = audit(facts, [only_primary]).cells
    assert (verdict.least, verdict.most, verdict.passed) == (2, 2, False)
    assert Attacker(facts, [only_primary]).interval(Q1.quarters, category="x", size="s") == (2, 2)

    protection = protect(facts, [], Q1, [BY_SIZE], PLATFORM_RULES)
    assert protection.publishable
    assert len(protection.secondary) >= 3  # a rectangle at least: one partner per line
    assert_attacker_is_held_off(facts, [protection.release])


def test_small_cells_hidden_only_among_themselves_give_away_that_they_are_small_until_a_large_one_joins():
    """sdcTools #307: B and C hidden in one row, A published, so B + C is known and below k; and #194: since an
    empty cell is shown as 0, each hidden cell is at least 1, which narrows them further. No cell is exact, yet
    every one is known to be small."""
    counts = {("x", "s"): 2, ("x", "m"): 2, ("x", "l"): 20, ("y", "s"): 3, ("y", "m"): 3, ("y", "l"): 20}
    counts |= {("z", "s"): 9, ("z", "m"): 8, ("z", "l"): 12}
    facts = facts_of("2026-Q1", counts, ("category", "size"))
    hidden = primaries(facts, Q1, [BY_SIZE])
    assert len(hidden) == 4

    report = audit(facts, [Release(Q1, (BY_SIZE,), PLATFORM_RULES, hidden)])
    failing = {c.quantity: (c.least, c.most) for c in report.failing}
    assert failing == {
        cell(Q1, category="x", size="s"): (1, 3),
        cell(Q1, category="x", size="m"): (1, 3),
        cell(Q1, category="y", size="s"): (2, 4),
        cell(Q1, category="y", size="m"): (2, 4),
    }
    assert Attacker(facts, [Release(Q1, (BY_SIZE,), PLATFORM_RULES, hidden)]).interval(
        Q1.quarters, category="y", size="s"
    ) == (2, 4)

    protection = protect(facts, [], Q1, [BY_SIZE], PLATFORM_RULES)
    assert protection.publishable
    assert_attacker_is_held_off(facts, [protection.release])


def linked_facts() -> list[Fact]:
    joint = {
        ("x", "s", "o"): 1, ("x", "s", "p"): 1, ("x", "m", "o"): 5, ("x", "m", "p"): 4, ("x", "l", "o"): 4,
        ("x", "l", "p"): 5, ("y", "s", "o"): 4, ("y", "s", "p"): 4, ("y", "m", "o"): 4, ("y", "m", "p"): 4,
        ("y", "l", "o"): 5, ("y", "l", "p"): 4, ("z", "s", "o"): 3, ("z", "s", "p"): 4, ("z", "m", "o"): 3,
        ("z", "m", "p"): 3, ("z", "l", "o"): 5, ("z", "l", "p"): 5,
    }  # fmt: skip
    return facts_of("2026-Q1", joint, ("category", "size", "setting"))


def test_a_pattern_safe_in_its_own_table_is_undone_by_a_linked_table_that_publishes_its_margin():
    """sdcTools #136: protecting linked tables one by one is unsafe. Category × size hides (x, s) with the row
    totals of x and y (safe on its own); category × setting publishes the total of x, which gives (x, s) away."""
    facts = linked_facts()
    x_small = cell(Q1, category="x", size="s")
    rectangle = {x_small, cell(Q1, category="x"), cell(Q1, category="y", size="s"), cell(Q1, category="y")}
    by_size = Release(Q1, (BY_SIZE,), PLATFORM_RULES, frozenset(rectangle))
    assert audit(facts, [by_size]).passed
    by_setting = Release(Q1, (BY_SETTING,), PLATFORM_RULES, frozenset())
    assert primaries(facts, Q1, [BY_SETTING]) == frozenset()

    together = audit(facts, [by_size, by_setting])
    assert not together.passed
    verdict = next(c for c in together.cells if c.quantity == x_small)
    assert (verdict.least, verdict.most) == (2, 2)
    assert Attacker(facts, [by_size, by_setting]).interval(Q1.quarters, category="x", size="s") == (2, 2)

    protection = protect(facts, [], Q1, [BY_SIZE, BY_SETTING], PLATFORM_RULES)
    assert protection.publishable
    assert_attacker_is_held_off(facts, [protection.release])


def three_way_facts() -> list[Fact]:
    """Sparse synthetic facts for a 6 × 4 × 5 table, skewed as real cases are (a few common categories)."""
    rng = random.Random(16)
    categories, sizes, settings = ("c1", "c2", "c3", "c4", "c5", "c6"), ("s1", "s2", "s3", "s4"), "abcde"
    facts = []
    for n in range(600):
        codes = {
            "category": rng.choices(categories, weights=(8, 5, 3, 2, 1, 1))[0],
            "size": rng.choices(sizes, weights=(4, 3, 2, 1))[0],
            "setting": rng.choices(settings, weights=(5, 3, 2, 1, 1))[0],
        }
        facts.append(fact("2026-Q1", f"member-{n % 40}", **codes))
    return facts


def test_a_three_way_table_without_secondary_suppression_gives_most_small_cells_away_exactly():
    """anchors-next §1.3: 29 of 41 sensitive cells of a 3-way table recovered exactly from the totals."""
    spec = table(
        "category_by_size_by_setting",
        category=["c1", "c2", "c3", "c4", "c5", "c6"],
        size=["s1", "s2", "s3", "s4"],
        setting=list("abcde"),
    )
    facts = three_way_facts()
    hidden = primaries(facts, Q1, [spec])
    report = audit(facts, [Release(Q1, (spec,), PLATFORM_RULES, hidden)])
    exact = [c for c in report.cells if c.least == c.most]
    assert len(hidden) >= 20
    assert len(exact) > len(hidden) / 2

    protection = protect(facts, [], Q1, [spec], PLATFORM_RULES)
    assert protection.publishable
    assert all(c.least < c.most for c in protection.report.cells)
    assert_attacker_is_held_off(facts, [protection.release])


def year_to_date_facts() -> list[Fact]:
    """Q1 and Q2 large everywhere; Q3 adds a few cases, so the year-to-date tables have no small cell at all."""
    counts = {(c, s): 6 for c in ("x", "y", "z") for s in ("s", "m", "l")}
    q3 = {("x", "s"): 2, ("x", "m"): 1, ("y", "l"): 3, ("z", "s"): 9, ("z", "m"): 7, ("z", "l"): 8}
    q3 |= {("x", "l"): 6, ("y", "s"): 5, ("y", "m"): 6}
    dims = ("category", "size")
    return facts_of("2026-Q1", counts, dims) + facts_of("2026-Q2", counts, dims) + facts_of("2026-Q3", q3, dims)


def test_two_year_to_date_tables_protected_apart_give_away_the_quarter_between_them():
    """The negative control: the audit over the ledger must catch what protecting each release alone misses."""
    facts = year_to_date_facts()
    half, three = quarters_through(2026, 2), quarters_through(2026, 3)
    first = protect(facts, [], half, [BY_SIZE], PLATFORM_RULES)
    alone = protect(facts, [], three, [BY_SIZE], PLATFORM_RULES)
    assert first.publishable and alone.publishable and not alone.release.hidden

    caught = audit(facts, [first.release, alone.release])
    assert not caught.passed
    q3 = Period(("2026-Q3",))
    exact = {c.quantity for c in caught.failing if c.least == c.most}
    assert cell(q3, category="x", size="s") in exact
    attacker = Attacker(facts, [first.release, alone.release])
    assert attacker.interval(q3.quarters, category="x", size="s") == (2, 2)

    against_ledger = protect(facts, [first.release], three, [BY_SIZE], PLATFORM_RULES)
    assert against_ledger.publishable
    assert audit(facts, [first.release, against_ledger.release]).passed
    for q3_cell, figures in tabulate(facts, q3, [BY_SIZE]).items():
        if primary_reason(figures, PLATFORM_RULES) is Reason.COUNT:
            final = Attacker(facts, [first.release, against_ledger.release])
            least, most = final.interval(q3.quarters, **dict(q3_cell.assignment))
            assert most >= 5 and most - least >= 4, (q3_cell, least, most)


def test_tables_linked_in_a_cycle_are_audited_with_the_joint_table_behind_them():
    """Category × size, size × setting and setting × category: the margins alone leave wider intervals than an
    attacker who knows one table of whole numbers lies behind all three; the audit must see what he sees."""
    categories, sizes, settings = ["c1", "c2", "c3"], ["s", "m", "l"], ["o", "p", "q"]
    cycle = (
        table("category_by_size", category=categories, size=sizes),
        table("size_by_setting", size=sizes, setting=settings),
        table("category_by_setting", category=categories, setting=settings),
    )
    for seed in (3, 12):
        rng = random.Random(seed)
        facts = [
            fact("2026-Q1", f"m{rng.randint(0, 9)}", category=rng.choice(categories), size=rng.choice(sizes),
                 setting=rng.choice(settings))
            for _ in range(rng.randint(30, 90))
        ]  # fmt: skip
        protection = protect(facts, [], Q1, cycle, PLATFORM_RULES)
        assert protection.publishable
        attacker = Attacker(facts, [protection.release])
        for verdict in protection.report.cells:
            seen = attacker.interval(verdict.quantity.quarters, **dict(verdict.quantity.assignment))
            assert (verdict.least, verdict.most) == seen, verdict


def test_a_later_release_of_the_same_period_is_protected_against_the_earlier_one():
    """A report's tables after the quarter's (DESIGN §15: two reports cannot be combined): the margins the first
    release hid stay hidden where the second shows them, and the two together hold."""
    facts = linked_facts()
    rectangle = {
        cell(Q1, category="x", size="s"),
        cell(Q1, category="x"),
        cell(Q1, category="y", size="s"),
        cell(Q1, category="y"),
    }
    first = Release(Q1, (BY_SIZE,), PLATFORM_RULES, frozenset(rectangle))
    second = protect(facts, [first], Q1, [BY_SETTING], PLATFORM_RULES)
    assert second.publishable
    assert {cell(Q1, category="x"), cell(Q1, category="y")} <= second.release.hidden
    assert audit(facts, [first, second.release]).passed
    assert_attacker_is_held_off(facts, [first, second.release])


ADVICE = table("advice_by_size", advice=["a", "b", "c"], size=["s", "l"])
BY_SERVED = table("advice_by_served", advice=["a", "b", "c"], served=["yes", "no"])


def committee_facts() -> list[Fact]:
    """Twenty members; a committee serves the first ten (``served=yes``). Advice b: six of its own, and one of a
    member it does not serve, so the branch's total of b (7) minus the committee's (6) is that one member's."""
    facts = []
    counts = {("a", "yes"): 9, ("a", "no"): 8, ("b", "yes"): 6, ("b", "no"): 1, ("c", "yes"): 7, ("c", "no"): 9}
    for (advice, served), cases in counts.items():
        for n in range(cases):
            member = f"member-{n % 10 + (0 if served == 'yes' else 10)}"
            facts.append(fact("2026-Q1", member, advice=advice, served=served, size="s" if n % 2 else "l"))
    return facts


def not_served(spec: TableSpec, period: Period) -> frozenset[Quantity]:
    """The cells of ``spec`` a committee's report does not show: those of members it does not serve, and those
    across all members (the branch's own, published by its releases or not at all)."""
    return frozenset(
        Quantity(period.quarters, spec.assignment(c)) for c in spec.cells() if c[spec.dims.index("served")] != "yes"
    )


def test_a_committee_report_protected_apart_from_the_branch_release_gives_away_a_member_it_does_not_serve():
    """Two reports of one population, protected separately (the issue's negative control): the branch publishes
    advice b across all its members (7), the committee its own members' b (6), each safe on its own; together
    they give away the one advice of a member the committee does not serve. Protected against the branch's
    ledger, with the cells of the members it does not serve withheld, the committee's report hides enough."""
    facts = committee_facts()
    branch = protect(facts, [], Q1, [ADVICE], PLATFORM_RULES)
    assert branch.publishable and cell(Q1, advice="b") not in branch.release.hidden
    withheld = not_served(BY_SERVED, Q1)
    apart = Release(Q1, (BY_SERVED,), PLATFORM_RULES, frozenset(), withheld)
    together = audit(facts, [branch.release, apart])
    assert not together.passed
    verdict = next(c for c in together.cells if c.quantity == cell(Q1, advice="b", served="no"))
    assert (verdict.least, verdict.most) == (1, 1)
    assert Attacker(facts, [branch.release, apart]).interval(Q1.quarters, advice="b", served="no") == (1, 1)

    joint = protect(facts, [branch.release], Q1, [BY_SERVED], PLATFORM_RULES, withheld=withheld)
    assert joint.publishable
    assert cell(Q1, advice="b", served="yes") in joint.release.hidden
    assert not joint.release.hidden & withheld  # a withheld cell is never shown, not even as hidden
    assert audit(facts, [branch.release, joint.release]).passed
    assert_attacker_is_held_off(facts, [branch.release, joint.release])


def test_withheld_cells_are_judged_by_the_rules_given_for_them():
    """A committee that serves one member reports that member's own figures (k only), but the members it does
    not serve are judged by the branch's rules: with m = 3, a complement of two members must stay hidden."""
    facts = [
        *(fact("2026-Q1", "own", advice="a", served="yes", size="s") for _ in range(6)),
        *(fact("2026-Q1", f"other-{n % 2}", advice="a", served="no", size="l") for n in range(6)),
        *(fact("2026-Q1", f"other-{n % 5 + 2}", advice="b", served="no", size="l") for n in range(10)),
    ]
    branch = protect(facts, [], Q1, [ADVICE], PLATFORM_RULES)
    assert cell(Q1, advice="a") not in branch.release.hidden
    own_only = PLATFORM_RULES._replace(m=1, dominance_percent=100)
    withheld = not_served(BY_SERVED, Q1)
    loose = protect(facts, [branch.release], Q1, [BY_SERVED], own_only, withheld=withheld)
    strict = protect(
        facts, [branch.release], Q1, [BY_SERVED], own_only, withheld=withheld, withheld_rules=PLATFORM_RULES
    )
    assert cell(Q1, advice="a", served="yes") not in loose.release.hidden
    assert strict.publishable and cell(Q1, advice="a", served="yes") in strict.release.hidden
    complement = next(c for c in strict.report.cells if c.quantity == cell(Q1, advice="a", served="no"))
    assert complement.reason is Reason.MEMBERS and complement.passed
