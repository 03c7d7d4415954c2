"""Errors of identity and access."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class NotSignedIn(DomainError, status=401, slug="not-signed-in"): ...


class SessionsUnavailable(DomainError, status=503, slug="sessions-unavailable"):
    """The session store (Redis) does not answer (DESIGN §13): professionals sign in again once it is back."""


class Forbidden(DomainError, status=403, slug="forbidden"):
    """The account has no grant that allows this action here. Also used when a tenant is not the caller's:
    the answer is the same whether the tenant exists or not."""


class RoleIncompatible(DomainError, status=409, slug="role-incompatible"):
    def __init__(self, role: str, held: str) -> None:
        self.role, self.held = role, held
        super().__init__(role=role, held=held)


class RoleAlreadyHeld(DomainError, status=409, slug="role-already-held"):
    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(role=role)


class GrantPeriodInvalid(DomainError, status=422, slug="grant-period-invalid"): ...


class GrantNotFound(NotFound, slug="grant-not-found"): ...


class AccountNotKnown(GrantNotFound):
    """The account is not one of this tenant's (or its branch's) people."""

    message_id = "error.account-not-known"


class AccountOutsideBranch(DomainError, status=409, slug="account-outside-branch"): ...


class GrantManagedElsewhere(DomainError, status=409, slug="grant-managed-elsewhere"): ...


class NoIdentityProvider(DomainError, status=409, slug="no-identity-provider"):
    """Neither the tenant nor its branch declares a usable identity provider."""
