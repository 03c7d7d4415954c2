"""Errors of identity and access."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class NotSignedIn(DomainError):
    status = 401
    slug = "not-signed-in"
    message_id = "error.not-signed-in"


class SessionsUnavailable(DomainError):
    """The session store (Redis) does not answer (DESIGN §13): professionals sign in again once it is back."""

    status = 503
    slug = "sessions-unavailable"
    message_id = "error.sessions-unavailable"


class Forbidden(DomainError):
    """The account has no grant that allows this action here. Also used when a tenant is not the caller's:
    the answer is the same whether the tenant exists or not."""

    status = 403
    slug = "forbidden"
    message_id = "error.forbidden"


class RoleIncompatible(DomainError):
    status = 409
    slug = "role-incompatible"
    message_id = "error.role-incompatible"

    def __init__(self, role: str, held: str) -> None:
        self.role, self.held = role, held
        super().__init__(role=role, held=held)


class RoleAlreadyHeld(DomainError):
    status = 409
    slug = "role-already-held"
    message_id = "error.role-already-held"

    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(role=role)


class GrantPeriodInvalid(DomainError):
    status = 422
    slug = "grant-period-invalid"
    message_id = "error.grant-period-invalid"


class GrantNotFound(NotFound):
    slug = "grant-not-found"
    message_id = "error.grant-not-found"


class AccountNotKnown(GrantNotFound):
    """The account is not one of this tenant's (or its branch's) people."""

    message_id = "error.account-not-known"


class AccountOutsideBranch(DomainError):
    status = 409
    slug = "account-outside-branch"
    message_id = "error.account-outside-branch"


class GrantManagedElsewhere(DomainError):
    status = 409
    slug = "grant-managed-elsewhere"
    message_id = "error.grant-managed-elsewhere"


class NoIdentityProvider(DomainError):
    """Neither the tenant nor its branch declares a usable identity provider."""

    status = 409
    slug = "no-identity-provider"
    message_id = "error.no-identity-provider"
