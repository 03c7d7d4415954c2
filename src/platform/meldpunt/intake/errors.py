"""Errors of the public reporting point: their words (catalogues, plain language B1) are shown to reporters."""

from __future__ import annotations

from meldpunt.dossiers.documents import DocumentNotFound
from meldpunt.errors import DomainError, NotFound, Refused


class ComplaintNeedsName(DomainError):
    status = 400
    slug = "complaint-needs-name"
    message_id = "error.complaint-needs-name"


class IdentityMismatch(Refused):
    """``missing`` (confidential without a name) or ``not-wanted`` (anonymous with a name)."""

    status = 400
    slug = "identity-mismatch"
    message_id = "error.identity-mismatch"


class ReceiptNotRecognised(DomainError):
    status = 401
    slug = "receipt-not-recognised"
    message_id = "error.receipt-not-recognised"


class TooManyAttempts(DomainError):
    status = 429
    slug = "too-many-attempts"
    message_id = "error.too-many-attempts"


class TooManySubmissions(DomainError):
    """Above the per-tenant cap that protects storage (DESIGN §11); far above any real day's reports."""

    status = 429
    slug = "too-many-submissions"
    message_id = "error.too-many-submissions"


class NothingChosen(DomainError):
    status = 400
    slug = "nothing-chosen"
    message_id = "error.nothing-chosen"


class PeriodOutOfRange(DomainError):
    status = 400
    slug = "period-out-of-range"
    message_id = "error.period-out-of-range"


class BadDismissal(DomainError):
    status = 400
    slug = "bad-dismissal"
    message_id = "error.bad-dismissal"


class CaseNotFound(NotFound):
    slug = "case-not-found"
    message_id = "error.case-not-found"


class NoChannelBack(DomainError):
    status = 409
    slug = "no-channel-back"
    message_id = "error.no-channel-back"


class AlreadyKnown(DomainError):
    status = 409
    slug = "already-known"
    message_id = "error.already-known"


class CannotWithdraw(Refused):
    """``not-complaint``, ``already`` (withdrawn) or ``judged``."""

    status = 409
    slug = "cannot-withdraw"
    message_id = "error.cannot-withdraw"


class AttachmentNotFound(DocumentNotFound):
    """Not one of this case's attachments (or no longer)."""

    message_id = "error.attachment-not-found"
