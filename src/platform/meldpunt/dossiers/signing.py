"""The audit log's signer: its Ed25519 key, wrapped by the root key and kept in object storage, and the
anchors (checkpoints) it writes there. The key never reaches PostgreSQL.

A new root key brings a new signing key; old public keys remain published under their fingerprint, so what
was signed stays verifiable. ``audit`` defines what a signer does (``audit.signing.Signer``) and holds the
installed one; this module, above it, builds it from the root key provider and the object store.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from meldpunt.audit.signing import Checkpoint, CheckpointForged, chain_prefix, installed_signer, use_signer
from meldpunt.dossiers.keys import KeyringError, KeyUnavailable, RootKey, create_root_key
from meldpunt.dossiers.storage import ObjectNotFound, ObjectStore, StorageError, create_object_store
from meldpunt.settings import Settings

_SEED_CONTEXT = {"purpose": "audit-signing-key"}
_ENTRY = b"meldpunt:audit-entry:v1:"
# How long a process trusts its idea of the current root key before asking the provider again.
_ROOT_RECHECK_SECONDS = 30.0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:32]


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _read(store: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.get(key)])


@dataclass
class _Current:
    root_key_id: str | None  # None: a stand-in made while object storage or the root key provider was down
    key: Ed25519PrivateKey
    key_id: str
    checked_at: float
    published: bool


# A failing object store or root key provider: never a reason to refuse an audited action (DESIGN §13).
_UNAVAILABLE = (StorageError, KeyringError, BotoCoreError, ClientError, OSError)


class AuditSigner:
    """Signs entries and checkpoints; verifies them against the published public keys. The root key and
    the store are made on first use, so a process that writes no entry never touches either."""

    def __init__(
        self, make_root: Callable[[], RootKey], make_store: Callable[[], ObjectStore], built_for: tuple[str, ...] = ()
    ) -> None:
        self._make_root, self._make_store = make_root, make_store
        self.built_for = built_for  # the settings it was made from (install_signer reuses it for the same)
        self._root: RootKey | None = None
        self._store: ObjectStore | None = None
        self._current: _Current | None = None
        self._public: dict[str, Ed25519PublicKey] = {}

    @property
    def root(self) -> RootKey:
        if self._root is None:
            self._root = self._make_root()
        return self._root

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            self._store = self._make_store()
        return self._store

    async def _signing_key(self) -> _Current:
        now = time.monotonic()
        current = self._current
        if current is not None and now - current.checked_at < _ROOT_RECHECK_SECONDS:
            return current
        try:
            self._current = await self._refreshed(current, now)
        except _UNAVAILABLE:
            # Keep signing with the key in memory; the first time, with a stand-in kept only in memory,
            # whose public half is published as soon as the store answers again (tried every recheck).
            if current is None:
                key = Ed25519PrivateKey.generate()
                current = _Current(None, key, fingerprint(key.public_key()), now, published=False)
            current.checked_at = now
            self._current = current
        return self._current

    async def _refreshed(self, current: _Current | None, now: float) -> _Current:
        if current is not None and not current.published:
            await self._publish(current.key)
            current.published = True
        root_key_id = self.root.current_id()
        if current is not None and current.root_key_id == root_key_id:
            current.checked_at = now
            return current
        key = await self._load_or_create(root_key_id)
        await self._publish(key)
        return _Current(root_key_id, key, fingerprint(key.public_key()), now, published=True)

    async def _publish(self, key: Ed25519PrivateKey) -> None:
        location = f"audit/keys/{fingerprint(key.public_key())}"
        if not await self.store.exists(location):
            await self.store.put(location, _one(key.public_key().public_bytes_raw()))

    async def _load_or_create(self, root_key_id: str) -> Ed25519PrivateKey:
        """The signing key wrapped under this root key; a new one when there is none (or it cannot unwrap).

        Two processes creating one at once each keep their own: both public keys are published, so
        whichever wrapped key is kept, everything either signed verifies."""
        location = f"audit/signing/{_digest(root_key_id)}"
        try:
            stored = msgspec.json.decode(await _read(self.store, location))
            seed = self.root.unwrap(stored["root_key_id"], base64.b64decode(stored["wrapped"]), _SEED_CONTEXT)
            return Ed25519PrivateKey.from_private_bytes(seed)
        except (ObjectNotFound, KeyUnavailable, KeyError, ValueError):
            pass
        seed = os.urandom(32)
        used_id, wrapped = self.root.wrap(seed, _SEED_CONTEXT)
        document = {"root_key_id": used_id, "wrapped": base64.b64encode(wrapped).decode()}
        await self.store.put(location, _one(msgspec.json.encode(document)))
        return Ed25519PrivateKey.from_private_bytes(seed)

    async def sign_entry(self, entry_hash: bytes) -> tuple[str, bytes]:
        current = await self._signing_key()
        return current.key_id, current.key.sign(_ENTRY + entry_hash)

    async def _public_key(self, key_id: str) -> Ed25519PublicKey | None:
        if key_id not in self._public:
            try:
                self._public[key_id] = Ed25519PublicKey.from_public_bytes(
                    await _read(self.store, f"audit/keys/{key_id}")
                )
            except (ObjectNotFound, ValueError):
                return None
        return self._public[key_id]

    async def _verifies(self, key_id: str, message: bytes, signature: bytes) -> bool:
        public = await self._public_key(key_id) if len(key_id) == 32 and key_id.isalnum() else None
        if public is None:
            return False
        try:
            public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    async def entry_signed(self, entry_hash: bytes, key_id: str, signature: bytes) -> bool:
        """Whether the application signed exactly this entry hash."""
        return await self._verifies(key_id, _ENTRY + entry_hash, signature)

    async def write_checkpoint(
        self,
        tenant_id: uuid.UUID,
        vault_owner_id: uuid.UUID,
        seq: int,
        entry_hash: bytes,
        vault_chains: list[uuid.UUID] | None = None,
    ) -> Checkpoint:
        current = await self._signing_key()
        if not current.published:  # never anchor with a key nobody could check
            await self._publish(current.key)
            current.published = True
        unsigned = Checkpoint(
            tenant_id=tenant_id,
            vault_owner_id=vault_owner_id,
            seq=seq,
            entry_hash=entry_hash.hex(),
            signed_at=datetime.now(UTC),
            vault_chains=sorted(vault_chains or []),
        )
        signature = base64.b64encode(current.key.sign(unsigned.message())).decode()
        checkpoint = msgspec.structs.replace(unsigned, signing_key=current.key_id, signature=signature)
        encoded = msgspec.json.encode(checkpoint)
        prefix = chain_prefix(tenant_id, vault_owner_id)
        await self.store.put(f"{prefix}{seq:020d}", _one(encoded))
        await self.store.put(f"{prefix}latest", _one(encoded))
        return checkpoint

    async def latest_checkpoint(self, tenant_id: uuid.UUID, vault_owner_id: uuid.UUID) -> Checkpoint | None:
        """The newest checkpoint of the chain, its signature checked; None before the first."""
        try:
            raw = await _read(self.store, f"{chain_prefix(tenant_id, vault_owner_id)}latest")
        except ObjectNotFound:
            return None
        try:
            checkpoint = msgspec.json.decode(raw, type=Checkpoint)
            signature = base64.b64decode(checkpoint.signature, validate=True)
        except (msgspec.DecodeError, ValueError):
            raise CheckpointForged("the latest checkpoint cannot be read (altered in object storage)") from None
        signed = await self._verifies(checkpoint.signing_key, checkpoint.message(), signature)
        if not signed or (checkpoint.tenant_id, checkpoint.vault_owner_id) != (tenant_id, vault_owner_id):
            raise CheckpointForged(f"the checkpoint of entry {checkpoint.seq} does not carry a valid signature")
        return checkpoint


def _where(settings: Settings) -> tuple[str, ...]:
    return (
        settings.root_key_provider,
        settings.root_key_file,
        settings.kms_key_id,
        settings.storage_backend,
        settings.storage_directory,
        settings.s3_bucket,
    )


def install_signer(settings: Settings) -> AuditSigner:
    """Make this process able to write audit entries (every process entry point calls it; idempotent)."""
    where = _where(settings)
    installed = installed_signer()
    if isinstance(installed, AuditSigner) and installed.built_for == where:
        return installed
    signer = AuditSigner(lambda: create_root_key(settings), lambda: create_object_store(settings), where)
    use_signer(signer)
    return signer
