"""The interface texts as gettext catalogues (``web/locale/{nl,en}/LC_MESSAGES/messages.mo``), loaded once per
process. Message ids are stable keys (``pro.form_incomplete``, ``error.forbidden``); Dutch is the source language.
On the ground floor so that a domain error can say its words; nothing here knows a page or a request."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import Translations

LANGUAGES = ("nl", "en")
SOURCE_LANGUAGE = "nl"
LOCALE_DIR = Path(__file__).resolve().parent / "web" / "locale"


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of ``language`` (one of ``LANGUAGES``); a missing file is an error, never a
    silent fallback to the message ids."""
    if language not in LANGUAGES:
        raise LookupError(f"no catalogue for language {language!r}")
    loaded = Translations.load(LOCALE_DIR, [language])
    if not isinstance(loaded, Translations):
        raise FileNotFoundError(LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo")
    return loaded


@cache
def message_ids(language: str) -> frozenset[str]:
    """Every message id of the catalogue of ``language``."""
    catalog: dict[object, str] = getattr(translations(language), "_catalog", {})
    return frozenset(key for key in catalog if isinstance(key, str) and key)


def text(language: str, message_id: str, **params: object) -> str:
    """The words of ``message_id`` in ``language``, with ``%(name)s`` filled in from ``params``."""
    words = translations(language).gettext(message_id)
    return words % params if params else words
