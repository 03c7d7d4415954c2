"""The key hierarchy: a root key wraps one key-encryption key (KEK) per tenant and epoch; a KEK wraps one
data key per case. Plaintext keys exist only in memory, for one operation; PostgreSQL holds wrapped keys.

Root: a local key file (demo, tests) or AWS KMS through boto3 (production). Every wrapping is bound to its
context (tenant, epoch, case) as associated data or KMS encryption context, so a wrapped key moved to
another row does not unwrap. Primitives come from `cryptography` (AES-256-GCM) and Tink; none is made here.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import boto3
import msgspec
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, delete, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from meldpunt.db.base import Base
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.db.tenants import all_tenant_ids, tenants_table
from meldpunt.settings import Settings

NONCE = 12


class KeyringError(Exception):
    """A key cannot be used: missing, destroyed, or bound to another context."""


class KeyUnavailable(KeyringError):
    pass


def _aad(context: dict[str, str]) -> bytes:
    return msgspec.json.encode(context, order="sorted")


def seal(key: bytes, plaintext: bytes, context: dict[str, str]) -> bytes:
    """AES-256-GCM with a random nonce, bound to ``context``: nonce || ciphertext."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, _aad(context))


def open_sealed(key: bytes, sealed: bytes, context: dict[str, str]) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], _aad(context))
    except InvalidTag:
        raise KeyUnavailable("the key does not unwrap in this context (moved, altered or rotated away)") from None


class RootKey(Protocol):
    """Wraps and unwraps tenant KEKs; ``key_id`` names the root key material a wrapping used."""

    def current_id(self) -> str: ...

    def wrap(self, plaintext: bytes, context: dict[str, str]) -> tuple[str, bytes]: ...

    def unwrap(self, key_id: str, wrapped: bytes, context: dict[str, str]) -> bytes: ...

    def rotate(self) -> str:
        """Make new root key material current; return its id."""

    def forget(self, key_id: str) -> None:
        """Destroy old root key material once nothing is wrapped with it any more."""


class LocalRootKey:
    """Root keys in a local JSON file (mode 0600): ``{"current": id, "keys": {id: base64}}``. Demo and tests."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key_id = secrets.token_hex(8)
            self._save({"current": key_id, "keys": {key_id: base64.b64encode(os.urandom(32)).decode()}})

    def _load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.path.read_text())
        return loaded

    def _save(self, data: dict[str, Any]) -> None:
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(data, file)
        os.replace(temporary, self.path)

    def _key(self, key_id: str) -> bytes:
        encoded = self._load()["keys"].get(key_id)
        if encoded is None:
            raise KeyUnavailable(f"root key {key_id} no longer exists")
        return base64.b64decode(encoded)

    def current_id(self) -> str:
        current: str = self._load()["current"]
        return current

    def wrap(self, plaintext: bytes, context: dict[str, str]) -> tuple[str, bytes]:
        key_id = self.current_id()
        return key_id, seal(self._key(key_id), plaintext, context)

    def unwrap(self, key_id: str, wrapped: bytes, context: dict[str, str]) -> bytes:
        return open_sealed(self._key(key_id), wrapped, context)

    def rotate(self) -> str:
        data = self._load()
        key_id = secrets.token_hex(8)
        data["keys"][key_id] = base64.b64encode(os.urandom(32)).decode()
        data["current"] = key_id
        self._save(data)
        return key_id

    def forget(self, key_id: str) -> None:
        data = self._load()
        if key_id != data["current"]:
            data["keys"].pop(key_id, None)
            self._save(data)


class KmsRootKey:
    """AWS KMS: the KEK is encrypted under a KMS key with the context as KMS encryption context."""

    def __init__(self, client: Any, key_id: str) -> None:
        self.client = client
        self.key_id = key_id

    def current_id(self) -> str:
        return self.key_id

    def wrap(self, plaintext: bytes, context: dict[str, str]) -> tuple[str, bytes]:
        answer = self.client.encrypt(KeyId=self.key_id, Plaintext=plaintext, EncryptionContext=context)
        return self.key_id, answer["CiphertextBlob"]

    def unwrap(self, key_id: str, wrapped: bytes, context: dict[str, str]) -> bytes:
        try:
            plaintext: bytes = self.client.decrypt(KeyId=key_id, CiphertextBlob=wrapped, EncryptionContext=context)[
                "Plaintext"
            ]
        except (ClientError, BotoCoreError):
            raise KeyUnavailable("KMS refused to unwrap the key in this context") from None
        return plaintext

    def rotate(self) -> str:
        # KMS rotates key material behind the same key id; re-wrapping picks up the newest material.
        return self.key_id

    def forget(self, key_id: str) -> None:
        """Old material stays with KMS (scheduled deletion is an operator decision)."""


def create_root_key(settings: Settings) -> RootKey:
    if settings.root_key_provider == "kms":
        client = boto3.client("kms", endpoint_url=settings.kms_endpoint_url or None, region_name=settings.s3_region)
        return KmsRootKey(client, settings.kms_key_id)
    return LocalRootKey(Path(settings.root_key_file))


class TenantKey(Base):
    """A tenant's key-encryption key for one epoch, wrapped by the root key."""

    __tablename__ = "tenant_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    epoch: Mapped[int] = mapped_column(Integer, primary_key=True)
    root_key_id: Mapped[str] = mapped_column(String(128))
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseKey(Base):
    """A case's data key (a Tink streaming keyset and a text key), wrapped by its tenant's KEK of ``epoch``."""

    __tablename__ = "case_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class CaseKeyMaterial:
    """Plaintext key material of one case, for one operation."""

    streaming_keyset: bytes
    text_key: bytes

    def encode(self) -> bytes:
        return msgspec.msgpack.encode({"s": self.streaming_keyset, "t": self.text_key})

    @classmethod
    def decode(cls, data: bytes) -> CaseKeyMaterial:
        raw = msgspec.msgpack.decode(data)
        return cls(raw["s"], raw["t"])


