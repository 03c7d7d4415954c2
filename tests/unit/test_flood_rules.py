"""The proof-of-work challenge, the bounded fallback counter and how hard the challenge gets under load."""

from __future__ import annotations

import time
import uuid

from meldpunt.intake import challenge as challenge_module
from meldpunt.intake.challenge import Challenges, Verdict, leading_zero_bits, solve, work
from meldpunt.intake.ratelimit import BoundedCounter, FloodRules

SECRET = b"s" * 32
RULES = FloodRules(per_minute=30, cap_per_hour=3000, base_bits=12, max_bits=20)


def test_a_solved_challenge_is_accepted_once() -> None:
    tenant = uuid.uuid4()
    challenges = Challenges(SECRET)
    issued = challenges.issue(tenant, 8)
    answer = solve(issued, 8)
    assert leading_zero_bits(work(issued, answer)) >= 8
    assert challenges.check(tenant, issued, answer) is Verdict.SOLVED
    assert challenges.check(tenant, issued, answer) is Verdict.REUSED


def test_wrong_forged_foreign_and_expired_answers_do_not_count_as_solved() -> None:
    tenant = uuid.uuid4()
    challenges = Challenges(SECRET)
    issued = challenges.issue(tenant, 8)
    answer = solve(issued, 8)
    wrong = next(str(n) for n in range(10_000) if leading_zero_bits(work(issued, str(n))) < 8)
    assert challenges.check(tenant, issued, wrong) is Verdict.WRONG
    assert challenges.check(tenant, issued, "") is Verdict.MISSING
    assert challenges.check(tenant, "", answer) is Verdict.MISSING
    assert challenges.check(uuid.uuid4(), issued, answer) is Verdict.WRONG  # issued for another tenant
    easier = issued.replace(".8.", ".0.", 1)  # the difficulty is under the signature
    assert challenges.check(tenant, easier, "0") is Verdict.WRONG
    assert Challenges(b"another secret").check(tenant, issued, answer) is Verdict.WRONG
    old = challenges.issue(tenant, 4, now=time.time() - challenge_module.CHALLENGE_SECONDS - 1)
    assert challenges.check(tenant, old, solve(old, 4)) is Verdict.EXPIRED
    assert challenges.check(tenant, issued, "1" * 30) is Verdict.WRONG


def test_the_remembered_answers_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(challenge_module, "MAX_REMEMBERED_ANSWERS", 5)
    tenant = uuid.uuid4()
    challenges = Challenges(SECRET)
    for _ in range(20):
        issued = challenges.issue(tenant, 0)
        assert challenges.check(tenant, issued, "0") is Verdict.SOLVED
    assert len(challenges._used) == 5


def test_the_fallback_counter_counts_per_window_and_keeps_at_most_its_bound() -> None:
    counter = BoundedCounter(max_keys=3)
    assert [counter.incr("tenant", 60, 0.0) for _ in range(3)] == [1, 2, 3]
    assert counter.peek("tenant", 59.0) == 3 and counter.incr("tenant", 60, 61.0) == 1
    for n in range(10):
        counter.incr(f"receipt-{n}", 60, 62.0)
        counter.incr("tenant", 60, 62.0)  # touched by every attempt: never the one pushed out
    assert len(counter) == 3 and counter.peek("tenant", 62.0) == 11


def test_the_challenge_gets_harder_as_the_rate_rises_and_stops_at_the_maximum() -> None:
    assert RULES.bits_for(0) == RULES.bits_for(30) == 12
    assert RULES.bits_for(31) == 14
    assert RULES.bits_for(60) == 16 and RULES.bits_for(120) == 18
    assert RULES.bits_for(10_000) == 20
