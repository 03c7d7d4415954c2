"""Refusals of disclosure control; their words are in the catalogues (Dutch first)."""

from __future__ import annotations

from meldpunt.errors import DomainError


class RuleBelowFloor(DomainError, status=422, slug="disclosure-rule-below-floor"):
    """A branch asked for a weaker protection rule than the platform's floor (DESIGN §10): refused, never raised
    silently, so that the board's settings always say the rule that is applied."""
