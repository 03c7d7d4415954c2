"""Refusals of case handling, in Dutch: they are shown to professionals."""

from __future__ import annotations

from meldpunt.errors import DomainError


class RoutingRefused(DomainError):
    status = 400
    slug = "routing-refused"
    title = "Zo kan de melding niet worden doorgezet"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class NotAPanelCase(DomainError):
    status = 409
    slug = "not-a-panel-case"
    title = "Geen zaak voor de beslistafel"

    def __init__(self) -> None:
        super().__init__("Deze zaak is (nog) niet naar de beslistafel doorgezet.")


class SeatRefused(DomainError):
    status = 409
    slug = "seat-refused"
    title = "Deze plaats aan de beslistafel kan niet"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class NotOnThePanel(DomainError):
    status = 403
    slug = "not-on-the-panel"
    title = "Geen plaats aan deze beslistafel"

    def __init__(self) -> None:
        super().__init__("U heeft geen plaats aan de beslistafel van deze zaak (of niet in deze rol).")


class DeclareFirst(DomainError):
    status = 403
    slug = "declare-first"
    title = "Eerst verklaren"

    def __init__(self) -> None:
        super().__init__(
            "Verklaar eerst schriftelijk dat u niet bij deze zaak betrokken bent. Daarna ziet u de inhoud. "
            "Bent u wel betrokken, dan komt er een plaatsvervanger."
        )


class AlreadyDeclared(DomainError):
    status = 409
    slug = "already-declared"
    title = "Al verklaard"

    def __init__(self) -> None:
        super().__init__("U heeft voor deze zaak al een verklaring afgelegd.")


class PanelIncomplete(DomainError):
    status = 409
    slug = "panel-incomplete"
    title = "De beslistafel is nog niet compleet"

    def __init__(self) -> None:
        super().__init__(
            "Er is nog geen beslisser, deskundige en procesbewaker die alle drie hebben verklaard niet betrokken "
            "te zijn."
        )


class ConcernOpen(DomainError):
    status = 409
    slug = "concern-open"
    title = "Eerst de zorg van de procesbewaker"

    def __init__(self) -> None:
        super().__init__("De procesbewaker heeft een zorg over het proces. Reageer daar eerst op.")


class ReporterFirst(DomainError):
    status = 409
    slug = "reporter-first"
    title = "Eerst de melder"

    def __init__(self) -> None:
        super().__init__("Vertel het eerst de melder voordat de beschuldigde schriftelijk wordt geïnformeerd.")


class StepRefused(DomainError):
    status = 400
    slug = "step-refused"
    title = "Deze stap is nog niet compleet"

    def __init__(self, detail: str, status: int = 400) -> None:
        self.status = status
        super().__init__(detail)
