"""The scheduler: of two replicas exactly one fires; when it goes away the other takes over."""

from __future__ import annotations

import asyncio
import time

from meldpunt.jobs.registry import build_broker
from meldpunt.jobs.scheduler import PeriodicJob, Scheduler
from meldpunt.settings import Settings


async def wait_until(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within the deadline")
        await asyncio.sleep(0.05)


async def test_two_schedulers_never_both_fire_and_the_standby_takes_over(settings: Settings) -> None:
    broker = build_broker(settings.redis_url)
    jobs = (PeriodicJob("system.heartbeat", 1),)
    first = Scheduler(settings, broker, jobs, standby_poll_seconds=0.2)
    second = Scheduler(settings, broker, jobs, standby_poll_seconds=0.2)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(first.run(stop_first)), asyncio.create_task(second.run(stop_second))]
    try:
        await wait_until(lambda: first.is_leader or second.is_leader)
        leader, standby, stop_leader = (first, second, stop_first) if first.is_leader else (second, first, stop_second)
        await wait_until(lambda: leader.fired.get("system.heartbeat", 0) >= 2)
        assert not standby.is_leader
        assert standby.fired == {}
        stop_leader.set()
        await wait_until(lambda: standby.is_leader)
        await wait_until(lambda: standby.fired.get("system.heartbeat", 0) >= 1)
        assert not leader.is_leader
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(*tasks)
        broker.close()


def test_the_schedule_table_names_only_declared_jobs(settings: Settings) -> None:
    from meldpunt.job_modules import load_all_jobs

    load_all_jobs()
    from meldpunt.jobs.registry import JOBS
    from meldpunt.jobs.scheduler import schedule_table

    table = schedule_table(settings)
    assert table and all(entry.job_name in JOBS for entry in table)
