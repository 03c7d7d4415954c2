"""``meldpunt worker``: runs declared jobs from Redis and relays the outbox to Redis.

One process: a dramatiq worker with its threads and event loop, and one outbox relay thread. Run more
processes for more capacity; relays share the outbox through SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import threading

import dramatiq
import structlog

from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.jobs import system  # noqa: F401 - declares the platform's own jobs
from meldpunt.jobs.outbox import relay_batch
from meldpunt.jobs.registry import build_broker
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.settings import Settings

log = structlog.get_logger(__name__)


class OutboxRelay(threading.Thread):
    """Polls the outbox and moves committed rows to Redis until stopped."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self.settings = settings
        self.broker = broker
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        asyncio.run(self._relay())

    async def _relay(self) -> None:
        engine = create_engine(self.settings, pooled=False)
        sessionmaker = create_sessionmaker(engine)
        pause = self.settings.outbox_poll_seconds
        try:
            while not self._stopping.is_set():
                try:
                    sent = await relay_batch(sessionmaker, self.broker, self.settings.outbox_batch_size)
                    pause = self.settings.outbox_poll_seconds
                except Exception as error:
                    log.warning("outbox.relay_failed", error=type(error).__name__)
                    sent, pause = 0, min(pause * 2, 30.0)
                if sent < self.settings.outbox_batch_size:
                    await asyncio.to_thread(self._stopping.wait, pause)
        finally:
            await engine.dispose()


class Worker:
    """The dramatiq worker and the outbox relay, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broker = build_broker(settings.redis_url)
        self.runtime = JobRuntime(settings)
        self._worker = dramatiq.Worker(self.broker, worker_threads=settings.worker_threads, worker_timeout=500)
        self._relay = OutboxRelay(settings, self.broker)

    def start(self) -> None:
        install_runtime(self.runtime)
        self._worker.start()
        self._relay.start()
        log.info("worker.started", threads=self.settings.worker_threads, queues=sorted(self.broker.queues))

    def stop(self) -> None:
        self._relay.stop()
        self._relay.join(timeout=10)
        loop_thread = dramatiq.asyncio.get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(self.runtime.close())
        self._worker.stop(timeout=10_000)
        self.broker.close()
        install_runtime(None)
        log.info("worker.stopped")


def run_worker(settings: Settings, stop: threading.Event) -> None:
    """Run until ``stop`` is set (by a signal handler)."""
    worker = Worker(settings)
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()