def _new_case_material() -> CaseKeyMaterial:
    import tink
    from tink import secret_key_access, streaming_aead

    streaming_aead.register()
    handle = tink.new_keyset_handle(streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB)
    return CaseKeyMaterial(tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN), os.urandom(32))


def _kek_context(tenant_id: uuid.UUID, epoch: int) -> dict[str, str]:
    return {"meldpunt:tenant": str(tenant_id), "purpose": "kek", "epoch": str(epoch)}


def _case_context(tenant_id: uuid.UUID, case_id: uuid.UUID, epoch: int) -> dict[str, str]:
    return {"tenant": str(tenant_id), "case": str(case_id), "purpose": "dek", "epoch": str(epoch)}


def _unwrap_kek(root: RootKey, tenant_id: uuid.UUID, root_key_id: str, wrapped: bytes, epoch: int) -> bytes:
    return root.unwrap(root_key_id, wrapped, _kek_context(tenant_id, epoch))


def _seal_case_key(
    kek: bytes, material: CaseKeyMaterial, tenant_id: uuid.UUID, case_id: uuid.UUID, epoch: int
) -> bytes:
    return seal(kek, material.encode(), _case_context(tenant_id, case_id, epoch))


def _open_case_key(kek: bytes, wrapped: bytes, tenant_id: uuid.UUID, case_id: uuid.UUID, epoch: int) -> CaseKeyMaterial:
    return CaseKeyMaterial.decode(open_sealed(kek, wrapped, _case_context(tenant_id, case_id, epoch)))


def open_case_key(
    root: RootKey,
    tenant_id: uuid.UUID,
    case_id: uuid.UUID,
    tenant_key: tuple[str, bytes, int],
    wrapped_case_key: bytes,
) -> CaseKeyMaterial:
    """A case key unwrapped without a session (a data migration reads the rows itself): ``tenant_key`` is the
    ``tenant_keys`` row of the case key's epoch as (root_key_id, wrapped, epoch)."""
    root_key_id, wrapped_kek, epoch = tenant_key
    kek = _unwrap_kek(root, tenant_id, root_key_id, wrapped_kek, epoch)
    return _open_case_key(kek, wrapped_case_key, tenant_id, case_id, epoch)


