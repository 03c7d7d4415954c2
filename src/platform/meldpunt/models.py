"""Imports every module that declares tables, so that Alembic and the tests see the whole schema."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "meldpunt.tenancy.models",
    "meldpunt.jobs.outbox",
    "meldpunt.audit.models",
    "meldpunt.identity.models",
    "meldpunt.dossiers.keys",
    "meldpunt.dossiers.documents",
    "meldpunt.retention.models",
    "meldpunt.notifications.models",
    "meldpunt.intake.models",
    "meldpunt.vault.models",
    "meldpunt.cases.models",
    "meldpunt.parties.models",
    "meldpunt.interventions.models",
    "meldpunt.investigations.models",
    "meldpunt.cases.outcome_models",
    "meldpunt.cases.context",
    "meldpunt.trends.models",
    "meldpunt.trends.releases",
    "meldpunt.complaints.models",
)


def load_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)
