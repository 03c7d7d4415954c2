"""Statistical disclosure control (DESIGN §10, docs/disclosure.md): primary and secondary suppression of linked
tables and the audit LP over everything a branch ever published. Pure functions: no I/O, no clock, no database.
"""

from meldpunt.disclosure.audit import AuditReport, CellAudit, audit
from meldpunt.disclosure.ledger import Release, cells_of, figures_from, tables_needed
from meldpunt.disclosure.rules import PLATFORM_RULES, Reason, Rules, branch_rules
from meldpunt.disclosure.suppression import Protection, protect
from meldpunt.disclosure.tables import (
    TOTAL,
    Fact,
    Period,
    Quantity,
    TableSpec,
    Tally,
    calendar_year,
    fact,
    quarter,
    quarters_through,
    table,
    tabulate,
)

__all__ = [
    "PLATFORM_RULES",
    "TOTAL",
    "AuditReport",
    "CellAudit",
    "Fact",
    "Period",
    "Protection",
    "Quantity",
    "Reason",
    "Release",
    "Rules",
    "TableSpec",
    "Tally",
    "audit",
    "branch_rules",
    "calendar_year",
    "cells_of",
    "fact",
    "figures_from",
    "protect",
    "quarter",
    "quarters_through",
    "table",
    "tables_needed",
    "tabulate",
]
