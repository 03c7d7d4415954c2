"""Which jobs exist, on which queue, with which limits; and the broker that runs them.

Jobs are declared with ``@job`` and bound to a broker only when ``build_broker`` runs, so importing a
module never connects to Redis. Retries are capped per job: dramatiq's default of 20 retries over a
week is not acceptable for work with deadlines (DESIGN §9).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, CurrentMessage, Middleware

F = TypeVar("F", bound=Callable[..., Any])
NAMESPACE = "meldpunt"


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: Callable[..., Any]
    queue: str
    max_retries: int
    time_limit_ms: int
    max_backoff_ms: int


JOBS: dict[str, JobSpec] = {}


class UnknownJob(LookupError):
    """A message names a job that no module declared."""


def job(
    name: str,
    *,
    queue: str = "default",
    max_retries: int = 5,
    time_limit_seconds: int = 600,
    max_backoff_seconds: int = 3600,
) -> Callable[[F], F]:
    """Declare ``fn`` as the job ``name`` (an async or plain function taking keyword arguments)."""

    def declare(fn: F) -> F:
        if name in JOBS and JOBS[name].fn is not fn:
            raise ValueError(f"job {name!r} is declared twice")
        JOBS[name] = JobSpec(name, fn, queue, max_retries, time_limit_seconds * 1000, max_backoff_seconds * 1000)
        return fn

    return declare


def job_spec(name: str) -> JobSpec:
    try:
        return JOBS[name]
    except KeyError:
        raise UnknownJob(name) from None


class LogContext(Middleware):
    """Binds the message id, job and tenant to every log line written while a message is processed."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.bind_contextvars(
            message_id=message.message_id, job=message.actor_name, tenant_id=message.kwargs.get("tenant_id")
        )

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is not None:
            # Ids only: a failure never logs arguments, messages or content (DESIGN §9).
            structlog.get_logger(__name__).warning("job.failed", error=type(exception).__name__)
        structlog.contextvars.unbind_contextvars("message_id", "job", "tenant_id")

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.unbind_contextvars("message_id", "job", "tenant_id")


def build_broker(redis_url: str) -> RedisBroker:
    """A Redis broker with every declared job bound to it."""
    broker = RedisBroker(url=redis_url, namespace=NAMESPACE)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(LogContext())
    for spec in JOBS.values():
        dramatiq.Actor(
            spec.fn,
            broker=broker,
            actor_name=spec.name,
            queue_name=spec.queue,
            priority=0,
            options={
                "max_retries": spec.max_retries,
                "time_limit": spec.time_limit_ms,
                "max_backoff": spec.max_backoff_ms,
            },
        )
    return broker


def send_job(broker: dramatiq.Broker, name: str, *, message_id: uuid.UUID | None = None, **kwargs: Any) -> None:
    """Put one message for job ``name`` on its queue (directly; use the outbox inside a transaction)."""
    spec = job_spec(name)
    broker.enqueue(
        dramatiq.Message(
            queue_name=spec.queue,
            actor_name=name,
            args=(),
            kwargs=kwargs,
            options={},
            message_id=str(message_id or uuid.uuid4()),
        )
    )
