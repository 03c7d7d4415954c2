"""What the audit log asks of its signer, and the one installed in this process.

Every entry and every checkpoint is signed with an Ed25519 key the database never sees. A checkpoint is a
signed (chain, sequence number, hash) kept outside the database, under
``audit/<tenant>/[vault/<adviser>/]checkpoints/``: verify finds a truncated tail or a recomputed chain by
comparing the chain with it. The signer itself (key, root key, object store) is built a floor up, by
``meldpunt.dossiers.signing.install_signer``, which every process entry point calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from meldpunt.audit.models import TENANT_CHAIN

_CHECKPOINT = b"meldpunt:audit-checkpoint:v1:"


class SignerNotInstalled(RuntimeError):
    """No audit signer in this process: entries cannot be written (fail closed, never unsigned)."""


class CheckpointForged(ValueError):
    """A checkpoint whose signature does not verify."""


def chain_prefix(tenant_id: UUID, vault_owner_id: UUID) -> str:
    vault = "" if vault_owner_id == TENANT_CHAIN else f"vault/{vault_owner_id}/"
    return f"audit/{tenant_id}/{vault}checkpoints/"


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A chain's head as the application saw it, signed: what the database must still agree with."""

    tenant_id: UUID
    vault_owner_id: UUID
    seq: int
    entry_hash: str  # hex
    signed_at: datetime
    # On the tenant's chain only: every vault chain the tenant had, so that one deleted whole is missed.
    vault_chains: list[UUID] = msgspec.field(default_factory=list)
    signing_key: str = ""
    signature: str = ""  # base64

    def message(self) -> bytes:
        fields = msgspec.structs.replace(self, signing_key="", signature="")
        return _CHECKPOINT + msgspec.json.encode(fields, order="sorted")


class Signer(Protocol):
    """Signs entries and checkpoints and verifies them; it never refuses an audited action for an outage."""

    async def sign_entry(self, entry_hash: bytes) -> tuple[str, bytes]: ...

    async def entry_signed(self, entry_hash: bytes, key_id: str, signature: bytes) -> bool: ...

    async def write_checkpoint(
        self, tenant_id: UUID, vault_owner_id: UUID, seq: int, entry_hash: bytes, vault_chains: list[UUID] | None = None
    ) -> Checkpoint: ...

    async def latest_checkpoint(self, tenant_id: UUID, vault_owner_id: UUID) -> Checkpoint | None: ...


_installed: Signer | None = None


def use_signer(signer: Signer) -> None:
    """Install the process's signer (``dossiers.signing.install_signer`` builds it from the settings)."""
    global _installed
    _installed = signer


def installed_signer() -> Signer | None:
    return _installed


def current_signer() -> Signer:
    if _installed is None:
        raise SignerNotInstalled("no audit signer installed in this process (meldpunt.dossiers.signing)")
    return _installed