def wrap_tenant_key(root: RootKey, tenant_id: uuid.UUID, epoch: int) -> tuple[str, bytes, int]:
    """A new tenant KEK of ``epoch`` wrapped by the root key, as a ``tenant_keys`` row (root_key_id, wrapped,
    epoch): for a data migration that must make keys without a session."""
    root_key_id, wrapped = root.wrap(os.urandom(32), _kek_context(tenant_id, epoch))
    return root_key_id, wrapped, epoch


def wrap_new_case_key(
    root: RootKey, tenant_id: uuid.UUID, case_id: uuid.UUID, tenant_key: tuple[str, bytes, int]
) -> tuple[CaseKeyMaterial, bytes]:
    """A new case key and its ``case_keys.wrapped``, under ``tenant_key`` (root_key_id, wrapped, epoch):
    for a data migration that must make keys without a session."""
    root_key_id, wrapped_kek, epoch = tenant_key
    kek = _unwrap_kek(root, tenant_id, root_key_id, wrapped_kek, epoch)
    material = _new_case_material()
    return material, _seal_case_key(kek, material, tenant_id, case_id, epoch)


_CACHE = "meldpunt.case_keys"


@event.listens_for(Session, "after_soft_rollback")
def _forget_case_keys(session: Session, previous_transaction: Any) -> None:
    # A key made in a transaction that rolled back does not exist: never hand out its material.
    session.info.pop(_CACHE, None)


