"""One case's text encryption: every sealed field of a case (or a consultation) goes through a
``CaseCipher``, bound to the tenant, the case, the row and the field's purpose (DESIGN §9), so that no module
keeps its own private pair of seal/open helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.crypto import associated_data, decrypt_text, encrypt_text
from meldpunt.dossiers.keys import CaseKeyMaterial, Keyring

T = TypeVar("T")


@dataclass(frozen=True)
class CaseCipher:
    """Seals and opens the texts of one case with its key; a text sealed for one row, purpose or case
    does not open as another."""

    material: CaseKeyMaterial
    tenant_id: uuid.UUID
    case_id: uuid.UUID

    def _aad(self, row_id: uuid.UUID | None, purpose: str) -> bytes:
        return associated_data(self.tenant_id, self.case_id, row_id or self.case_id, purpose)

    def seal(self, text: str, purpose: str, row_id: uuid.UUID | None = None) -> bytes:
        """``row_id`` defaults to the case itself, for the fields of the case row."""
        return encrypt_text(self.material, text, self._aad(row_id, purpose))

    def open(self, sealed: bytes | None, purpose: str, row_id: uuid.UUID | None = None) -> str | None:
        if sealed is None:
            return None
        return decrypt_text(self.material, sealed, self._aad(row_id, purpose))

    def seal_value(self, value: Any, purpose: str, row_id: uuid.UUID | None = None) -> bytes:
        """A structured value (a list, a struct) as JSON, sealed like a text."""
        return self.seal(msgspec.json.encode(value).decode(), purpose, row_id)

    def open_value(self, sealed: bytes, kind: type[T], purpose: str, row_id: uuid.UUID | None = None) -> T:
        return msgspec.json.decode(decrypt_text(self.material, sealed, self._aad(row_id, purpose)), type=kind)


async def case_cipher(
    session: AsyncSession, keyring: Keyring, tenant_id: uuid.UUID, case_id: uuid.UUID, *, create: bool = False
) -> CaseCipher:
    """The cipher of a case (or consultation), its key unwrapped once per session (``Keyring.case_key``)."""
    return CaseCipher(await keyring.case_key(session, tenant_id, case_id, create=create), tenant_id, case_id)
