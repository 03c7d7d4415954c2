"""Refusals of the end of a case (decision, communication, phase 3, closure); their words are in the
catalogues (Dutch first), one reason each."""

from __future__ import annotations

from meldpunt.errors import NotFound, Refused


class DecisionRefused(Refused, status=409, slug="decision-refused"): ...


class OutcomeRefused(Refused, status=409, slug="outcome-refused"): ...


class ClosureRefused(Refused, status=409, slug="closure-refused"): ...


class AftercareNotFound(NotFound, slug="aftercare-not-found"): ...