class Keyring:
    """Creates, unwraps and rotates keys. Callers hold the session in the tenant's context (RLS)."""

    def __init__(self, root: RootKey) -> None:
        self.root = root

    async def _current_kek(self, session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, bytes]:
        row = (
            await session.execute(
                select(TenantKey).where(TenantKey.tenant_id == tenant_id).order_by(TenantKey.epoch.desc()).limit(1)
            )
        ).scalar()
        if row is None:
            return await self._new_kek(session, tenant_id, 1)
        return row.epoch, _unwrap_kek(self.root, tenant_id, row.root_key_id, row.wrapped, row.epoch)

    async def _kek(self, session: AsyncSession, tenant_id: uuid.UUID, epoch: int) -> bytes:
        row = (
            await session.execute(select(TenantKey).where(TenantKey.tenant_id == tenant_id, TenantKey.epoch == epoch))
        ).scalar()
        if row is None:
            raise KeyUnavailable(f"the tenant key of epoch {epoch} is gone")
        return _unwrap_kek(self.root, tenant_id, row.root_key_id, row.wrapped, epoch)

    async def _new_kek(self, session: AsyncSession, tenant_id: uuid.UUID, epoch: int) -> tuple[int, bytes]:
        kek = os.urandom(32)
        root_key_id, wrapped = self.root.wrap(kek, _kek_context(tenant_id, epoch))
        session.add(TenantKey(tenant_id=tenant_id, epoch=epoch, root_key_id=root_key_id, wrapped=wrapped))
        await session.flush()
        return epoch, kek

    async def case_key(
        self, session: AsyncSession, tenant_id: uuid.UUID, case_id: uuid.UUID, *, create: bool = False
    ) -> CaseKeyMaterial:
        """The case's key material; created (wrapped under the current epoch) when asked and missing.

        Unwrapped once per session and kept for it (a request reads a case's narrative, messages, identity
        and files with one unwrap); a rollback or the key's destruction forgets it."""
        cache: dict[tuple[uuid.UUID, uuid.UUID], CaseKeyMaterial] = session.info.setdefault(_CACHE, {})
        if (tenant_id, case_id) in cache:
            return cache[(tenant_id, case_id)]
        material = await self._case_key(session, tenant_id, case_id, create=create)
        cache[(tenant_id, case_id)] = material
        return material

    async def _case_key(
        self, session: AsyncSession, tenant_id: uuid.UUID, case_id: uuid.UUID, *, create: bool
    ) -> CaseKeyMaterial:
        row = (
            await session.execute(select(CaseKey).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id == case_id))
        ).scalar()
        if row is None:
            if not create:
                raise KeyUnavailable("this case has no key (never made, or destroyed)")
            epoch, kek = await self._current_kek(session, tenant_id)
            material = _new_case_material()
            session.add(
                CaseKey(
                    tenant_id=tenant_id,
                    case_id=case_id,
                    epoch=epoch,
                    wrapped=_seal_case_key(kek, material, tenant_id, case_id, epoch),
                )
            )
            await session.flush()
            return material
        kek = await self._kek(session, tenant_id, row.epoch)
        return _open_case_key(kek, row.wrapped, tenant_id, case_id, row.epoch)

    async def rotate_tenant(self, session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, int]:
        """A new KEK epoch; every case key re-wrapped under it; older epochs destroyed. Files are untouched.

        Returns (new epoch, case keys re-wrapped).
        """
        old_epoch, _ = await self._current_kek(session, tenant_id)
        new_epoch, new_kek = await self._new_kek(session, tenant_id, old_epoch + 1)
        rows = (await session.execute(select(CaseKey).where(CaseKey.tenant_id == tenant_id))).scalars().all()
        keks: dict[int, bytes] = {}
        for row in rows:
            if row.epoch not in keks:
                keks[row.epoch] = await self._kek(session, tenant_id, row.epoch)
            material = open_sealed(keks[row.epoch], row.wrapped, _case_context(tenant_id, row.case_id, row.epoch))
            row.wrapped = seal(new_kek, material, _case_context(tenant_id, row.case_id, new_epoch))
            row.epoch = new_epoch
        await session.execute(delete(TenantKey).where(TenantKey.tenant_id == tenant_id, TenantKey.epoch < new_epoch))
        return new_epoch, len(rows)

    async def rotate_root(self, session: AsyncSession) -> tuple[str, int]:
        """New root key material; every tenant KEK (of the tenants in the session's context) re-wrapped."""
        new_root = self.root.rotate()
        rows = (await session.execute(select(TenantKey))).scalars().all()
        old_roots = set()
        for row in rows:
            context = _kek_context(row.tenant_id, row.epoch)
            kek = self.root.unwrap(row.root_key_id, row.wrapped, context)
            old_roots.add(row.root_key_id)
            row.root_key_id, row.wrapped = self.root.wrap(kek, context)
        await session.flush()
        for key_id in old_roots - {new_root}:
            self.root.forget(key_id)
        return new_root, len(rows)

    async def destroy_case_key(self, session: AsyncSession, tenant_id: uuid.UUID, case_id: uuid.UUID) -> bool:
        """Crypto-shredding: without this row no copy of the case's ciphertext can be read again."""
        session.info.get(_CACHE, {}).pop((tenant_id, case_id), None)
        result = await session.execute(
            delete(CaseKey).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id == case_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def rotate_keys(settings: Settings, *, root: bool, tenant_slug: str | None) -> list[str]:
    """`meldpunt keys rotate`: re-wrap without re-encrypting any file. One line per change."""
    keyring = Keyring(create_root_key(settings))
    engine = create_engine(settings, pooled=False)
    lines = []
    try:
        async with create_sessionmaker(engine)() as session:
            if tenant_slug is not None:
                tenant_id = (
                    await session.execute(select(tenants_table.c.id).where(tenants_table.c.slug == tenant_slug))
                ).scalar()
                if tenant_id is None:
                    raise LookupError(f"no tenant '{tenant_slug}'")
                await tenant_context(session, [tenant_id])
                epoch, count = await keyring.rotate_tenant(session, tenant_id)
                lines.append(f"tenant {tenant_slug}: key epoch {epoch}, {count} case keys re-wrapped")
            if root:
                await tenant_context(session, await all_tenant_ids(session))
                root_id, count = await keyring.rotate_root(session)
                lines.append(f"root key {root_id}: {count} tenant keys re-wrapped")
            await session.commit()
    finally:
        await engine.dispose()
    return lines
