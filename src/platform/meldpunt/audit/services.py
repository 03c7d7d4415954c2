"""Writing and verifying the audit chains: one per tenant, one per adviser's vault (readable by her only).

Each entry carries the hash of the previous entry of its chain and the hash of its own canonical content
(``sha256(prev_hash || canonical_json)``), so that altering, deleting or reordering an entry breaks the
chain from that point; the application signs that hash with a key the database never holds, so a chain
recomputed or extended with SQL alone is found; and verify compares each chain with its newest signed
checkpoint in object storage, so a truncated tail is found (``audit.signing``). Appends per chain are
serialised by a transaction advisory lock.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.models import TENANT_CHAIN, AuditEntry, AuditHead
from meldpunt.audit.signing import Checkpoint, CheckpointForged, Signer, current_signer
from meldpunt.db.context import current_tenant_ids, tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.db.tenants import tenants_table
from meldpunt.settings import Settings

GENESIS = bytes(32)
# Details are ids, kinds, counts and flags; a value that looks like free text is refused.
MAX_DETAIL_LENGTH = 200


@dataclass(frozen=True)
class AuditActor:
    """Who acted: an account (``account:<uuid>``), the system (``system:<component>``) or ``anonymous``."""

    label: str

    @classmethod
    def account(cls, account_id: uuid.UUID) -> AuditActor:
        return cls(f"account:{account_id}")

    @classmethod
    def system(cls, component: str) -> AuditActor:
        return cls(f"system:{component}")


ANONYMOUS = AuditActor("anonymous")


class AuditDetailRefused(ValueError):
    """A detail value is not an id, a kind, a number or a flag."""


def canonical_content(
    tenant_id: uuid.UUID,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    resource_type: str,
    resource_id: str | None,
    details: Mapping[str, Any],
    vault_owner_id: uuid.UUID = TENANT_CHAIN,
) -> bytes:
    """The bytes an entry's hash covers: every field but the hashes and the signature, as sorted, compact
    JSON (the vault owner only on a vault chain, so that entries from before vault chains keep their hash)."""
    content: dict[str, Any] = {
        "tenant_id": str(tenant_id),
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "details": details,
    }
    if vault_owner_id != TENANT_CHAIN:
        content["vault_owner_id"] = str(vault_owner_id)
    return msgspec.json.encode(content, order="sorted")


def chain_hash(prev_hash: bytes, content: bytes) -> bytes:
    return hashlib.sha256(prev_hash + content).digest()


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    checked = msgspec.to_builtins(dict(details))
    for key, value in checked.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_LENGTH:
            raise AuditDetailRefused(f"audit detail {key!r} is too long to be an id or a kind")
        if isinstance(value, dict):
            raise AuditDetailRefused(f"audit detail {key!r} must be flat")
    assert isinstance(checked, dict)
    return checked


async def record(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: AuditActor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None = None,
    *,
    vault_owner: uuid.UUID | None = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry to ``tenant_id``'s chain in the caller's transaction, signed by this process.

    With ``vault_owner`` (an adviser's account, her vault open in the session) it goes to that adviser's
    vault chain instead: the tenant's DPO never sees it, only counts (DESIGN §6)."""
    if tenant_id not in current_tenant_ids(session):
        raise PermissionError(f"audit entry for tenant {tenant_id} outside the session's tenant context")
    checked = _check_details(details)
    signer = current_signer()
    chain = vault_owner or TENANT_CHAIN
    lock = hashlib.sha256(b"audit:" + tenant_id.bytes + chain.bytes).digest()[:8]
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(lock, "big", signed=True)})
    # The head, not the newest visible entry: entries from before vault chains may be hidden (migration 0014).
    last = (
        await session.execute(
            select(AuditHead.seq, AuditHead.entry_hash).where(
                AuditHead.tenant_id == tenant_id, AuditHead.vault_owner_id == chain
            )
        )
    ).first()
    seq, prev_hash = (last.seq + 1, last.entry_hash) if last else (1, GENESIS)
    occurred_at = (await session.execute(select(func.clock_timestamp()))).scalar_one()
    rid = str(resource_id) if resource_id is not None else None
    content = canonical_content(tenant_id, seq, occurred_at, actor.label, action, resource_type, rid, checked, chain)
    entry_hash = chain_hash(prev_hash, content)
    signing_key, signature = await signer.sign_entry(entry_hash)
    entry = AuditEntry(
        tenant_id=tenant_id,
        vault_owner_id=chain,
        seq=seq,
        occurred_at=occurred_at,
        actor=actor.label,
        action=action,
        resource_type=resource_type,
        resource_id=rid,
        details=checked,
        prev_hash=prev_hash,
        entry_hash=entry_hash,
        signing_key=signing_key,
        signature=signature,
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: uuid.UUID
    seq: int
    reason: str
    vault_owner_id: uuid.UUID = TENANT_CHAIN

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}{_chain_label(self.vault_owner_id)}: entry {self.seq}: {self.reason}"


