"""Structured logging: JSON in production, console in development.

Logs carry ids (request, tenant, message), never request bodies, content, client addresses or user agents.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from meldpunt.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Route structlog and the standard library's loggers into one stream in the chosen format."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if settings.log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.dict_tracebacks)
    else:
        renderer = structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Caching is a production speed-up; elsewhere it would hide loggers from structlog's capture_logs.
        cache_logger_on_first_use=settings.env == "production",
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared, processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # The ASGI server's access log prints client addresses (DESIGN §11): it stays off, and so does
    # anything that would log request headers or bodies.
    for noisy in ("uvicorn.access", "botocore", "urllib3", "asyncio", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True
