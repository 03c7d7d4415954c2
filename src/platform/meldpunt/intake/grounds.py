"""Discrimination grounds of a case: special-category data (AVG art. 9: religion, sexual orientation,
health …), so sealed with the case key like the narrative. No row, log, audit entry or count holds one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.keys import CaseKeyMaterial, Keyring
from meldpunt.intake.models import Case

GROUNDS = "discrimination_grounds"  # the field of the form's attributes that is never stored as it is


def seal_grounds(material: CaseKeyMaterial, tenant_id: uuid.UUID, case_id: uuid.UUID, grounds: Sequence[str]) -> bytes:
    """Sealed for every case, also without grounds: an empty column would say which cases have them. For the
    rows that have no session at hand (migrations 0012, 0016) and the adviser's signals; a case's own go
    through its ``CaseCipher`` with the same purpose."""
    return CaseCipher(material, tenant_id, case_id).seal_value(list(grounds), "grounds")


def open_grounds(material: CaseKeyMaterial, tenant_id: uuid.UUID, case_id: uuid.UUID, sealed: bytes) -> list[str]:
    return CaseCipher(material, tenant_id, case_id).open_value(sealed, list[str], "grounds")


def stored_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes as the ``cases`` row keeps them: closed lists and flags, without the grounds."""
    return {name: value for name, value in attributes.items() if name != GROUNDS}


async def case_attributes(session: AsyncSession, keyring: Keyring, case: Case) -> dict[str, Any]:
    """The case's attributes with its grounds opened, for those who may read the case."""
    grounds: list[str] = []
    if case.sealed_grounds is not None:
        cipher = await case_cipher(session, keyring, case.tenant_id, case.id)
        grounds = cipher.open_value(case.sealed_grounds, list[str], "grounds")
    return {**case.attributes, GROUNDS: grounds}
