"""Counts on the public side, keyed on the tenant and (for receipts) a keyed digest of the receipt: never on an
address, which the public side never sees (DESIGN §11). In Redis, and in a bounded in-process counter when
Redis fails or hangs (DESIGN §13): a report is never refused because Redis is down."""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.intake.challenge import CHALLENGE_SECONDS, Challenges, Verdict
from meldpunt.intake.errors import TooManyAttempts, TooManySubmissions
from meldpunt.intake.models import Case
from meldpunt.intake.services import case_for_receipt, normalise_receipt
from meldpunt.tenancy.models import Tenant

log = structlog.get_logger()

WINDOW_SECONDS = 60
RECEIPT_ATTEMPTS_PER_TENANT = 120
ATTEMPTS_PER_RECEIPT = 10
MAX_FALLBACK_KEYS = 10_000
# After Redis failed, the fallback is used for this long before Redis is tried again, so a hung Redis
# costs one short timeout every few seconds, not one per request.
REDIS_PAUSE_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.25


class BoundedCounter:
    """Fixed-window counts in this process, at most ``max_keys`` of them: the least recently used goes first.
    A tenant's own key is touched by every attempt there, so guessing at many receipts cannot push it out."""

    def __init__(self, max_keys: int = MAX_FALLBACK_KEYS) -> None:
        self.max_keys = max_keys
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def incr(self, key: str, window: int, now: float) -> int:
        ends, count = self._counts.pop(key, (0.0, 0))
        if ends <= now:
            ends, count = now + window, 0
        self._counts[key] = (ends, count + 1)
        while len(self._counts) > self.max_keys:
            self._counts.popitem(last=False)
        return count + 1

    def at_least(self, key: str, count: int) -> None:
        """Raise ``key``'s count in its current window to ``count`` (what Redis, counting every replica, said)."""
        ends, known = self._counts.get(key, (0.0, 0))
        if count > known and key in self._counts:
            self._counts[key] = (ends, count)

    def peek(self, key: str, now: float) -> int:
        ends, count = self._counts.get(key, (0.0, 0))
        return count if ends > now else 0

    def __len__(self) -> int:
        return len(self._counts)


class Limiter:
    """Counts in Redis while it answers within ``REDIS_TIMEOUT_SECONDS``; otherwise in a ``BoundedCounter``."""

    def __init__(self, redis: aioredis.Redis, fallback: BoundedCounter | None = None) -> None:
        self.redis = redis
        self.fallback = fallback or BoundedCounter()
        self._redis_again_at = 0.0

    async def _in_redis(self, call: Callable[[aioredis.Redis], Awaitable[int]]) -> int | None:
        """``call``'s answer, or None when Redis fails or takes longer than ``REDIS_TIMEOUT_SECONDS``."""
        if time.monotonic() < self._redis_again_at:
            return None
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                return await call(self.redis)
        except (RedisError, OSError, TimeoutError) as error:
            self._redis_again_at = time.monotonic() + REDIS_PAUSE_SECONDS
            log.warning("ratelimit.redis_unavailable", error=type(error).__name__, fallback="in-process")
            return None

    async def spend(self, key: str, window: int = WINDOW_SECONDS) -> int:
        """Count one more in this window; the count so far. The in-process counter counts along and takes over
        Redis's figure, so when Redis stops answering (or stalls under load) the count goes on from there
        instead of starting again at zero."""

        async def incr(redis: aioredis.Redis) -> int:
            count = int(await redis.incr(key))
            if count == 1:
                await redis.expire(key, window)
            return count

        here = self.fallback.incr(key, window, time.time())
        counted = await self._in_redis(incr)
        if counted is None:
            return here
        self.fallback.at_least(key, counted)
        return counted

    async def peek(self, key: str) -> int:
        async def get(redis: aioredis.Redis) -> int:
            raw = await redis.get(key)
            return int(raw) if raw is not None else 0

        counted = await self._in_redis(get)
        return counted if counted is not None else self.fallback.peek(key, time.time())

    async def first_claim(self, key: str, seconds: int) -> bool:
        """Whether nobody claimed ``key`` before, on any replica (SET NX in Redis). True when Redis does not
        answer: the caller keeps its own record in this process, and the fallback counter is not filled."""

        async def claim(redis: aioredis.Redis) -> int:
            return 1 if await redis.set(key, b"1", nx=True, ex=seconds) else 0

        return await self._in_redis(claim) != 0


@dataclass(frozen=True)
class FloodRules:
    """How much a tenant takes before it counts as under load, and its hard cap (``Settings``)."""

    per_minute: int
    cap_per_hour: int
    base_bits: int
    max_bits: int

    def bits_for(self, this_minute: int) -> int:
        """The challenge's difficulty: the base, and two bits more (four times the work) per doubling of the
        rate above the flood threshold."""
        if this_minute <= self.per_minute:
            return self.base_bits
        return min(self.max_bits, self.base_bits + 2 + 2 * int(math.log2(this_minute / self.per_minute)))


def _minute_key(tenant_id: uuid.UUID) -> str:
    return f"meldpunt:rl:submit:{tenant_id}"


async def challenge_bits(limiter: Limiter, rules: FloodRules, tenant_id: uuid.UUID) -> int:
    return rules.bits_for(await limiter.peek(_minute_key(tenant_id)))


