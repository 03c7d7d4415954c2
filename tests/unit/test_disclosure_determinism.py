"""Same input, same pattern (DESIGN §10; sdcTools #315): the facts' order, how they are grouped, and the order of
the tables do not change which cells are hidden, nor the audit report kept with the release."""

from __future__ import annotations

import json
import random

from meldpunt.disclosure import PLATFORM_RULES, Fact, calendar_year, fact, protect, quarter, table

CATEGORIES = ["c1", "c2", "c3", "c4"]
TABLES = [
    table("category_by_size", category=CATEGORIES, size=["s", "m", "l"]),
    table("category_by_setting", category=CATEGORIES, setting=["o", "p", "q"]),
]


def some_facts(seed: int) -> list[Fact]:
    rng = random.Random(seed)
    return [
        fact(
            f"2026-Q{rng.randint(1, 4)}",
            f"member-{rng.randrange(9)}",
            category=rng.choice(CATEGORIES),
            size=rng.choice("sml"),
            setting=rng.choice("opq"),
        )
        for _ in range(220)
    ]


def published_year(facts: list[Fact], tables: list) -> list:
    ledger, patterns = [], []
    for period in [quarter(f"2026-Q{n}") for n in range(1, 5)] + [calendar_year(2026)]:
        protection = protect(facts, ledger, period, tables, PLATFORM_RULES)
        assert protection.publishable
        ledger.append(protection.release)
        patterns.append((protection.release.hidden, json.dumps(protection.report.to_dict(), sort_keys=True)))
    return patterns


def test_the_same_facts_give_the_same_pattern_and_report_in_any_order_and_grouping():
    facts = some_facts(7)
    first = published_year(facts, TABLES)
    assert first == published_year(facts, TABLES)

    shuffled = facts[:]
    random.Random(1).shuffle(shuffled)
    assert published_year(shuffled, list(reversed(TABLES))) == first

    grouped: dict[tuple, int] = {}
    for row in facts:
        grouped[row[:3]] = grouped.get(row[:3], 0) + row.cases
    assert published_year([Fact(*key, cases) for key, cases in grouped.items()], TABLES) == first


def test_the_audit_report_is_plain_data_with_each_hidden_cell_and_its_interval():
    facts = some_facts(3)
    protection = protect(facts, [], quarter("2026-Q2"), TABLES, PLATFORM_RULES)
    report = json.loads(json.dumps(protection.report.to_dict()))
    assert report["passed"] is True
    assert report["method"] == "milp"
    hidden = {json.dumps(q.to_dict(), sort_keys=True) for q in protection.release.hidden}
    audited = {json.dumps({"period": c["period"], "cell": c["cell"]}, sort_keys=True) for c in report["cells"]}
    assert hidden == audited
    for entry in report["cells"]:
        assert entry["min"] <= entry["required_min"] and entry["max"] >= entry["required_max"]
        assert entry["min"] <= entry["value"] <= entry["max"]
