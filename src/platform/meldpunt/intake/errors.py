"""Errors of the public reporting point: their words (catalogues, plain language B1) are shown to reporters."""

from __future__ import annotations

from meldpunt.dossiers.documents import DocumentNotFound
from meldpunt.errors import DomainError, NotFound, Refused


class ComplaintNeedsName(DomainError, status=400, slug="complaint-needs-name"): ...


class IdentityMismatch(Refused, status=400, slug="identity-mismatch"):
    """``missing`` (confidential without a name) or ``not-wanted`` (anonymous with a name)."""


class ReceiptNotRecognised(DomainError, status=401, slug="receipt-not-recognised"): ...


class TooManyAttempts(DomainError, status=429, slug="too-many-attempts"): ...


class TooManySubmissions(DomainError, status=429, slug="too-many-submissions"):
    """Above the per-tenant cap that protects storage (DESIGN §11); far above any real day's reports."""


class NothingChosen(DomainError, status=400, slug="nothing-chosen"): ...


class PeriodOutOfRange(DomainError, status=400, slug="period-out-of-range"): ...


class BadDismissal(DomainError, status=400, slug="bad-dismissal"): ...


class CaseNotFound(NotFound, slug="case-not-found"): ...


class NoChannelBack(DomainError, status=409, slug="no-channel-back"): ...


class AlreadyKnown(DomainError, status=409, slug="already-known"): ...


class CannotWithdraw(Refused, status=409, slug="cannot-withdraw"):
    """``not-complaint``, ``already`` (withdrawn) or ``judged``."""


class AttachmentNotFound(DocumentNotFound, message_id="error.attachment-not-found"):
    """Not one of this case's attachments (or no longer)."""
