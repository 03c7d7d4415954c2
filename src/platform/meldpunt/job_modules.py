"""Every module that declares jobs: the worker and the scheduler import them all before binding the broker."""

from __future__ import annotations

import importlib

JOB_MODULES = (
    "meldpunt.jobs.system",
    "meldpunt.dossiers.jobs",
    "meldpunt.retention.jobs",
    "meldpunt.notifications.jobs",
    "meldpunt.vault.jobs",
    "meldpunt.cases.jobs",
    "meldpunt.cases.outcome_jobs",
    "meldpunt.trends.jobs",
)


def load_all_jobs() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
