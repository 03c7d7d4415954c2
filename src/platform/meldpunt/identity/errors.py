"""Errors of identity and access."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class NotSignedIn(DomainError):
    status = 401
    slug = "not-signed-in"
    title = "Niet aangemeld"

    def __init__(self) -> None:
        super().__init__("Meld u eerst aan.")


class SessionsUnavailable(DomainError):
    """The session store (Redis) does not answer (DESIGN §13): professionals sign in again once it is back."""

    status = 503
    slug = "sessions-unavailable"
    title = "Aanmelden lukt even niet"

    def __init__(self) -> None:
        super().__init__(
            "Aanmelden lukt op dit moment niet. Probeer het over een paar minuten opnieuw; u moet dan misschien "
            "opnieuw inloggen. Melders kunnen intussen gewoon melden."
        )


class Forbidden(DomainError):
    """The account has no grant that allows this action here. Also used when a tenant is not the caller's:
    the answer is the same whether the tenant exists or not."""

    status = 403
    slug = "forbidden"
    title = "Geen toegang"

    def __init__(self) -> None:
        super().__init__("U heeft hier geen toegang toe.")


class RoleIncompatible(DomainError):
    status = 409
    slug = "role-incompatible"
    title = "Rollen gaan niet samen"

    def __init__(self, role: str, held: str) -> None:
        self.role, self.held = role, held
        super().__init__(f"De rol {role} gaat niet samen met de rol {held} in dezelfde organisatie (seed-000 §1.7).")


class RoleAlreadyHeld(DomainError):
    status = 409
    slug = "role-already-held"
    title = "Rol al toegekend"

    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(f"Dit account heeft de rol {role} in deze organisatie al.")


class GrantPeriodInvalid(DomainError):
    status = 422
    slug = "grant-period-invalid"
    title = "Ongeldige einddatum"

    def __init__(self) -> None:
        super().__init__(
            "De einddatum van een rol ligt na nu en noemt een tijdzone (bijvoorbeeld 2027-01-31T17:00:00+01:00)."
        )


class GrantNotFound(NotFound):
    slug = "grant-not-found"
    title = "Onbekende toekenning"


class AccountOutsideBranch(DomainError):
    status = 409
    slug = "account-outside-branch"
    title = "Account hoort niet bij deze branche"

    def __init__(self) -> None:
        super().__init__("Een rol kan alleen worden toegekend aan iemand van deze organisatie of haar branche.")


class GrantManagedElsewhere(DomainError):
    status = 409
    slug = "grant-managed-elsewhere"
    title = "Toekenning wordt elders beheerd"

    def __init__(self) -> None:
        super().__init__("Deze rol komt uit het tenantbestand of uit een dienst van de branche en wordt daar beheerd.")
