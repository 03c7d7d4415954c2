"""The property the issue asks for, over synthetic facts: after four quarters and the year are each protected
against the ledger before them, an attacker holding all five releases narrows no primary cell below its
protection, and finds no hidden cell exactly. The attacker is ``tests/support/disclosure_attacker.py``, written
apart from the audit and stronger than it (it knows the joint table behind linked tables)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meldpunt.disclosure import PLATFORM_RULES, Fact, Release, audit, calendar_year, fact, protect, quarter, table
from meldpunt.disclosure.rules import primary_reason, protection_requirement
from meldpunt.disclosure.tables import tabulate
from tests.support.disclosure_attacker import Attacker

TABLES = (
    table("category_by_size", category=["c1", "c2", "c3"], size=["s", "l"]),
    table("category_by_setting", category=["c1", "c2", "c3"], setting=["o", "p", "q"]),
)
PERIODS = [quarter(f"2026-Q{n}") for n in range(1, 5)] + [calendar_year(2026)]

one_fact = st.builds(
    lambda q, member, category, size, setting, cases: fact(
        f"2026-Q{q}", f"member-{member}", cases, category=category, size=size, setting=setting
    ),
    st.integers(1, 4),
    st.integers(0, 6),  # few members, so the members and dominance rules bite too
    st.sampled_from(["c1", "c2", "c3"]),
    st.sampled_from(["s", "l"]),
    st.sampled_from(["o", "p", "q"]),
    st.integers(1, 4),
)


def published_year(facts: list[Fact]) -> list[Release]:
    ledger: list[Release] = []
    for period in PERIODS:
        protection = protect(facts, ledger, period, TABLES, PLATFORM_RULES)
        assert protection.publishable, protection.report.failing
        ledger.append(protection.release)
    return ledger


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(one_fact, min_size=15, max_size=70))
def test_no_primary_cell_of_a_year_of_releases_is_narrower_than_its_protection(facts):
    ledger = published_year(facts)
    assert audit(facts, ledger).passed
    attacker = Attacker(facts, ledger)
    for release in ledger:
        for quantity, figures in tabulate(facts, release.period, release.specs).items():
            reason = primary_reason(figures, PLATFORM_RULES)
            if quantity not in release.hidden:
                assert reason is None, (quantity, figures)
                continue
            least, most = attacker.interval(quantity.quarters, **dict(quantity.assignment))
            assert least < most, (quantity, figures)
            if reason is not None:
                assert protection_requirement(figures.cases, reason, PLATFORM_RULES).met_by(least, most), (
                    quantity,
                    figures,
                    least,
                    most,
                )
