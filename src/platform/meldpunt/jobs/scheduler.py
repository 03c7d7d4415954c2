"""``meldpunt scheduler``: enqueues periodic jobs; of several replicas one leads and each run is sent once.

The leader holds a PostgreSQL session advisory lock; its lock connection serves one query at a time
(``Leadership``), and losing it ends the term cleanly: back to standby, leading again once the database
is back. Each run is claimed in Redis by its job and clock-aligned slot before its message is sent.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq
import redis
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
RUN_KEY_PREFIX = "meldpunt:scheduler:run"
RUN_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:meldpunt:scheduler:run")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Whether this very session still holds the lock (pg_locks splits a bigint key into two oids).
HOLDS_LOCK = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND classid = :high AND objid = :low AND objsubid = 1 AND granted)"
)
LOCK_PARTS = {"high": LEADER_LOCK_KEY >> 32, "low": LEADER_LOCK_KEY & 0xFFFFFFFF}


@dataclass(frozen=True)
class PeriodicJob:
    job_name: str
    every_seconds: int


def schedule_table(settings: Settings) -> tuple[PeriodicJob, ...]:
    """Which job runs how often; every interval is a setting, so a test or a demo can shorten it."""
    return (
        PeriodicJob("system.heartbeat", settings.heartbeat_seconds),
        # Declared by meldpunt.retention.jobs (loaded through meldpunt.job_modules by the processes).
        PeriodicJob("retention.sweep", settings.retention_sweep_seconds),
        PeriodicJob("retention.remind", settings.retention_sweep_seconds),
        PeriodicJob("retention.reconcile", settings.retention_sweep_seconds),
        # Declared by meldpunt.vault.jobs: the closed consultations that are due, like retention.sweep.
        PeriodicJob("vault.sweep", settings.retention_sweep_seconds),
        PeriodicJob("notifications.send", settings.notification_seconds),
        # Declared by meldpunt.cases.jobs: deadline reminders and breaches.
        PeriodicJob("cases.deadlines", settings.retention_sweep_seconds),
        # Declared by meldpunt.cases.outcome_jobs: a sanction whose end date passed records sanction_ended.
        PeriodicJob("cases.sanctions", settings.retention_sweep_seconds),
        # Declared by meldpunt.trends.jobs: the anonymised facts of the milestones cases reached.
        PeriodicJob("trends.facts", settings.retention_sweep_seconds),
        PeriodicJob("trends.release", settings.retention_sweep_seconds),
        PeriodicJob("keys.rotate_tenants", settings.key_rotation_check_seconds),
        # Declared by meldpunt.dossiers.jobs: verify the audit chains and anchor their heads (DESIGN §13).
        PeriodicJob("audit.checkpoint", settings.audit_checkpoint_seconds),
    )


def run_key(periodic: PeriodicJob, at: float) -> str:
    """The key of the run of ``periodic`` due in the slot that contains ``at`` (seconds since the epoch)."""
    return f"{RUN_KEY_PREFIX}:{periodic.job_name}:{int(at // periodic.every_seconds)}"


@dataclass
class Leadership:
    """One term as leader: the connection that holds the lock, used by one query at a time."""

    connection: AsyncConnection
    timeout_seconds: float
    lost: asyncio.Event = field(default_factory=asyncio.Event)
    released: bool = False
    _guard: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def confirm(self) -> bool:
        """Whether this replica still holds the lock; any failure to tell ends the term for good."""
        async with self._guard:
            if self.lost.is_set() or self.released:
                return False
            try:
                held = await asyncio.wait_for(self._holds_lock(), self.timeout_seconds)
            except Exception as error:
                log.warning("scheduler.lock_connection_lost", error=type(error).__name__)
                held = False
            if not held:
                self.lost.set()
            return held

    async def release(self) -> None:
        """End the term: unlock, or drop a connection that is gone (PostgreSQL released its lock)."""
        async with self._guard:
            self.released = True
            if not self.lost.is_set():
                try:
                    await asyncio.wait_for(self._unlock(), self.timeout_seconds)
                    return
                except Exception as error:
                    log.warning("scheduler.unlock_failed", error=type(error).__name__)
            await self.connection.invalidate()

    async def _unlock(self) -> None:
        await self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
        await self.connection.commit()

    async def _holds_lock(self) -> bool:
        held = bool((await self.connection.execute(HOLDS_LOCK, LOCK_PARTS)).scalar_one())
        await self.connection.commit()
        return held


@dataclass
class Scheduler:
    settings: Settings
    broker: dramatiq.Broker
    jobs: tuple[PeriodicJob, ...]
    standby_poll_seconds: float = 2.0
    timeout_seconds: float = 5.0
    is_leader: bool = False
    # How often this replica tried to lead, and how many terms as leader it began.
    lead_attempts: int = 0
    terms: int = 0
    fired: dict[str, int] = field(default_factory=dict)
    _in_flight: set[asyncio.Future[bool]] = field(default_factory=set)
    _term: Leadership | None = None
    _claims: redis.Redis | None = None

    async def run(self, stop: asyncio.Event) -> None:
        engine = create_engine(self.settings, pooled=False)
        self._claims = redis.Redis.from_url(
            self.settings.redis_url, socket_timeout=self.timeout_seconds, socket_connect_timeout=self.timeout_seconds
        )
        try:
            while not stop.is_set():
                self.lead_attempts += 1
                try:
                    await self._lead_while_possible(engine, stop)
                except Exception as error:
                    log.warning("scheduler.cannot_lead", error=type(error).__name__)
                if not stop.is_set():
                    await _wait(self.standby_poll_seconds, stop)
        finally:
            await engine.dispose()
            self._claims.close()

    async def _lead_while_possible(self, engine: AsyncEngine, stop: asyncio.Event) -> None:
        async with engine.connect() as connection:
            acquired = (
                await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY})
            ).scalar_one()
            await connection.commit()
            if not acquired:
                log.debug("scheduler.standby")
                return
            term = Leadership(connection, self.timeout_seconds)
            try:
                await self._lead(term, stop)
            finally:
                await term.release()

    async def _lead(self, term: Leadership, stop: asyncio.Event) -> None:
        """Fire the schedule until asked to stop or until the lock connection is gone."""
        self._term, self.is_leader = term, True
        self.terms += 1
        log.info("scheduler.leading", jobs=[j.job_name for j in self.jobs])
        apscheduler = AsyncIOScheduler(timezone=UTC)
        for periodic in self.jobs:
            apscheduler.add_job(
                self._fire,
                IntervalTrigger(seconds=periodic.every_seconds, start_date=EPOCH, timezone=UTC),
                args=[periodic, term],
                id=periodic.job_name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),
            )
        apscheduler.start()
        try:
            while not stop.is_set() and not term.lost.is_set():
                await _wait(self.standby_poll_seconds, stop, term.lost)
                if not stop.is_set():
                    await term.confirm()
        finally:
            apscheduler.shutdown(wait=False)
            if self._in_flight:  # what is being sent is sent, and counted, before the lock is let go
                await asyncio.wait(set(self._in_flight))
            self._term, self.is_leader = None, False
            log.info("scheduler.stepped_down", lost_lock=term.lost.is_set())

    async def _fire(self, periodic: PeriodicJob, term: Leadership) -> None:
        key = run_key(periodic, time.time())
        if self._term is not term or not await term.confirm():
            log.warning("scheduler.skipped_not_leader", job=periodic.job_name)
            return
        # The send runs in a thread that a step-down cannot stop: it is its own task, which the step-down waits
        # for (``_lead``), and it is counted when it ends, so that what reached Redis is what was counted.
        sending = asyncio.ensure_future(
            asyncio.wait_for(asyncio.to_thread(self._send_once, periodic, key), self.timeout_seconds)
        )
        self._in_flight.add(sending)
        sending.add_done_callback(lambda done: self._sent(periodic, done))
        await asyncio.wait([sending])

    def _sent(self, periodic: PeriodicJob, done: asyncio.Future[bool]) -> None:
        self._in_flight.discard(done)
        if done.cancelled():
            return
        if (error := done.exception()) is not None:
            log.warning("scheduler.send_failed", job=periodic.job_name, error=type(error).__name__)
        elif not done.result():
            log.info("scheduler.already_fired", job=periodic.job_name)
        else:
            self.fired[periodic.job_name] = self.fired.get(periodic.job_name, 0) + 1
            log.info("scheduler.fired", job=periodic.job_name)

    def _send_once(self, periodic: PeriodicJob, key: str) -> bool:
        """Claim the run's key and send its message; False when another replica already claimed it."""
        assert self._claims is not None
        if not self._claims.set(key, "1", nx=True, ex=max(2 * periodic.every_seconds, 60)):
            return False
        try:
            send_job(self.broker, periodic.job_name, message_id=uuid.uuid5(RUN_IDS, key))
        except Exception:
            self._claims.delete(key)
            raise
        return True


async def _wait(seconds: float, *events: asyncio.Event) -> None:
    """Sleep ``seconds`` or until one of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
