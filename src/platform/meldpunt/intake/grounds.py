"""Discrimination grounds of a case: special-category data (AVG art. 9: religion, sexual orientation,
health …), so sealed with the case key like the narrative. No row, log, audit entry or count holds one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.crypto import associated_data, decrypt_text, encrypt_text
from meldpunt.dossiers.keys import CaseKeyMaterial, Keyring
from meldpunt.intake.models import Case

GROUNDS = "discrimination_grounds"  # the field of the form's attributes that is never stored as it is


def seal_grounds(material: CaseKeyMaterial, tenant_id: uuid.UUID, case_id: uuid.UUID, grounds: Sequence[str]) -> bytes:
    """Sealed for every case, also without grounds: an empty column would say which cases have them."""
    return encrypt_text(
        material, msgspec.json.encode(list(grounds)).decode(), associated_data(tenant_id, case_id, case_id, "grounds")
    )


def open_grounds(material: CaseKeyMaterial, tenant_id: uuid.UUID, case_id: uuid.UUID, sealed: bytes) -> list[str]:
    return msgspec.json.decode(
        decrypt_text(material, sealed, associated_data(tenant_id, case_id, case_id, "grounds")), type=list[str]
    )


def stored_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes as the ``cases`` row keeps them: closed lists and flags, without the grounds."""
    return {name: value for name, value in attributes.items() if name != GROUNDS}


async def case_attributes(session: AsyncSession, keyring: Keyring, case: Case) -> dict[str, Any]:
    """The case's attributes with its grounds opened, for those who may read the case."""
    grounds: list[str] = []
    if case.sealed_grounds is not None:
        material = await keyring.case_key(session, case.tenant_id, case.id)
        grounds = open_grounds(material, case.tenant_id, case.id, case.sealed_grounds)
    return {**case.attributes, GROUNDS: grounds}
