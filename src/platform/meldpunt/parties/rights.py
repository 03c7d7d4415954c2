"""The rights of a party in the portal (seed-000 H6 Stap 5, the same for reporter and accused; AVG art. 12–15
and 23), in Dutch and English."""

from __future__ import annotations

RIGHTS: dict[str, tuple[str, ...]] = {
    "nl": (
        (
            "Uw zaak wordt serieus, zorgvuldig en onpartijdig behandeld, en wat er gebeurt staat in verhouding "
            "tot wat er speelde."
        ),
        (
            "U wordt tijdens de hele procedure geïnformeerd over de besluiten en de voortgang, met een indicatie "
            "van de termijnen."
        ),
        (
            "U mag inzien welke gegevens over u zijn vastgelegd en een kopie krijgen (AVG art. 15); u mag vragen "
            "onjuiste gegevens te verbeteren of te wissen."
        ),
        (
            "U wordt gehoord en mag schriftelijk reageren op wat over u is gezegd (hoor en wederhoor), ook op "
            "verslagen voordat die gelden."
        ),
        (
            "U mag zich verdedigen, bewijs aandragen en iemand meenemen naar gesprekken: een vertrouwenspersoon, "
            "een adviseur of een advocaat."
        ),
        "U heeft recht op ondersteuning, bijvoorbeeld een vertrouwenspersoon of een externe coach, en op nazorg.",
        (
            "Wat u hier leest is vertrouwelijk. Waar vertrouwelijkheid niet kan worden gegarandeerd, hoort u "
            "wanneer en waarom."
        ),
        "Bent u het niet eens met de afhandeling, dan kunt u een klacht of bezwaar indienen.",
    ),
    "en": (
        (
            "Your case is handled seriously, carefully and impartially, and what happens is in proportion to what"
            " took place."
        ),
        (
            "You are told about the decisions and the progress throughout the procedure, with an indication of "
            "the timelines."
        ),
        (
            "You may see which data about you are recorded and receive a copy (GDPR art. 15); you may ask for "
            "wrong data to be corrected or erased."
        ),
        "You are heard and may react in writing to what was said about you, including to records before they count.",
        (
            "You may defend yourself, bring evidence and bring someone to conversations: a confidential adviser, "
            "an adviser or a lawyer."
        ),
        "You are entitled to support, for example a confidential adviser or an external coach, and to aftercare.",
        "What you read here is confidential. Where confidentiality cannot be guaranteed, you are told when and why.",
        "If you disagree with how this is handled, you may file a complaint or an objection.",
    ),
}
