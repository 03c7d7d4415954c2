"""Interface texts, Dutch first with English on request (``?lang=en``)."""

from __future__ import annotations

from typing import Any

from meldpunt.identity.roles import ROLE_NAMES

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "skip": "Direct naar de inhoud",
        "product": "Meldpunt",
        "tagline": "Het meldpunt voor ongewenst gedrag op het werk",
        "reporting_points": "Meldpunten",
        "for_professionals": "Voor professionals",
        "sign_in_for": "Aanmelden voor",
        "sign_out": "Afmelden",
        "your_organisations": "Uw organisaties",
        "your_roles_here": "Uw rollen hier",
        "roles_per_organisation": "Uw rollen per organisatie",
        "organisation": "Organisatie",
        "roles": "Rollen",
        "no_organisations": "U heeft (nog) geen rol in een organisatie. Neem contact op met uw beheerder.",
        "signed_in_as": "Aangemeld als",
        "back": "Terug naar het begin",
        "sign_in": "Aanmelden",
        "language": "English",
        "language_code": "en",
        "grants": "Rollen en toegang",
        "audit_log": "Auditlog",
        "audit_explained": "Wie deed wat, wanneer, met welk onderdeel. Zonder inhoud van meldingen.",
        "audit_vault_counts": "Vertrouwenspersonen",
        "audit_vault_explained": (
            "Wat een vertrouwenspersoon vastlegt, kan alleen die vertrouwenspersoon lezen. "
            "U ziet alleen hoeveel regels dat per jaar waren: niet wie, niet wanneer."
        ),
        "year": "Jaar",
        "entries": "Regels",
        "person": "Persoon",
        "role": "Rol",
        "source": "Bron",
        "period": "Periode",
        "actions": "Acties",
        "end_grant": "Beëindigen",
        "add_grant": "Rol toekennen",
        "source_declared": "tenantbestand",
        "source_branch_service": "dienst van de branche",
        "source_admin": "beheerder",
        "when": "Wanneer",
        "who": "Wie",
        "what": "Wat",
        "resource": "Onderdeel",
        "older": "Oudere regels",
        "vault_mine": "Mijn kluis als vertrouwenspersoon",
        "vault_all": "Al mijn organisaties als vertrouwenspersoon",
        "submissions": "Meldingen",
        "cases": "Zaken",
        "guardian_all": "Als procesbewaker: alle zaken en termijnen",
        "adviser_signals": "Signalen van vertrouwenspersonen",
    },
    "en": {
        "skip": "Skip to content",
        "product": "Meldpunt",
        "tagline": "The reporting point for unwanted behaviour at work",
        "reporting_points": "Reporting points",
        "for_professionals": "For professionals",
        "sign_in_for": "Sign in for",
        "sign_out": "Sign out",
        "your_organisations": "Your organisations",
        "your_roles_here": "Your roles here",
        "roles_per_organisation": "Your roles per organisation",
        "organisation": "Organisation",
        "roles": "Roles",
        "no_organisations": "You have no role in an organisation (yet). Please contact your administrator.",
        "signed_in_as": "Signed in as",
        "back": "Back to the start",
        "sign_in": "Sign in",
        "language": "Nederlands",
        "language_code": "nl",
        "grants": "Roles and access",
        "audit_log": "Audit log",
        "audit_explained": "Who did what, when, to which item. Never the content of reports.",
        "audit_vault_counts": "Confidential advisers",
        "audit_vault_explained": (
            "What a confidential adviser records is readable by that adviser only. "
            "You see only how many entries there were per year: not who, not when."
        ),
        "year": "Year",
        "entries": "Entries",
        "person": "Person",
        "role": "Role",
        "source": "Source",
        "period": "Period",
        "actions": "Actions",
        "end_grant": "End",
        "add_grant": "Grant a role",
        "source_declared": "tenant file",
        "source_branch_service": "branch service",
        "source_admin": "administrator",
        "when": "When",
        "who": "Who",
        "what": "What",
        "resource": "Item",
        "older": "Older entries",
        "vault_mine": "My vault as confidential adviser",
        "vault_all": "All my organisations as confidential adviser",
        "submissions": "Reports",
        "cases": "Cases",
        "guardian_all": "As process guardian: all cases and deadlines",
        "adviser_signals": "Signals from confidential advisers",
    },
}


def language_of(query_lang: str | None, accept_language: str | None = None) -> str:
    """Dutch first: English only when asked for with ``?lang=en`` (a browser's own preference is not enough,
    and no cookie remembers it: the public side sets none)."""
    return query_lang if query_lang in TEXTS else "nl"


def in_language(path: str, language: str, default: str = "nl") -> str:
    """An address that keeps the language, since no page sets a cookie for it: the default language (Dutch;
    on a public page the organisation's own) needs no ``lang=``."""
    if language == default:
        return path
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def context_for(language: str) -> dict[str, Any]:
    """The words of a page, and ``href(path)`` that keeps the language in its links and form actions."""

    def href(path: str) -> str:
        return in_language(path, language)

    return {"t": TEXTS[language], "role_name": ROLE_NAMES[language], "lang": language, "href": href}
