"""Errors of the public reporting point, in plain Dutch: they are shown to reporters."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class ComplaintNeedsName(DomainError):
    status = 400
    slug = "complaint-needs-name"
    title = "Een klacht kan niet anoniem"

    def __init__(self) -> None:
        super().__init__(
            "Een klacht dient u in met uw naam, en alleen als het u zelf is overkomen. Wilt u anoniem "
            "blijven of gaat het om iemand anders? Doe dan een melding; dat kan ook anoniem."
        )


class IdentityMismatch(DomainError):
    status = 400
    slug = "identity-mismatch"
    title = "Naam en keuze passen niet"

    def __init__(self, detail: str, key: str) -> None:
        self.key = key
        super().__init__(detail)


class ReceiptNotRecognised(DomainError):
    status = 401
    slug = "receipt-not-recognised"
    title = "Code niet herkend"

    def __init__(self) -> None:
        super().__init__("Deze code kennen we niet bij dit meldpunt. Controleer de 16 cijfers en probeer het opnieuw.")


class TooManyAttempts(DomainError):
    status = 429
    slug = "too-many-attempts"
    title = "Even wachten"

    def __init__(self) -> None:
        super().__init__("Er zijn te veel pogingen gedaan. Wacht een paar minuten en probeer het dan opnieuw.")


class TooManySubmissions(DomainError):
    """Above the per-tenant cap that protects storage (DESIGN §11); far above any real day's reports."""

    status = 429
    slug = "too-many-submissions"
    title = "Even wachten"

    def __init__(self) -> None:
        super().__init__(
            "Dit meldpunt krijgt op dit moment uitzonderlijk veel berichten. Er is niets verstuurd; probeer "
            "het over een uur opnieuw."
        )


class NothingChosen(DomainError):
    status = 400
    slug = "nothing-chosen"
    title = "Niets gekozen"

    def __init__(self) -> None:
        super().__init__("Kies de meldingen die u wilt wegzetten, of een periode.")


class PeriodOutOfRange(DomainError):
    status = 400
    slug = "period-out-of-range"
    title = "Periode buiten bereik"

    def __init__(self) -> None:
        super().__init__("Kies datums tussen 1 januari 2000 en 31 december 9998.")


class BadDismissal(DomainError):
    status = 400
    slug = "bad-dismissal"
    title = "Onjuiste keuze"

    def __init__(self) -> None:
        super().__init__("Deze keuze of periode kennen we niet. Vink berichten aan of vul twee datums in.")


class CaseNotFound(NotFound):
    slug = "case-not-found"
    title = "Onbekende melding"


class NoChannelBack(DomainError):
    status = 409
    slug = "no-channel-back"
    title = "Geen weg terug"

    def __init__(self) -> None:
        super().__init__("De melder koos voor volledig anoniem, zonder mogelijkheid tot contact.")


class AlreadyKnown(DomainError):
    status = 409
    slug = "already-known"
    title = "Uw naam is al bekend"

    def __init__(self) -> None:
        super().__init__("Het meldpunt kent uw naam al bij deze melding.")


class CannotWithdraw(DomainError):
    status = 409
    slug = "cannot-withdraw"
    title = "Intrekken kan niet"

    def __init__(self, detail: str, key: str) -> None:
        self.key = key
        super().__init__(detail)