def _chain_label(vault_owner_id: uuid.UUID) -> str:
    return "" if vault_owner_id == TENANT_CHAIN else f" (vault chain of account {vault_owner_id})"


@dataclass(frozen=True)
class ChainReport:
    """One chain's verification: how many entries are intact, the first break, and the head seen."""

    vault_owner_id: uuid.UUID
    intact: int
    problem: ChainBreak | None
    head_hash: bytes

    @property
    def label(self) -> str:
        return _chain_label(self.vault_owner_id)


async def _entries(session: AsyncSession, tenant_id: uuid.UUID, chain: uuid.UUID) -> AsyncIterator[AuditEntry]:
    result = await session.stream_scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id, AuditEntry.vault_owner_id == chain)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=1000)
    )
    async for entry in result:
        yield entry


def _content(entry: AuditEntry) -> bytes:
    return canonical_content(
        entry.tenant_id,
        entry.seq,
        entry.occurred_at,
        entry.actor,
        entry.action,
        entry.resource_type,
        entry.resource_id,
        entry.details,
        entry.vault_owner_id,
    )


async def _entry_problem(
    signer: Signer, entry: AuditEntry, prev_hash: bytes, signed_before: bool, checkpoint: Checkpoint | None
) -> str | None:
    """Why this entry (the next expected one) is not what the application wrote, or None."""
    if entry.prev_hash != prev_hash:
        return "does not follow the previous entry (reordered or an entry before it was removed or altered)"
    if chain_hash(prev_hash, _content(entry)) != entry.entry_hash:
        return "altered (its content does not match its hash)"
    if entry.signature is None or entry.signing_key is None:
        # Only entries from before signing began (migration 0014) may lack a signature, and only as a prefix.
        return "not signed by the application (written with SQL alone)" if signed_before else None
    if not await signer.entry_signed(entry.entry_hash, entry.signing_key, entry.signature):
        return "not signed by the application (forged, inserted or recomputed with SQL)"
    if checkpoint is not None and entry.seq == checkpoint.seq and entry.entry_hash.hex() != checkpoint.entry_hash:
        return f"altered (it differs from the checkpoint signed at {checkpoint.signed_at:%Y-%m-%d %H:%M:%S} UTC)"
    return None


async def verify_chain(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    vault_owner_id: uuid.UUID = TENANT_CHAIN,
    *,
    signer: Signer | None = None,
) -> tuple[int, ChainBreak | None]:
    """Walk one chain; return how many entries are intact and the first break, if any."""
    report = await _verify_chain(session, signer or current_signer(), tenant_id, vault_owner_id)
    return report.intact, report.problem


async def _verify_chain(session: AsyncSession, signer: Signer, tenant_id: uuid.UUID, chain: uuid.UUID) -> ChainReport:
    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(chain, intact, ChainBreak(tenant_id, seq, reason, chain), prev_hash)

    expected_seq, prev_hash, intact, signed_before = 1, GENESIS, 0, False
    try:
        checkpoint = await signer.latest_checkpoint(tenant_id, chain)
    except CheckpointForged as error:
        return broken(1, str(error))
    async for entry in _entries(session, tenant_id, chain):
        if entry.seq != expected_seq:
            return broken(expected_seq, f"missing (next present entry is {entry.seq})")
        problem = await _entry_problem(signer, entry, prev_hash, signed_before, checkpoint)
        if problem is not None:
            return broken(entry.seq, problem)
        signed_before = signed_before or entry.signature is not None
        prev_hash, expected_seq, intact = entry.entry_hash, expected_seq + 1, intact + 1
    head = (
        await session.execute(
            select(AuditHead).where(AuditHead.tenant_id == tenant_id, AuditHead.vault_owner_id == chain)
        )
    ).scalar()
    if head is not None and head.seq != intact:
        return broken(intact + 1, f"missing (the chain's head is entry {head.seq})")
    if head is not None and head.entry_hash != prev_hash:
        return broken(intact, "altered (it does not match the chain's head)")
    if checkpoint is not None and checkpoint.seq > intact:
        return broken(
            intact + 1,
            f"missing (the checkpoint signed at {checkpoint.signed_at:%Y-%m-%d %H:%M:%S} UTC "
            f"says the chain reached entry {checkpoint.seq}: its tail was removed)",
        )
    return ChainReport(chain, intact, None, prev_hash)


