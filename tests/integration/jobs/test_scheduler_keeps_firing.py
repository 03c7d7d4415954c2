"""The scheduler keeps firing: every job of the real schedule table, on short intervals, many times over.

A leader whose database connection is killed steps down, fires nothing while the database refuses it,
and leads again when the database is back; of two replicas only the leader fires; and two replicas that
both lead for a while (a takeover overlap) still send each run once. Messages are counted where they
arrive: on the Redis broker.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator

import dramatiq
import msgspec
import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.job_modules import load_all_jobs
from meldpunt.jobs.registry import NAMESPACE, build_broker
from meldpunt.jobs.scheduler import LEADER_LOCK_KEY, PeriodicJob, Scheduler, schedule_table
from meldpunt.settings import APP_ROLE, Settings
from tests.conftest import create_database, drop_database, with_user_and_database

FIRINGS = 5


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


def every_interval_one_second(settings: Settings, database_url: str) -> Settings:
    """The settings with every ``*_seconds`` interval at 1 s, so that each job of the table fires often."""
    short = {
        field.name: 1
        for field in msgspec.structs.fields(Settings)
        if field.name.endswith("_seconds") and type(field.default) is int
    }
    return msgspec.structs.replace(settings, database_url=database_url, **short)


def the_real_table(settings: Settings) -> tuple[PeriodicJob, ...]:
    load_all_jobs()
    table = schedule_table(settings)
    assert len(table) >= 6
    assert {entry.every_seconds for entry in table} == {1}, "every interval of the table comes from Settings"
    return table


def messages_on_redis(broker: RedisBroker, since_ms: int) -> Counter[str]:
    """How many messages of each job the broker holds that were sent after ``since_ms``."""
    counts: Counter[str] = Counter()
    for queue in broker.get_declared_queues():
        raws: list[bytes] = broker.client.hvals(f"{NAMESPACE}:{queue}.msgs")
        for raw in raws:
            message = dramatiq.Message.decode(raw)
            if message.message_timestamp >= since_ms:
                counts[message.actor_name] += 1
    return counts


def fired_at_least(scheduler: Scheduler, table: tuple[PeriodicJob, ...], times: int) -> bool:
    return all(scheduler.fired.get(entry.job_name, 0) >= times for entry in table)


@pytest.fixture
def broker(settings: Settings) -> Iterator[RedisBroker]:
    load_all_jobs()
    running = build_broker(settings.redis_url)
    yield running
    running.flush_all()  # no worker later in the session runs these sweeps against the test database
    running.close()


@pytest.fixture
async def superuser(postgres_superuser_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(postgres_superuser_url, isolation_level="AUTOCOMMIT")
    yield engine
    await engine.dispose()


async def a_lock_database(postgres_superuser_url: str) -> tuple[str, str]:
    """A database of its own for the leader lock: name and the URL the scheduler connects with."""
    name = f"meldpunt_sched_{secrets.token_hex(4)}"
    await create_database(postgres_superuser_url, name)
    return name, with_user_and_database(postgres_superuser_url, APP_ROLE, name)


@pytest.fixture
async def lock_database(postgres_superuser_url: str) -> AsyncIterator[tuple[str, str]]:
    name, url = await a_lock_database(postgres_superuser_url)
    yield name, url
    await drop_database(postgres_superuser_url, name)


async def lock_holder(superuser: AsyncEngine, database: str) -> int | None:
    """The backend that holds the leader lock in ``database``, seen from PostgreSQL."""
    async with superuser.connect() as connection:
        pid = await connection.scalar(
            text(
                "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = :database"
                " AND l.classid = :high AND l.objid = :low"
            ),
            {"database": database, "high": LEADER_LOCK_KEY >> 32, "low": LEADER_LOCK_KEY & 0xFFFFFFFF},
        )
        return int(pid) if pid is not None else None


async def allow_connections(superuser: AsyncEngine, database: str, allowed: bool) -> None:
    async with superuser.connect() as connection:
        await connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}'))


async def test_every_job_of_the_real_table_keeps_firing_over_many_intervals(
    settings: Settings, broker: RedisBroker, lock_database: tuple[str, str]
) -> None:
    short = every_interval_one_second(settings, lock_database[1])
    table = the_real_table(short)
    since_ms = int(time.time() * 1000)
    scheduler = Scheduler(short, broker, table, standby_poll_seconds=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    try:
        await wait_until(lambda: fired_at_least(scheduler, table, FIRINGS), f"every job fired {FIRINGS} times")
        assert scheduler.is_leader
    finally:
        stop.set()
        await task
    arrived = messages_on_redis(broker, since_ms)
    assert arrived == Counter(scheduler.fired)
    assert all(arrived[entry.job_name] >= FIRINGS for entry in table), arrived


async def test_a_leader_cut_off_from_the_database_steps_down_and_leads_again_when_it_is_back(
    settings: Settings, broker: RedisBroker, lock_database: tuple[str, str], superuser: AsyncEngine
) -> None:
    database, url = lock_database
    short = every_interval_one_second(settings, url)
    table = the_real_table(short)
    scheduler = Scheduler(short, broker, table, standby_poll_seconds=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    try:
        await wait_until(lambda: fired_at_least(scheduler, table, 2), "the leader fires every job")
        first_backend = await lock_holder(superuser, database)
        assert first_backend is not None
        await allow_connections(superuser, database, False)
        async with superuser.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_backend})
        await wait_until(lambda: not scheduler.is_leader, "the leader steps down")
        while_down = dict(scheduler.fired)
        since_ms = int(time.time() * 1000)
        attempts = scheduler.lead_attempts
        await wait_until(lambda: scheduler.lead_attempts >= attempts + 3, "it keeps trying to lead again")
        assert not scheduler.is_leader
        assert scheduler.fired == while_down, "a replica that lost its lock fired"
        assert sum(messages_on_redis(broker, since_ms).values()) == 0
        await allow_connections(superuser, database, True)
        await wait_until(lambda: scheduler.is_leader, "it leads again once the database is back")
        await wait_until(
            lambda: all(scheduler.fired[entry.job_name] >= while_down[entry.job_name] + 3 for entry in table),
            "every job fires again",
        )
        assert scheduler.terms == 2
        assert await lock_holder(superuser, database) not in (None, first_backend)
    finally:
        await allow_connections(superuser, database, True)
        stop.set()
        await task
    assert await lock_holder(superuser, database) is None, "a stopped scheduler releases the lock"


async def test_of_two_replicas_only_the_leader_fires_each_run(
    settings: Settings, broker: RedisBroker, lock_database: tuple[str, str]
) -> None:
    short = every_interval_one_second(settings, lock_database[1])
    table = the_real_table(short)
    since_ms = int(time.time() * 1000)
    replicas = [Scheduler(short, broker, table, standby_poll_seconds=0.2) for _ in range(2)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(replica.run(stop)) for replica in replicas]
    try:
        await wait_until(
            lambda: any(fired_at_least(replica, table, FIRINGS) for replica in replicas), "the leader keeps firing"
        )
        assert [replica.is_leader for replica in replicas].count(True) == 1
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    leader, standby = sorted(replicas, key=lambda replica: replica.terms, reverse=True)
    assert standby.fired == {} and standby.terms == 0
    assert messages_on_redis(broker, since_ms) == Counter(leader.fired)


async def test_two_replicas_that_both_lead_for_a_while_still_send_each_run_once(
    settings: Settings, broker: RedisBroker, postgres_superuser_url: str
) -> None:
    # Each replica locks in a database of its own, so both lead at once: the worst takeover overlap.
    databases = [await a_lock_database(postgres_superuser_url) for _ in range(2)]
    try:
        replicas = []
        for _, url in databases:
            short = every_interval_one_second(settings, url)
            replicas.append(Scheduler(short, broker, the_real_table(short), standby_poll_seconds=0.2))
        table = replicas[0].jobs
        started = time.time()
        since_ms = int(started * 1000)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(replica.run(stop)) for replica in replicas]
        try:
            await wait_until(lambda: all(replica.is_leader for replica in replicas), "both replicas lead")
            await wait_until(
                lambda: all(sum(r.fired.get(e.job_name, 0) for r in replicas) >= FIRINGS for e in table),
                "the two together fire every job",
            )
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        runs = int(time.time() - started) + 2  # whole seconds begun during the test, each one run per job
        arrived = messages_on_redis(broker, since_ms)
        for entry in table:
            together = sum(replica.fired.get(entry.job_name, 0) for replica in replicas)
            assert arrived[entry.job_name] == together
            assert FIRINGS <= together <= runs, (entry.job_name, together, runs)
    finally:
        for name, _ in databases:
            await drop_database(postgres_superuser_url, name)
