"""``meldpunt scheduler``: enqueues periodic jobs; of several replicas exactly one fires.

The replica that holds a PostgreSQL session advisory lock on its own connection is the leader; the
others wait on standby and take over when that connection goes away. Before each firing the leader
checks that its lock connection is alive, so a leader cut off from the database stops firing.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from meldpunt.db.engine import create_engine
from meldpunt.jobs import system  # noqa: F401 - declares the jobs the schedule table names
from meldpunt.jobs.registry import send_job
from meldpunt.settings import Settings

log = structlog.get_logger(__name__)

# pg_advisory_lock takes a bigint; this one is reserved for the scheduler's leadership.
LEADER_LOCK_KEY = 0x6D656C6470756E74  # "meldpunt"


@dataclass(frozen=True)
class PeriodicJob:
    job_name: str
    every_seconds: int


def schedule_table(settings: Settings) -> tuple[PeriodicJob, ...]:
    """Which job runs how often. Later modules add their sweeps here (deadlines, retention, trends)."""
    return (
        PeriodicJob("system.heartbeat", settings.heartbeat_seconds),
        # Declared by meldpunt.retention.jobs (loaded through meldpunt.job_modules by the processes).
        PeriodicJob("retention.sweep", settings.retention_sweep_seconds),
        PeriodicJob("retention.remind", settings.retention_sweep_seconds),
        PeriodicJob("retention.reconcile", settings.retention_sweep_seconds),
        PeriodicJob("notifications.send", settings.notification_seconds),
        # Declared by meldpunt.cases.jobs: deadline reminders and breaches.
        PeriodicJob("cases.deadlines", settings.retention_sweep_seconds),
        PeriodicJob("keys.rotate_tenants", 6 * 3600),
        # Declared by meldpunt.audit.jobs: verify the audit chains and anchor their heads (DESIGN §13).
        PeriodicJob("audit.checkpoint", settings.audit_checkpoint_seconds),
    )


@dataclass
class Scheduler:
    settings: Settings
    broker: dramatiq.Broker
    jobs: tuple[PeriodicJob, ...]
    standby_poll_seconds: float = 2.0
    is_leader: bool = False
    fired: dict[str, int] = field(default_factory=dict)
    _lock_connection: AsyncConnection | None = None

    async def run(self, stop: asyncio.Event) -> None:
        engine = create_engine(self.settings, pooled=False)
        try:
            while not stop.is_set():
                try:
                    await self._lead_while_possible(engine, stop)
                except Exception as error:
                    log.warning("scheduler.leadership_lost", error=type(error).__name__)
                self.is_leader = False
                if not stop.is_set():
                    await _wait(stop, self.standby_poll_seconds)
        finally:
            await engine.dispose()

    async def _lead_while_possible(self, engine: AsyncEngine, stop: asyncio.Event) -> None:
        async with engine.connect() as connection:
            acquired = (
                await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY})
            ).scalar_one()
            await connection.commit()
            if not acquired:
                log.debug("scheduler.standby")
                return
            self._lock_connection = connection
            self.is_leader = True
            log.info("scheduler.leading", jobs=[j.job_name for j in self.jobs])
            apscheduler = AsyncIOScheduler(timezone="UTC")
            for periodic in self.jobs:
                apscheduler.add_job(
                    self._fire,
                    IntervalTrigger(seconds=periodic.every_seconds),
                    args=[periodic],
                    id=periodic.job_name,
                    coalesce=True,
                    max_instances=1,
                    next_run_time=datetime.now(UTC),
                )
            apscheduler.start()
            try:
                while not stop.is_set():
                    await _wait(stop, self.standby_poll_seconds)
                    await self._check_lock()
            finally:
                apscheduler.shutdown(wait=False)
                self.is_leader = False
                self._lock_connection = None
                await connection.execute(text("SELECT pg_advisory_unlock_all()"))

    async def _check_lock(self) -> None:
        assert self._lock_connection is not None
        await self._lock_connection.execute(text("SELECT 1"))
        await self._lock_connection.commit()

    async def _fire(self, periodic: PeriodicJob) -> None:
        if not self.is_leader:
            return
        try:
            await self._check_lock()
        except Exception:
            self.is_leader = False
            log.warning("scheduler.skipped_not_leader", job=periodic.job_name)
            return
        try:
            await asyncio.to_thread(send_job, self.broker, periodic.job_name)
        except Exception as error:
            log.warning("scheduler.send_failed", job=periodic.job_name, error=type(error).__name__)
            return
        self.fired[periodic.job_name] = self.fired.get(periodic.job_name, 0) + 1
        log.info("scheduler.fired", job=periodic.job_name)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
