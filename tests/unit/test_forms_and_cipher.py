"""The form decoder gives a page the API's struct; the case cipher binds a text to its case, row and purpose."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from meldpunt.dossiers.cipher import CaseCipher
from meldpunt.dossiers.crypto import DecryptionFailed
from meldpunt.dossiers.keys import _new_case_material
from meldpunt.web.forms import decode_form


class Example(msgspec.Struct, kw_only=True):
    reason: str
    route: str | None = None
    duties: list[str] = []
    involved: bool = False
    count: int = 0


def test_a_form_decodes_into_the_api_struct() -> None:
    got = decode_form(
        {"reason": "waarom", "route": "", "duties": ["a", "", "b"], "involved": "on", "count": "3"}, Example
    )
    assert got == Example(reason="waarom", route=None, duties=["a", "b"], involved=True, count=3)


def test_one_checked_box_is_a_list_and_an_absent_group_is_empty() -> None:
    assert decode_form({"reason": "x", "duties": "a"}, Example).duties == ["a"]
    assert decode_form({"reason": "x"}, Example).duties == []


def test_what_the_page_knows_overrides_the_form() -> None:
    assert decode_form({"reason": "typed"}, Example, reason="given").reason == "given"


def test_a_missing_required_field_is_refused_by_name() -> None:
    with pytest.raises(msgspec.ValidationError, match="reason"):
        decode_form({"route": "x"}, Example)


def test_a_text_opens_only_for_its_case_row_and_purpose() -> None:
    material = _new_case_material()
    tenant, case, row = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    cipher = CaseCipher(material, tenant, case)
    sealed = cipher.seal("geheim", "handling", row)
    assert cipher.open(sealed, "handling", row) == "geheim"
    assert cipher.open(None, "handling", row) is None
    for other in (CaseCipher(material, tenant, uuid.uuid4()), CaseCipher(material, uuid.uuid4(), case)):
        with pytest.raises(DecryptionFailed):
            other.open(sealed, "handling", row)
    with pytest.raises(DecryptionFailed):
        cipher.open(sealed, "vault", row)
    with pytest.raises(DecryptionFailed):
        cipher.open(sealed, "handling", uuid.uuid4())
    assert cipher.open_value(cipher.seal_value(["a", "b"], "grounds"), list[str], "grounds") == ["a", "b"]
