"""Sending queued messages, periodically."""

from __future__ import annotations

from meldpunt.jobs.registry import job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.notifications.services import send_pending


@job("notifications.send", max_retries=3, time_limit_seconds=300, max_backoff_seconds=600)
async def send_notifications() -> None:
    runtime = current_runtime()
    await send_pending(runtime.sessionmaker, runtime.settings)
