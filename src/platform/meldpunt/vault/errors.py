"""Refusals of the vault, in Dutch: they are shown to advisers."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class ConsultationNotFound(NotFound):
    slug = "consultation-not-found"
    title = "Onbekend gesprek"


class DisclosureRefused(DomainError):
    status = 403
    slug = "disclosure-refused"
    title = "Niet zonder toestemming"

    def __init__(self) -> None:
        super().__init__(
            "Hiervoor is geen geldige toestemming van de melder vastgelegd (voor deze ontvanger en deze "
            "inhoud), en ook geen wettelijke plicht of rechterlijk bevel. Er verlaat niets de kluis."
        )


class ConsultationClosed(DomainError):
    status = 409
    slug = "consultation-closed"
    title = "Gesprek afgesloten"

    def __init__(self) -> None:
        super().__init__("Dit gesprek is afgesloten; er kan niets meer aan worden toegevoegd.")


class DraftNotRecognised(DomainError):
    status = 401
    slug = "draft-not-recognised"
    title = "Code niet herkend"

    def __init__(self) -> None:
        super().__init__(
            "Deze conceptcode kennen we niet bij dit meldpunt, of hij is al gebruikt of verlopen. "
            "Vraag uw vertrouwenspersoon om een nieuwe."
        )
