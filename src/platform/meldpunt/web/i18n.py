"""Interface texts, Dutch first with English on request (``?lang=en``): the catalogues of ``web/locale`` as the
pages use them (``_("id")`` in templates, the word tables of the handlers). The words live in the catalogues only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine

from meldpunt.catalogues import LANGUAGES, message_ids, text
from meldpunt.identity.roles import Role

Gettext = Callable[..., str]


@cache
def gettext_for(language: str) -> Gettext:
    """``_("id", name=value)`` of the templates in ``language``: a plain string, so Jinja escapes it (and its
    values) like any other."""

    def gettext(message_id: str, **params: object) -> str:
        return text(language, message_id, **params)

    return gettext


def ngettext_for(language: str) -> Callable[..., str]:
    gettext = gettext_for(language)

    def ngettext(singular: str, plural: str, count: int, **params: object) -> str:
        return gettext(singular if count == 1 else plural, num=count, **params)

    return ngettext


def words(language: str, prefix: str) -> dict[str, str]:
    """The words with ids ``prefix.<key>`` (one level below ``prefix``) in ``language``, by key."""
    start = f"{prefix}."
    return {
        message_id.removeprefix(start): text(language, message_id)
        for message_id in sorted(message_ids(language))
        if message_id.startswith(start) and "." not in message_id.removeprefix(start)
    }


def named(language: str, prefix: str, groups: Mapping[str, Sequence[str]]) -> dict[str, dict[str, str]]:
    """Names by group and key, in the order of ``groups``: the id of each is ``prefix.<group>.<key>``."""
    return {group: {key: text(language, f"{prefix}.{group}.{key}") for key in keys} for group, keys in groups.items()}


TEXTS: dict[str, dict[str, str]] = {language: words(language, "site") for language in LANGUAGES}
ROLE_WORDS: dict[str, dict[str, str]] = {
    language: {role.value: text(language, f"role.{role.value}") for role in Role} for language in LANGUAGES
}


def language_of(query_lang: str | None, accept_language: str | None = None) -> str:
    """Dutch first: English only when asked for with ``?lang=en`` (a browser's own preference is not enough,
    and no cookie remembers it: the public side sets none)."""
    return query_lang if query_lang in LANGUAGES and query_lang is not None else "nl"


def problem_language(query_lang: str | None, accept_language: str | None) -> str:
    """The language of a problem+json answer: Dutch, unless ``?lang=en`` or ``Accept-Language`` names English
    first (an API client says what it reads)."""
    if query_lang in LANGUAGES and query_lang is not None:
        return query_lang
    first = (accept_language or "").split(",", 1)[0].split(";", 1)[0].strip().lower()
    return "en" if first == "en" or first.startswith("en-") else "nl"


def in_language(path: str, language: str, default: str = "nl") -> str:
    """An address that keeps the language, since no page sets a cookie for it: the default language (Dutch;
    on a public page the organisation's own) needs no ``lang=``."""
    if language == default:
        return path
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def translations_context(language: str) -> dict[str, Any]:
    """What ``jinja2.ext.i18n`` looks up in a page's context: ``_``, ``gettext`` and ``ngettext`` in ``language``."""
    gettext = gettext_for(language)
    return {"_": gettext, "gettext": gettext, "ngettext": ngettext_for(language), "lang": language}


def context_for(language: str) -> dict[str, Any]:
    """The words of a page, and ``href(path)`` that keeps the language in its links and form actions."""

    def href(path: str) -> str:
        return in_language(path, language)

    return {**translations_context(language), "t": TEXTS[language], "role_name": ROLE_WORDS[language], "href": href}


def install_translations(engine: JinjaTemplateEngine) -> None:
    """``jinja2.ext.i18n`` in the pages' Jinja environment, Dutch unless a page's context brings its own ``_``
    (every page's does: ``context_for`` and ``public_context``)."""
    engine.engine.add_extension("jinja2.ext.i18n")
    engine.engine.globals.update({"_": gettext_for("nl"), "gettext": gettext_for("nl"), "ngettext": ngettext_for("nl")})
