"""A response struct from a row: the struct's fields read off the row by name, with what the row does not hold
(opened text, counts, a view's names) given by the caller."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

Out = TypeVar("Out", bound=msgspec.Struct)


def from_row(kind: type[Out], row: object, **given: Any) -> Out:
    """``kind`` with each field ``given`` does not name taken from ``row``'s attribute of the same name (a
    field with a default that the row lacks keeps its default)."""
    fields = msgspec.structs.fields(kind)
    read = {
        field.name: getattr(row, field.name)
        for field in fields
        if field.name not in given and (field.required or hasattr(row, field.name))
    }
    return kind(**read, **given)
