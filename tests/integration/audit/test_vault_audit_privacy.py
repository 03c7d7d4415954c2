"""The adviser's vault in the audit log (DESIGN §6): its entries are readable by that adviser only; the
tenant's DPO sees counts, never a consultation id, the adviser, a time or a recipient — not on the page,
not through the API, not with raw SQL as the application role — and the chains still verify."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit import services as audit
from meldpunt.audit.models import TENANT_CHAIN
from meldpunt.audit.services import AuditActor, canonical_content, chain_hash
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.audit.test_audit_chain import run_verify
from tests.integration.intake.test_pages import HTML
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.vault.test_vault import account_of, open_with_contact

TODAY = date.today().isoformat()
SIGNAL = {
    "category": "bullying",
    "setting": "workplace",
    "accused_role": "manager",
    "attributes": {},
    "suggestions": [],
}


async def adviser_at_work(client: Any, tenant: TenantRef) -> tuple[str, str]:
    """An adviser opens a consultation, notes a contact, records consent, discloses and sends a signal."""
    consultation = await open_with_contact(client, tenant.slug)
    base = f"/api/v1/t/{tenant.slug}/vault/consultations/{consultation}"
    consent = {"basis": "consent", "recipient": "police", "scopes": ["summary"], "given_on": TODAY}
    assert (await client.post(f"{base}/consents", json=consent)).status_code == 201
    disclosure = {"recipient": "police", "scope": "summary", "content": "Samenvatting."}
    assert (await client.post(f"{base}/disclosures", json=disclosure)).status_code == 201
    assert (await client.get(base)).status_code == 200  # the read is audited too
    signal = await client.post(f"/api/v1/t/{tenant.slug}/vault/signals", json=SIGNAL)
    assert signal.status_code == 201
    return consultation, str(signal.json()["id"])


async def audit_rows(engine: AsyncEngine, tenant: TenantRef, vault_owner: str | None) -> list[Any]:
    """Raw SQL as meldpunt_app in the tenant's context, with ``vault_owner``'s vault open (or none)."""
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        if vault_owner:
            await connection.execute(text(f"SET LOCAL meldpunt.vault_owner = '{uuid.UUID(vault_owner)}'"))
        entries = (await connection.execute(text("SELECT * FROM audit_entries ORDER BY vault_owner_id, seq"))).all()
        heads = (await connection.execute(text("SELECT * FROM audit_heads"))).all()
    return [*entries, *heads]


async def test_the_dpo_sees_counts_and_the_adviser_her_own_vault_entries(
    client: Any,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    adviser = await account_of(client)
    consultation, signal = await adviser_at_work(client, tenant)

    own = await audit_rows(app_engine, tenant, adviser)
    vault_entries = [row for row in own if hasattr(row, "action") and str(row.vault_owner_id) == adviser]
    assert {row.action for row in vault_entries} >= {
        "vault.consultation_opened",
        "vault.contact",
        "vault.consent",
        "vault.disclosure",
        "vault.read",
        "vault.signal",
    }
    assert [row.seq for row in vault_entries] == list(range(1, len(vault_entries) + 1))
    mine = await client.get(f"/api/v1/t/{tenant.slug}/audit/vault", params={"limit": 500})
    assert mine.status_code == 200
    assert [entry["seq"] for entry in mine.json()] == [row.seq for row in reversed(vault_entries)]
    assert consultation in mine.text and signal in mine.text
    assert (await client.get(f"/api/v1/t/{tenant.slug}/audit")).status_code == 403  # not the tenant's log

    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.DPO))
    dpo = await account_of(client)
    page = await client.get(f"/app/t/{tenant.slug}/audit", headers=HTML)
    api = await client.get(f"/api/v1/t/{tenant.slug}/audit", params={"limit": 500})
    assert page.status_code == 200 and api.status_code == 200
    for response in (page, api):
        # That she is an adviser is on record (her grant); what she did in her vault, and when, is not.
        for marker in (consultation, signal, "vault.", "police", "consultation", "adviser_signal"):
            assert marker not in response.text, marker
    seqs = [entry["seq"] for entry in api.json()]
    assert sorted(seqs) == list(range(1, len(seqs) + 1))  # no gap betrays when a vault entry was written
    assert (await client.get(f"/api/v1/t/{tenant.slug}/audit/vault")).status_code == 403
    counts = await client.get(f"/api/v1/t/{tenant.slug}/audit/vault-counts")
    assert counts.status_code == 200
    assert counts.json() == [{"year": date.today().year, "entries": len(vault_entries)}]
    assert f"<td>{date.today().year}</td><td>{len(vault_entries)}</td>" in page.text

    # Raw SQL as the application role in the DPO's context (and in another adviser's vault): nothing.
    for vault_owner in (None, dpo):
        seen = await audit_rows(app_engine, tenant, vault_owner)
        assert all(row.vault_owner_id == TENANT_CHAIN for row in seen)
        assert not any(consultation in str(row) or signal in str(row) or "vault." in str(row) for row in seen)

    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 0, output
    assert f"ok      {tenant.slug} (vault chain of account {adviser}): {len(vault_entries)} entries" in output


async def test_a_changed_vault_entry_is_found_and_its_chain_named(
    client: Any,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    adviser = await account_of(client)
    await adviser_at_work(client, tenant)
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text(f"SET LOCAL meldpunt.vault_owner = '{adviser}'"))
        await connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        await connection.execute(
            text(
                'UPDATE audit_entries SET details = \'{"recipient": "employer"}\' WHERE vault_owner_id = :a AND seq = 4'
            ),
            {"a": uuid.UUID(adviser)},
        )
        await connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 1, output
    assert f"BROKEN  {tenant.slug} (vault chain of account {adviser}): entry 4 altered" in output
    assert f"ok      {tenant.slug}: " in output


async def test_a_vault_chain_deleted_whole_is_found(
    client: Any,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its entries and its head gone: the tenant chain's checkpoint still names it, its own the last entry."""
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    adviser = await account_of(client)
    await adviser_at_work(client, tenant)
    assert (await run_verify(settings, monkeypatch, tenant.slug))[0] == 0
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        for table in ("audit_entries", "audit_heads"):
            await connection.execute(text(f"DELETE FROM {table} WHERE vault_owner_id = :a"), {"a": uuid.UUID(adviser)})
        await connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 1, output
    assert f"BROKEN  {tenant.slug} (vault chain of account {adviser}): entry 1 missing" in output


