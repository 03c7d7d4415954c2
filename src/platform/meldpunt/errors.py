"""The base of every domain error. ``app.py`` maps them to problem+json once; services never import HTTP.

An error names its words by message id in the catalogues (``meldpunt.catalogues``): ``message_id`` for the
detail and ``message_id + ".title"`` for the title, said in the language of the request. Most errors are one
line, their status and slug as class keywords; the message id follows from the slug (``error.<slug>``)::

    class NoChannelBack(DomainError, status=409, slug="no-channel-back"): ...

One that needs values passes them as ``%(name)s`` params.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from meldpunt.catalogues import SOURCE_LANGUAGE, text


@runtime_checkable
class Said(Protocol):
    """A parameter of a refusal that is itself words, said in the reader's language."""

    def said_in(self, language: str) -> str: ...


class Named:
    """A parameter of a refusal that is itself words: message ids said in the reader's language, joined."""

    def __init__(self, *message_ids: str) -> None:
        self.message_ids = message_ids

    def said_in(self, language: str) -> str:
        return ", ".join(text(language, message_id).lower() for message_id in self.message_ids)


class DomainError(Exception):
    """A rule or precondition was not met. ``status`` and ``slug`` shape the problem response."""

    status: int = 400
    slug: str = "bad-request"
    message_id: str = "error.bad-request"
    # A literal title, only for an error whose words are not in the catalogues yet: it wins in every language.
    title: str | None = None

    def __init_subclass__(
        cls, *, status: int | None = None, slug: str | None = None, message_id: str | None = None, **kwargs: object
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if slug is not None:
            cls.slug = slug
            cls.message_id = f"error.{slug}"
        if message_id is not None:
            cls.message_id = message_id

    def __init__(self, detail: str | None = None, **params: object) -> None:
        """``detail``: words a service chose itself (in Dutch), which win over the message id."""
        self.given = detail
        self.params = params
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        return self.detail_in(SOURCE_LANGUAGE)

    def detail_in(self, language: str) -> str:
        if self.given is not None:
            return self.given
        said = {
            name: value.said_in(language) if isinstance(value, Said) else value for name, value in self.params.items()
        }
        return text(language, self.message_id, **said)

    def title_in(self, language: str) -> str:
        return self.title or text(language, f"{type(self).message_id}.title")


class NotFound(DomainError, status=404, slug="not-found"):
    """Absent, or not visible to the caller: the two are never distinguished (existence is not leaked)."""


class Refused(DomainError):
    """A refusal with several reasons, each with its own words: ``reason`` picks the message id
    ``<message_id>.<reason>``; the title is the class's. ``tests/unit/test_catalogues.py`` checks that every
    reason raised in ``src/`` has its words in both catalogues."""

    def __init__(self, reason: str, **params: object) -> None:
        self.reason = reason
        self.message_id = f"{type(self).message_id}.{reason}"
        super().__init__(None, **params)
