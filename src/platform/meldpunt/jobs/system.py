"""Jobs of the platform itself: the worker heartbeat that readiness and operators can watch."""

from __future__ import annotations

from datetime import UTC, datetime

from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime

HEARTBEAT_KEY = "meldpunt:worker:heartbeat"


@job("system.heartbeat", max_retries=0, time_limit_seconds=30)
async def record_heartbeat() -> None:
    """Record that a worker is taking messages; the scheduler sends this periodically."""
    runtime = current_runtime()
    await runtime.redis.set(HEARTBEAT_KEY, datetime.now(UTC).isoformat(), ex=runtime.settings.heartbeat_seconds * 4)