async def test_a_vault_entry_from_before_vault_chains_is_hidden_and_the_chain_goes_on(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    make_tenant: MakeTenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Written into the tenant's chain, unsigned, before migration 0014: the DPO no longer sees it, the
    application appends after it, and verify accepts the unsigned prefix."""
    tenant = await make_tenant()
    prev, legacy = bytes(32), []
    for seq, action in ((1, "grant.create"), (2, "vault.contact")):
        occurred_at = datetime.now(UTC)
        content = canonical_content(tenant.id, seq, occurred_at, "account:x", action, "consultation", None, {})
        entry_hash = chain_hash(prev, content)
        legacy.append({"seq": seq, "at": occurred_at, "action": action, "prev": prev, "hash": entry_hash})
        prev = entry_hash
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        for row in legacy:
            await connection.execute(
                text(
                    "INSERT INTO audit_entries (tenant_id, seq, occurred_at, actor, action, resource_type, details, "
                    "prev_hash, entry_hash) VALUES (:t, :seq, :at, 'account:x', :action, 'consultation', '{}', "
                    ":prev, :hash)"
                ),
                {"t": tenant.id, **row},
            )
        await connection.execute(
            text("INSERT INTO audit_heads (tenant_id, seq, entry_hash) VALUES (:t, 2, :h)"), {"t": tenant.id, "h": prev}
        )
        await connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await audit.record(session, tenant.id, AuditActor.system("test"), "grant.create", "grant")
        await session.commit()
        assert [entry.seq for entry in await audit.list_entries(session, tenant.id)] == [3, 1]
    code, output = await run_verify(settings, monkeypatch, tenant.slug)
    assert code == 0, output
    assert f"ok      {tenant.slug}: 3 entries" in output


async def test_an_adviser_and_a_dpo_of_member_a_read_nothing_of_member_b(
    client: Any, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, b, b, role=Role.ADVISER))
    await adviser_at_work(client, b)
    for role in (Role.ADVISER, Role.DPO):
        await as_professional(client, await reporting_point(app_engine, settings, a, a, role=role))
        for address in (f"/api/v1/t/{b.slug}/audit/vault", f"/api/v1/t/{b.slug}/audit/vault-counts"):
            refused = await client.get(address)
            assert refused.status_code in (403, 404), (role, address)
            assert "vault." not in refused.text and '"entries"' not in refused.text
