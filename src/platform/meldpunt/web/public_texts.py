"""The reporter's words, Dutch first and English on request (``?lang=en``), in plain language (B1): the
``public.*`` ids of the catalogues. Here only which options and statuses there are, in the order a page shows them.

The public pages set no cookie, so the language travels in the address: ``link()`` adds ``lang=en`` to
every address on an English page, and every form posts to an address that carries it.
"""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlencode

from meldpunt.catalogues import LANGUAGES, text
from meldpunt.errors import DomainError
from meldpunt.intake import schemas as intake_schemas
from meldpunt.intake.attachments import MAX_FILE_BYTES, MAX_FILES, allowed_text
from meldpunt.web.i18n import in_language, translations_context, words

# The answers of each question of the form (``public.option.<question>.<value>``), in the order shown.
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": get_args(intake_schemas.Kind),
    "anonymity": get_args(intake_schemas.Anonymity),
    "category": get_args(intake_schemas.Category),
    "discrimination_grounds": (
        "race",
        "sex",
        "sexual_orientation",
        "age",
        "disability_or_chronic_illness",
        "religion",
        "belief",
        "nationality",
        "political_opinion",
        "marital_status",
        "working_hours",
        "contract_type",
        "care_leave",
    ),
    "attributes": ("physical", "online", "power_difference", "possibly_criminal", "repeated"),
    "reporter_role": get_args(intake_schemas.ReporterRole),
    "reporter_is_affected": ("true", "false"),
    "accused_role": get_args(intake_schemas.AccusedRole),
    "setting": get_args(intake_schemas.Setting),
    "wishes": get_args(intake_schemas.Wish),
    "when": get_args(intake_schemas.When),
}
# What a reporter's inbox says of each case status (``public.status.<status>``).
STATUSES = (
    "received",
    "routed",
    "in_progress",
    "decided",
    "following_up",
    "concluded",
    "withdrawn",
    "judged",
    "closed",
    "dismissed",
)

TEXTS: dict[str, dict[str, str]] = {language: words(language, "public") for language in LANGUAGES}
OPTIONS: dict[str, dict[str, list[tuple[str, str]]]] = {
    language: {
        question: [(value, text(language, f"public.option.{question}.{value}")) for value in values]
        for question, values in CHOICES.items()
    }
    for language in LANGUAGES
}
STATUS: dict[str, dict[str, str]] = {
    language: {status: text(language, f"public.status.{status}") for status in STATUSES} for language in LANGUAGES
}


def language_for(query_lang: str | None, tenant_locale: str | None) -> str:
    """The language of a public page: ``?lang=`` when given, else the organisation's (Dutch by default)."""
    if query_lang in LANGUAGES:
        return str(query_lang)
    return tenant_locale if tenant_locale in LANGUAGES else "nl"


def error_text(error: DomainError, language: str) -> str:
    """What a refusal says to a reporter in ``language``: its message id in the catalogue."""
    return error.detail_in(language)


def public_context(language: str, default: str = "nl") -> dict[str, Any]:
    """What every public template gets: its words, the options, and ``link()`` that keeps the language
    (``default`` is the organisation's own language, which needs no ``lang=`` in the address)."""

    def link(path: str, **params: str) -> str:
        return in_language(f"{path}?{urlencode(params)}" if params else path, language, default)

    return {
        **translations_context(language),
        "p": TEXTS[language],
        "options": OPTIONS[language],
        "status_names": STATUS[language],
        "link": link,
        "attachments_hint": text(
            language,
            "public.attachments_hint",
            files=MAX_FILES,
            megabytes=MAX_FILE_BYTES // (1024 * 1024),
            allowed=allowed_text(language),
        ),
    }
