"""How the disclosure audit grows with the number of published periods, against plain aggregation in the same run.

A synthetic branch of ``--members`` members publishes, quarter by quarter, the standard linked tables (category ×
size class, category × setting, route × outcome) and after each fourth quarter the year as the sum of its
quarters. Each release is protected against the ledger before it (``protect``), then the whole ledger so far is
audited (``audit``, integral: the attacker's exact problem). Printed per number of published quarters: the
releases, the hidden cells, the audit's time, and the time of the baseline — the plain aggregation of the same
facts into the same cells with numpy (what a release costs without any protection) — and their ratio. Target:
a year of quarterly releases (four quarters and the year) audited in under 10 s on this machine.

    .venv/bin/python benchmarks/disclosure_audit.py [--quarters 8] [--facts-per-quarter 300] [--members 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meldpunt.disclosure import (
    PLATFORM_RULES,
    Fact,
    Period,
    Release,
    TableSpec,
    audit,
    calendar_year,
    fact,
    protect,
    quarter,
    table,
)

DIMENSIONS = {
    "category": (["intimidation", "discrimination", "aggression", "bullying", "sexual", "other"], (6, 3, 3, 2, 4, 1)),
    "size": (["1-9", "10-49", "50-249", "250+"], (2, 3, 3, 2)),
    "setting": (["workplace", "online", "event", "travel", "other"], (6, 2, 1, 1, 1)),
    "route": (["informal", "mediation", "complaint", "report"], (4, 1, 2, 3)),
    "outcome": (["resolved", "advice", "measure", "unfounded", "withdrawn"], (3, 3, 2, 2, 1)),
}
TABLES: tuple[TableSpec, ...] = (
    table("category_by_size", category=DIMENSIONS["category"][0], size=DIMENSIONS["size"][0]),
    table("category_by_setting", category=DIMENSIONS["category"][0], setting=DIMENSIONS["setting"][0]),
    table("route_by_outcome", route=DIMENSIONS["route"][0], outcome=DIMENSIONS["outcome"][0]),
)
TARGET_SECONDS = 10.0


def synthetic_facts(quarters: list[str], per_quarter: int, members: int, seed: int) -> list[Fact]:
    rng = random.Random(seed)
    # Members differ in size: a few large ones report most (as in a branch), which makes dominance cells.
    weights = [1 / (n + 1) for n in range(members)]
    facts = []
    for label in quarters:
        for _ in range(per_quarter):
            codes = {dim: rng.choices(codes, weights=w)[0] for dim, (codes, w) in DIMENSIONS.items()}
            facts.append(fact(label, f"member-{rng.choices(range(members), weights=weights)[0]}", **codes))
    return facts


def aggregate_with_numpy(facts: list[Fact], periods: list[Period]) -> int:
    """The baseline: the same cells (margins included) counted with numpy, no protection."""
    index = {dim: {code: n for n, code in enumerate(codes)} for dim, (codes, _) in DIMENSIONS.items()}
    columns = {dim: np.array([index[dim][dict(f.codes)[dim]] for f in facts]) for dim in DIMENSIONS}
    quarters = np.array([f.quarter for f in facts])
    cells = 0
    for period in periods:
        inside = np.isin(quarters, period.quarters)
        for spec in TABLES:
            first, second = (columns[dim][inside] for dim in spec.dims)
            width = len(spec.codes[1])
            counts = np.bincount(first * width + second, minlength=len(spec.codes[0]) * width)
            grid = counts.reshape(len(spec.codes[0]), width)
            cells += grid.size + grid.sum(axis=0).size + grid.sum(axis=1).size + 1
    return cells


def schedule(quarters: int) -> list[Period]:
    """Q1..Q4, the year, Q5..Q8, the next year …: the order a branch publishes in."""
    periods = []
    for n in range(quarters):
        year, number = 2026 + n // 4, n % 4 + 1
        periods.append(quarter(f"{year}-Q{number}"))
        if number == 4:
            periods.append(calendar_year(year))
    return periods


def timed(repetitions: int, work: Callable[..., object], *arguments: object) -> float:
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        work(*arguments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(arguments: argparse.Namespace) -> list[dict[str, object]]:
    labels = [p.label for p in schedule(arguments.quarters) if len(p.quarters) == 1]
    facts = synthetic_facts(labels, arguments.facts_per_quarter, arguments.members, arguments.seed)
    ledger: list[Release] = []
    rows = []
    for period in schedule(arguments.quarters):
        started = time.perf_counter()
        protection = protect(facts, ledger, period, TABLES, PLATFORM_RULES)
        protect_seconds = time.perf_counter() - started
        assert protection.publishable, protection.report.failing[:3]
        ledger.append(protection.release)
        published = [release.period for release in ledger]
        audit_seconds = timed(arguments.repetitions, audit, facts, ledger)
        baseline = timed(max(3, arguments.repetitions), aggregate_with_numpy, facts, published)
        report = audit(facts, ledger)
        assert report.passed
        rows.append(
            {
                "published": period.label,
                "releases": len(ledger),
                "hidden": sum(len(release.hidden) for release in ledger),
                "audited_cells": len(report.cells),
                "protect_s": round(protect_seconds, 3),
                "audit_s": round(audit_seconds, 3),
                "baseline_s": round(baseline, 5),
                "ratio": round(audit_seconds / baseline, 1),
            }
        )
        print(
            f"{period.label:>8}  releases {len(ledger):2}  hidden {rows[-1]['hidden']:4}  "
            f"audited {len(report.cells):4}  protect {protect_seconds:6.2f} s  audit {audit_seconds:6.2f} s  "
            f"numpy aggregation {baseline * 1000:7.2f} ms  audit/aggregation {audit_seconds / baseline:8.1f}x"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--facts-per-quarter", type=int, default=300)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument("--seed", type=int, default=16)
    arguments = parser.parse_args()
    rows = run(arguments)
    year = next((row for row in rows if len(str(row["published"])) == 4), None)
    if year is not None:
        verdict = "met" if float(str(year["audit_s"])) < TARGET_SECONDS else "NOT met"
        print(
            f"target: a year of quarterly releases (4 quarters + the year) audited in under {TARGET_SECONDS:.0f} s: "
            f"{year['audit_s']} s, {verdict}"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