async def _chains(session: AsyncSession, tenant_id: uuid.UUID, anchored: Checkpoint | None) -> list[uuid.UUID]:
    """The tenant's chain and every vault chain that has an entry or a head (the owner role sees all), or
    that the tenant chain's latest checkpoint names (a vault chain deleted whole is then still checked)."""
    owners = set(
        (
            await session.execute(select(AuditEntry.vault_owner_id).where(AuditEntry.tenant_id == tenant_id).distinct())
        ).scalars()
    )
    owners |= set(
        (await session.execute(select(AuditHead.vault_owner_id).where(AuditHead.tenant_id == tenant_id))).scalars()
    )
    owners |= set(anchored.vault_chains if anchored is not None else [])
    return [TENANT_CHAIN, *sorted(owners - {TENANT_CHAIN})]


async def _verify_and_anchor(session: AsyncSession, signer: Signer, tenant_id: uuid.UUID) -> list[ChainReport]:
    """Verify every chain of the tenant; anchor each intact one with a new checkpoint of its head (the
    tenant chain's also names the vault chains, and is renewed when a new one appears)."""
    try:
        anchored = await signer.latest_checkpoint(tenant_id, TENANT_CHAIN)
    except CheckpointForged:
        anchored = None  # reported by the tenant chain's own verification
    chains = await _chains(session, tenant_id, anchored)
    vaults = chains[1:]
    reports = [await _verify_chain(session, signer, tenant_id, chain) for chain in chains]
    for report in reports[1:]:
        if report.problem is None and report.intact > 0:
            latest = await signer.latest_checkpoint(tenant_id, report.vault_owner_id)
            if latest is None or latest.seq < report.intact:
                await signer.write_checkpoint(tenant_id, report.vault_owner_id, report.intact, report.head_hash)
    tenant_chain = reports[0]
    stale = anchored is None or anchored.seq < tenant_chain.intact or set(anchored.vault_chains) != set(vaults)
    if tenant_chain.problem is None and tenant_chain.intact > 0 and stale:
        await signer.write_checkpoint(tenant_id, TENANT_CHAIN, tenant_chain.intact, tenant_chain.head_hash, vaults)
    return reports


async def verify_tenants(settings: Settings, slug: str | None = None) -> list[tuple[str, list[ChainReport]]]:
    """Verify every tenant's chains (or one tenant's) and checkpoint their heads: (slug, a report per chain).

    Connects as the owner role (``migration_database_url``): only it sees every adviser's vault chain; signs
    with the process's signer (``dossiers.signing.install_signer``, called by every entry point)."""
    signer = current_signer()
    engine = create_engine(settings, url=settings.migration_database_url, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            query = select(tenants_table.c.id, tenants_table.c.slug).order_by(tenants_table.c.slug)
            if slug is not None:
                query = query.where(tenants_table.c.slug == slug)
            tenants = (await session.execute(query)).all()
            if slug is not None and not tenants:
                raise LookupError(f"no tenant '{slug}'")
            results = []
            for tenant_id, tenant_slug in tenants:
                await tenant_context(session, [tenant_id])
                results.append((tenant_slug, await _verify_and_anchor(session, signer, tenant_id)))
                await session.rollback()
            return results
    finally:
        await engine.dispose()


async def list_entries(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """A page of the tenant's own chain, newest first (``before``: only entries older than that sequence
    number). Never a vault entry: those are the adviser's (``list_vault_entries``)."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id, AuditEntry.vault_owner_id == TENANT_CHAIN)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list((await session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit))).scalars())


async def list_vault_entries(
    session: AsyncSession, tenant_id: uuid.UUID, adviser_account_id: uuid.UUID, *, limit: int = 100
) -> list[AuditEntry]:
    """The adviser's own vault chain, newest first; empty unless her vault is open in the session (RLS)."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id, AuditEntry.vault_owner_id == adviser_account_id)
    return list((await session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit))).scalars())


@dataclass(frozen=True)
class VaultEntryCount:
    year: int
    entries: int


async def vault_entry_counts(session: AsyncSession, tenant_id: uuid.UUID) -> list[VaultEntryCount]:
    """How many vault entries the tenant's advisers wrote, per year: no ids, no advisers, no days (DESIGN §6)."""
    if tenant_id not in current_tenant_ids(session):
        raise PermissionError(f"vault counts for tenant {tenant_id} outside the session's tenant context")
    rows = await session.execute(text("SELECT year, entries FROM meldpunt_vault_audit_counts(:t)"), {"t": tenant_id})
    return [VaultEntryCount(row.year, row.entries) for row in rows]