async def admit_submission(limiter: Limiter, rules: FloodRules, tenant_id: uuid.UUID, proof: Verdict) -> bool:
    """Accept first, sort later (DESIGN §11): refuse only above the storage cap; otherwise say whether this
    submission arrives during a flood without a solved challenge (it is then marked for bulk dismissal)."""
    if await limiter.spend(f"meldpunt:rl:submit-hour:{tenant_id}", 3600) > rules.cap_per_hour:
        raise TooManySubmissions()
    this_minute = await limiter.spend(_minute_key(tenant_id))
    return this_minute > rules.per_minute and proof is not Verdict.SOLVED


class Lane:
    """One tenant's lane: marked submissions (a flood's unverified ones) go one at a time, and only while no
    unmarked one is being registered there, so a real reporter waits for at most the one already under way."""

    def __init__(self) -> None:
        self.turn = asyncio.Lock()
        self.unmarked = 0
        self.clear = asyncio.Event()
        self.clear.set()

    @property
    def busy(self) -> bool:
        return self.turn.locked() or self.unmarked > 0

    @asynccontextmanager
    async def unmarked_passing(self) -> AsyncIterator[None]:
        self.unmarked += 1
        self.clear.clear()
        try:
            yield
        finally:
            self.unmarked -= 1
            if not self.unmarked:
                self.clear.set()

    @asynccontextmanager
    async def marked_turn(self) -> AsyncIterator[None]:
        async with self.turn:
            await self.clear.wait()
            yield


class Lanes:
    """The lanes of the tenants (DESIGN §11: a flood is accepted, but it gets a bounded share of this
    process); at most ``max_tenants`` idle lanes are kept."""

    def __init__(self, max_tenants: int = MAX_FALLBACK_KEYS) -> None:
        self.max_tenants = max_tenants
        self._lanes: OrderedDict[uuid.UUID, Lane] = OrderedDict()

    def of(self, tenant_id: uuid.UUID) -> Lane:
        lane = self._lanes.pop(tenant_id, None) or Lane()
        self._lanes[tenant_id] = lane
        if len(self._lanes) > self.max_tenants:
            idle = next((key for key, held in self._lanes.items() if not held.busy), None)
            if idle is not None and idle != tenant_id:
                del self._lanes[idle]
        return lane


@dataclass(frozen=True)
class FloodGuard:
    """What the public side needs against a flood: the counts, the challenges, the rules and the lanes."""

    limiter: Limiter
    challenges: Challenges
    rules: FloodRules
    lanes: Lanes = field(default_factory=Lanes)

    async def new_challenge(self, tenant_id: uuid.UUID) -> tuple[str, int]:
        """A challenge for the page or API client to solve, as hard as the tenant's load asks."""
        bits = await challenge_bits(self.limiter, self.rules, tenant_id)
        return self.challenges.issue(tenant_id, bits), bits

    async def verdict(self, tenant_id: uuid.UUID, challenge: str, answer: str) -> Verdict:
        """``Challenges.check``, and an answer used on another replica counts as reused too."""
        verdict = self.challenges.check(tenant_id, challenge, answer)
        if verdict is Verdict.SOLVED:
            key = "meldpunt:challenge:" + hashlib.sha256(challenge.encode()).hexdigest()[:32]
            if not await self.limiter.first_claim(key, CHALLENGE_SECONDS):
                return Verdict.REUSED
        return verdict

    @asynccontextmanager
    async def arrival(
        self, session: AsyncSession, tenant_id: uuid.UUID, challenge: str, answer: str
    ) -> AsyncIterator[bool]:
        """Admit a submission (``admit_submission``, the answer checked) for the block that registers it,
        which is committed at its end; yields whether to mark it. A marked one waits for its turn in the
        tenant's lane, without holding a database connection."""
        verdict = await self.verdict(tenant_id, challenge, answer)
        lane = self.lanes.of(tenant_id)
        if not await admit_submission(self.limiter, self.rules, tenant_id, verdict):
            async with lane.unmarked_passing():
                yield False
                await session.commit()
            return
        await session.commit()  # hands the connection back while it waits
        async with lane.marked_turn():
            yield True
            await session.commit()


async def spend_receipt_attempt(
    limiter: Limiter, tenant_id: uuid.UUID, receipt: str, *, verified: bool = False
) -> None:
    """Per tenant first (before any costly hash), then per receipt (a keyed digest prefix, not the receipt).
    An attempt with a solved challenge skips the per-tenant count: a guesser then pays work per guess, and a
    flood of guesses does not lock real reporters (whose page solves it) out of their inbox."""
    if not verified and await limiter.spend(f"meldpunt:rl:receipt:{tenant_id}") > RECEIPT_ATTEMPTS_PER_TENANT:
        raise TooManyAttempts()
    digest = hashlib.sha256(tenant_id.bytes + receipt.encode()).hexdigest()[:12]
    if await limiter.spend(f"meldpunt:rl:receipt:{tenant_id}:{digest}") > ATTEMPTS_PER_RECEIPT:
        raise TooManyAttempts()


async def case_for_receipt_limited(
    session: AsyncSession, guard: FloodGuard, tenant: Tenant, typed: str, challenge: str = "", answer: str = ""
) -> Case:
    """The case of a receipt, after the rate limits: every receipt log-in on the public side goes through here."""
    verified = await guard.verdict(tenant.id, challenge, answer) is Verdict.SOLVED
    await spend_receipt_attempt(guard.limiter, tenant.id, normalise_receipt(typed), verified=verified)
    return await case_for_receipt(session, tenant, typed)
