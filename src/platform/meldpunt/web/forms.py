"""One decoder from a posted HTML form to the msgspec struct the API takes for the same thing, so that a page
and the API hand a service the same value (DESIGN §11 "thin pages")."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


def form_fields(form: Any) -> dict[str, Any]:
    """A posted form as a dict: one value per field, a list where a field came more than once (checkboxes),
    to show a form again with what was typed."""
    return {key: form.getall(key) if len(form.getall(key)) > 1 else form.get(key) for key in form}


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (list, tuple, set, frozenset)


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def _value(annotation: Any, raw: Any) -> Any:
    if _is_list(annotation):
        values = raw if isinstance(raw, list) else [raw]
        return [value for value in values if value not in (None, "")]
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    if raw == "" and _optional(annotation):
        return None
    if isinstance(raw, str) and not _optional(annotation) and annotation is not str:
        return raw.strip()
    return raw


def decode_form(fields: Mapping[str, Any], kind: type[S], **given: Any) -> S:
    """The struct ``kind`` from a form's fields (see ``form_fields``): a repeated field or a checkbox group
    becomes a list where the struct has one, an empty text an absent value where the struct allows one, and
    "on"/"yes"/"true" a yes for a flag. ``given`` supplies what the page knows and the form does not carry.
    Raises ``msgspec.ValidationError`` with the field's name, like the API."""
    hints = typing.get_type_hints(kind)
    data: dict[str, Any] = {}
    for field in msgspec.structs.fields(kind):
        key = field.encode_name
        if key in given or (key not in fields and not _is_list(hints[field.name])):
            continue
        data[key] = _value(hints[field.name], fields.get(key))
        if hints[field.name] is bool and isinstance(data[key], str):
            data[key] = data[key].lower() in ("on", "yes", "true", "1", "ja")
    return msgspec.convert({**data, **given}, kind, strict=False)
