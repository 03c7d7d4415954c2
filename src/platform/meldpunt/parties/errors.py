"""Refusals of the party portal. A link, a code or a key that does not open is refused the same way whether
the invitation exists or not, so that a guess learns nothing."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class PartyRefused(DomainError):
    status = 409
    slug = "party-refused"
    title = "Zo kan deze partij niet worden toegevoegd"


class PartyNotFound(NotFound):
    slug = "party-not-found"
    title = "Onbekende partij"

    def __init__(self) -> None:
        super().__init__("Deze partij hoort niet bij deze zaak.")


class PortalClosed(DomainError):
    """The link and code (or key) do not open a portal: wrong, spent, revoked, or the case is closed."""

    status = 403
    slug = "portal-closed"
    title = "Het portaal opent niet"

    def __init__(self) -> None:
        super().__init__(
            "Deze link en code openen geen portaal. Kijk de code na. Is de code al gebruikt, ingetrokken of de "
            "zaak afgesloten, vraag dan degene die u uitnodigde om een nieuwe uitnodiging."
        )


class InvitationLocked(DomainError):
    status = 429
    slug = "invitation-locked"
    title = "Te vaak geprobeerd"

    def __init__(self) -> None:
        super().__init__(
            "Er is te vaak een verkeerde code ingevuld. Deze uitnodiging werkt niet meer; vraag degene die u "
            "uitnodigde om een nieuwe."
        )


class ShareRefused(DomainError):
    status = 409
    slug = "share-refused"
    title = "Dit kan niet worden gedeeld"


class ResponseRefused(DomainError):
    status = 409
    slug = "response-refused"
    title = "Deze reactie kan niet"
