"""Rate limits on the public side, in Redis, keyed on the tenant and (for receipts) a keyed digest of the
receipt: never on an address, which the public side never sees (DESIGN §11)."""

from __future__ import annotations

import hashlib
import uuid

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.intake.errors import TooManyAttempts
from meldpunt.intake.models import Case
from meldpunt.intake.services import case_for_receipt, normalise_receipt
from meldpunt.tenancy.models import Tenant

WINDOW_SECONDS = 60
SUBMISSIONS_PER_TENANT = 30
RECEIPT_ATTEMPTS_PER_TENANT = 120
ATTEMPTS_PER_RECEIPT = 10


async def _spend(redis: aioredis.Redis, key: str, limit: int) -> None:
    count = await redis.incr(key)
    if count == 1:
        await redis.expire(key, WINDOW_SECONDS)
    if count > limit:
        raise TooManyAttempts()


async def spend_submission(redis: aioredis.Redis, tenant_id: uuid.UUID) -> None:
    await _spend(redis, f"meldpunt:rl:submit:{tenant_id}", SUBMISSIONS_PER_TENANT)


async def spend_receipt_attempt(redis: aioredis.Redis, tenant_id: uuid.UUID, receipt: str) -> None:
    """Per tenant first (before any costly hash), then per receipt (a keyed digest prefix, not the receipt)."""
    await _spend(redis, f"meldpunt:rl:receipt:{tenant_id}", RECEIPT_ATTEMPTS_PER_TENANT)
    digest = hashlib.sha256(tenant_id.bytes + receipt.encode()).hexdigest()[:12]
    await _spend(redis, f"meldpunt:rl:receipt:{tenant_id}:{digest}", ATTEMPTS_PER_RECEIPT)


async def case_for_receipt_limited(session: AsyncSession, redis: aioredis.Redis, tenant: Tenant, typed: str) -> Case:
    """The case of a receipt, after the rate limits: every receipt log-in on the public side goes through here."""
    await spend_receipt_attempt(redis, tenant.id, normalise_receipt(typed))
    return await case_for_receipt(session, tenant, typed)
