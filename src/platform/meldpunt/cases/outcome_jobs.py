"""The periodic sanction sweep: a measure whose end date has passed records ``sanction_ended`` (DESIGN §9), so
retention starts from the sanction's end without anyone writing the event by hand."""

from __future__ import annotations

from meldpunt.cases.outcome import end_sanctions
from meldpunt.jobs.registry import job
from meldpunt.jobs.tenants import sweep_every_tenant


@job("cases.sanctions", max_retries=3, time_limit_seconds=900, max_backoff_seconds=900)
async def sweep_sanctions() -> None:
    """Idempotent: an ended measure is marked, so a rerun records nothing again."""
    await sweep_every_tenant("cases.sanctions", end_sanctions)
