"""The adviser's vault: only its adviser sees it (API, pages and raw SQL as the application role), nothing
leaves it without a consent entry, a shared adviser works across employers one at a time, signals are
anonymous, and a prepared report becomes a report only when the reporter sends it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_pages import HTML
from tests.integration.intake.test_reporting_point import as_professional, reporting_point

NOTE = "marker-vault-note-3f1c: zij vertelde over haar leidinggevende"
TODAY = date.today().isoformat()


async def account_of(client: Any) -> str:
    return str((await client.get("/api/v1/me")).json()["account_id"])


async def open_with_contact(client: Any, slug: str) -> str:
    created = await client.post(
        f"/api/v1/t/{slug}/vault/consultations",
        json={"label": "Medewerker keuken, januari", "category": "sexual_harassment", "reporter_role": "employee"},
    )
    assert created.status_code == 201, created.text
    consultation = created.json()["id"]
    contact = await client.post(
        f"/api/v1/t/{slug}/vault/consultations/{consultation}/contacts",
        json={"held_on": TODAY, "channel": "phone", "minutes": 45, "note": NOTE},
    )
    assert contact.status_code == 201, contact.text
    return str(consultation)


async def rows_as_app(engine: AsyncEngine, tenant: TenantRef, owner: str | None) -> dict[str, int]:
    """What raw SQL as meldpunt_app sees in the tenant's context, with ``owner`` as vault owner (or none)."""
    counts = {}
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        if owner:
            await connection.execute(text(f"SET LOCAL meldpunt.vault_owner = '{uuid.UUID(owner)}'"))
        for table in ("consultations", "consultation_contacts", "consent_records", "disclosures"):
            counts[table] = (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return counts


async def test_only_the_adviser_sees_the_vault_by_api_and_by_raw_sql(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    adviser = await account_of(client)
    consultation = await open_with_contact(client, tenant.slug)
    detail = (await client.get(f"/api/v1/t/{tenant.slug}/vault/consultations/{consultation}")).json()
    assert detail["contacts"][0]["note"] == NOTE and detail["consultation"]["label"] == "Medewerker keuken, januari"
    assert await rows_as_app(app_engine, tenant, adviser) == {
        "consultations": 1,
        "consultation_contacts": 1,
        "consent_records": 0,
        "disclosures": 0,
    }
    # At rest the note and the label are ciphertext.
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        await connection.execute(text(f"SET LOCAL meldpunt.vault_owner = '{adviser}'"))
        sealed = (await connection.execute(text("SELECT sealed_note FROM consultation_contacts"))).scalar_one()
        label = (await connection.execute(text("SELECT sealed_label FROM consultations"))).scalar_one()
    assert b"marker-vault-note" not in sealed and b"keuken" not in label

    outsiders = {
        "tenant admin": (tenant, Role.TENANT_ADMIN),
        "decision maker": (tenant, Role.DECISION_MAKER),
        "reporting point": (tenant, Role.REPORTING_POINT),
        "another adviser": (tenant, Role.ADVISER),
        "adviser of another tenant": (other, Role.ADVISER),
    }
    for who, (where, role) in outsiders.items():
        await as_professional(client, await reporting_point(app_engine, settings, where, where, role=role))
        account = await account_of(client)
        for path in (
            f"/api/v1/t/{tenant.slug}/vault/consultations",
            f"/api/v1/t/{tenant.slug}/vault/consultations/{consultation}",
            f"/app/t/{tenant.slug}/vertrouwenspersoon",
            f"/app/t/{tenant.slug}/vertrouwenspersoon/{consultation}",
        ):
            response = await client.get(path, headers=HTML if path.startswith("/app") else None)
            # Another adviser of the same organisation has a vault here too: their own, empty one.
            own_empty_vault = (
                who == "another adviser"
                and response.status_code == 200
                and path.endswith(("/consultations", "/vertrouwenspersoon"))
            )
            if own_empty_vault and "/api/" in path:
                assert response.json() == []
            assert response.status_code in (403, 404) or own_empty_vault, (who, path, response.status_code)
            assert "marker-vault-note" not in response.text and "keuken" not in response.text, (who, path)
        # Raw SQL as the application role, in their own context: nothing of the vault.
        assert set((await rows_as_app(app_engine, tenant, account)).values()) == {0}, who
        assert set((await rows_as_app(app_engine, tenant, None)).values()) == {0}, who


async def test_nothing_leaves_the_vault_without_a_consent_entry(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    consultation = await open_with_contact(client, tenant.slug)
    base = f"/api/v1/t/{tenant.slug}/vault/consultations/{consultation}"
    summary = {"recipient": "reporting_point", "scope": "summary", "content": "Samenvatting voor het meldpunt."}

    refused = await client.post(f"{base}/disclosures", json=summary)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/disclosure-refused")
    consent = await client.post(
        f"{base}/consents",
        json={"basis": "consent", "recipient": "decision_panel", "scopes": ["summary"], "given_on": TODAY},
    )
    assert consent.status_code == 201
    assert (await client.post(f"{base}/disclosures", json=summary)).status_code == 403  # another recipient
    to_point = await client.post(
        f"{base}/consents",
        json={
            "basis": "consent",
            "recipient": "reporting_point",
            "scopes": ["fact_of_contact", "summary"],
            "given_on": TODAY,
            "note": "Mondeling toestemming gegeven, alleen een samenvatting zonder namen.",
        },
    )
    assert (await client.post(f"{base}/disclosures", json={**summary, "scope": "identity"})).status_code == 403
    allowed = await client.post(f"{base}/disclosures", json=summary)
    assert allowed.status_code == 201 and allowed.json()["consent_id"] == to_point.json()["id"]
    withdrawn = await client.post(f"{base}/consents/{to_point.json()['id']}/withdrawal")
    assert withdrawn.status_code == 204
    assert (await client.post(f"{base}/disclosures", json=summary)).status_code == 403
    expired = await client.post(
        f"{base}/consents",
        json={
            "basis": "consent",
            "recipient": "company_doctor",
            "scopes": ["summary"],
            "given_on": (date.today() - timedelta(days=30)).isoformat(),
            "valid_until": (date.today() - timedelta(days=1)).isoformat(),
        },
    )
    assert expired.status_code == 201
    assert (
        await client.post(f"{base}/disclosures", json={**summary, "recipient": "company_doctor"})
    ).status_code == 403
    await client.post(
        f"{base}/consents",
        json={"basis": "duty_to_report", "recipient": "police", "scopes": ["identity", "summary"], "given_on": TODAY},
    )
    assert (await client.post(f"{base}/disclosures", json={**summary, "recipient": "police"})).status_code == 201
    detail = (await client.get(base)).json()
    assert [(d["recipient"], d["scope"]) for d in detail["disclosures"]] == [
        ("reporting_point", "summary"),
        ("police", "summary"),
    ]
    withdrawn_on = {c["recipient"]: c["withdrawn_on"] for c in detail["consents"]}
    assert withdrawn_on == {"decision_panel": None, "reporting_point": TODAY, "company_doctor": None, "police": None}


async def test_a_shared_adviser_works_across_employers_one_at_a_time(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    a, b = await make_tenant(branch=branch), await make_tenant(branch=branch)
    await as_professional(client, await reporting_point(app_engine, settings, branch, a, b, role=Role.ADVISER))
    in_a = await open_with_contact(client, a.slug)
    await open_with_contact(client, b.slug)
    await open_with_contact(client, b.slug)
    vaults = {v["tenant"]: v["open_consultations"] for v in (await client.get("/api/v1/vault")).json()}
    assert vaults == {a.slug: 1, b.slug: 2}
    assert (await client.get(f"/api/v1/t/{b.slug}/vault/consultations/{in_a}")).status_code == 404
    assert len((await client.get(f"/api/v1/t/{b.slug}/vault/consultations")).json()) == 2
    closed = await client.post(f"/api/v1/t/{a.slug}/vault/consultations/{in_a}/closure")
    assert closed.status_code == 204
    late = await client.post(
        f"/api/v1/t/{a.slug}/vault/consultations/{in_a}/contacts", json={"held_on": TODAY, "channel": "email"}
    )
    assert late.status_code == 409
    counts = (await client.get(f"/api/v1/t/{b.slug}/vault/counts")).json()
    assert counts == {
        "year": date.today().year,
        "contacts": 2,
        "consultations": 2,
        "by_category": {"sexual_harassment": 2},
        "by_channel": {"phone": 2},
    }
    assert {v["tenant"]: v["open_consultations"] for v in (await client.get("/api/v1/vault")).json()}[a.slug] == 0


async def test_an_adviser_signal_names_no_one_and_reaches_the_organisation(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    signal = {
        "category": "bullying",
        "setting": "workplace",
        "accused_role": "manager",
        "attributes": {"repeated": True, "power_difference": True},
        "suggestions": ["team_conversation", "leadership_training"],
    }
    with_a_name = await client.post(f"/api/v1/t/{tenant.slug}/vault/signals", json={**signal, "accused": "Jan"})
    assert with_a_name.status_code == 400
    sent = await client.post(f"/api/v1/t/{tenant.slug}/vault/signals", json=signal)
    assert sent.status_code == 201 and sent.json()["month"] == date.today().replace(day=1).isoformat()
    assert (await client.get(f"/api/v1/t/{tenant.slug}/signals")).status_code == 403  # advisers send, not read
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    received = (await client.get(f"/api/v1/t/{tenant.slug}/signals")).json()
    assert len(received) == 1 and received[0]["category"] == "bullying"
    assert set(received[0]) == {"id", "month", "category", "setting", "accused_role", "attributes", "suggestions"}
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        columns = (
            await connection.execute(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = 'adviser_signals'")
            )
        ).scalars()
    assert not {"adviser_account_id", "consultation_id", "created_at"} & set(columns)


async def test_a_prepared_report_becomes_a_report_only_when_the_reporter_sends_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    draft = await client.post(
        f"/api/v1/t/{tenant.slug}/vault/drafts",
        json={
            "kind": "report",
            "anonymity": "anonymous_with_contact",
            "category": "discrimination",
            "reporter_role": "employee",
            "reporter_is_affected": True,
            "narrative": "marker-draft-7d: opmerkingen over mijn hoofddoek tijdens het teamoverleg.",
            "attributes": {"repeated": True, "discrimination_grounds": ["religion"]},
            "wishes": ["solution"],
        },
    )
    assert draft.status_code == 201, draft.text
    code = draft.json()["code"]
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        assert (await connection.execute(text("SELECT count(*) FROM cases"))).scalar_one() == 0
    wrong = await client.post(f"/m/{tenant.slug}/concept", data={"code": "1234 5678 1234 5678"}, headers=HTML)
    assert wrong.status_code == 401 and "conceptcode kennen we niet" in wrong.text
    opened = await client.post(f"/m/{tenant.slug}/concept", data={"code": code}, headers=HTML)
    assert opened.status_code == 200 and "marker-draft-7d" in opened.text
    assert 'value="religion" checked' in opened.text and 'value="repeated" checked' in opened.text
    assert "Er gebeurt niets tot u zelf op Versturen drukt." in opened.text
    fields = {
        "kind": "report",
        "anonymity": "anonymous_with_contact",
        "category": "discrimination",
        "reporter_role": "employee",
        "reporter_is_affected": "true",
        "narrative": "marker-draft-7d: opmerkingen over mijn hoofddoek, ook bij de kerstborrel.",
        "discrimination_grounds": ["religion"],
        "attributes": ["repeated"],
        "concept": code.replace(" ", ""),
    }
    sent = await client.post(f"/m/{tenant.slug}/melden", data=fields, headers=HTML)
    assert sent.status_code == 200 and 'data-testid="receipt"' in sent.text
    again = await client.post(f"/m/{tenant.slug}/concept", data={"code": code}, headers=HTML)
    assert again.status_code == 401
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        rows = (
            await connection.execute(text("SELECT id, kind, category, attributes, sealed_grounds FROM cases"))
        ).all()
        spent = (
            await connection.execute(text("SELECT used_at IS NOT NULL, sealed_submission FROM report_drafts"))
        ).one()
    assert [(r.kind, r.category, r.attributes["repeated"]) for r in rows] == [("report", "discrimination", True)]
    # The ground is special-category data: sealed with the case key, read back by the reporting point.
    assert "discrimination_grounds" not in rows[0].attributes and b"religion" not in rows[0].sealed_grounds
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case = (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{rows[0].id}")).json()
    assert case["attributes"]["discrimination_grounds"] == ["religion"]
    assert spent == (True, b"")


async def test_every_vault_route_refuses_a_professional_of_another_tenant(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, a, a, role=Role.ADVISER))
    consultation = await open_with_contact(client, a.slug)
    await as_professional(client, await reporting_point(app_engine, settings, b, b, role=Role.ADVISER))
    base = f"/api/v1/t/{a.slug}/vault"
    draft = {
        "kind": "report",
        "anonymity": "anonymous",
        "category": "bullying",
        "reporter_role": "employee",
        "reporter_is_affected": True,
        "narrative": "x",
    }
    consent = {"basis": "consent", "recipient": "police", "scopes": ["summary"], "given_on": TODAY}
    for method, path, body in (
        ("GET", f"{base}/consultations", None),
        ("POST", f"{base}/consultations", {"label": "x", "category": "bullying"}),
        ("GET", f"{base}/consultations/{consultation}", None),
        ("POST", f"{base}/consultations/{consultation}/contacts", {"held_on": TODAY, "channel": "phone"}),
        ("POST", f"{base}/consultations/{consultation}/consents", consent),
        ("POST", f"{base}/consultations/{consultation}/consents/{uuid.uuid4()}/withdrawal", None),
        (
            "POST",
            f"{base}/consultations/{consultation}/disclosures",
            {"recipient": "police", "scope": "summary", "content": "x"},
        ),
        ("POST", f"{base}/consultations/{consultation}/closure", None),
        ("POST", f"{base}/signals", {"category": "bullying"}),
        ("POST", f"{base}/drafts", draft),
        ("GET", f"{base}/counts", None),
        ("GET", f"/api/v1/t/{a.slug}/signals", None),
        ("GET", f"/api/v1/t/{a.slug}/reports/adviser/{date.today().year}", None),
        ("GET", f"/app/t/{a.slug}/jaarverslag/vertrouwenspersoon/{date.today().year}", None),
    ):
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
    assert [v["tenant"] for v in (await client.get("/api/v1/vault")).json()] == [b.slug]


async def test_the_adviser_works_in_the_vault_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    home = await client.get("/app/vertrouwenspersoon", headers=HTML)
    assert home.status_code == 200 and f"/app/t/{tenant.slug}/vertrouwenspersoon" in home.text
    missing = await client.post(
        f"/app/t/{tenant.slug}/vertrouwenspersoon", data={"label": "Stagiair, maart", "category": ""}, headers=HTML
    )
    assert missing.status_code == 400 and 'value="Stagiair, maart"' in missing.text
    opened = await client.post(
        f"/app/t/{tenant.slug}/vertrouwenspersoon",
        data={"label": "Stagiair, maart", "category": "bullying"},
        headers=HTML,
        follow_redirects=False,
    )
    assert opened.status_code == 303
    page = opened.headers["location"]
    contact = await client.post(
        f"{page}/contact", data={"held_on": TODAY, "channel": "in_person", "minutes": "30", "note": NOTE}, headers=HTML
    )
    assert contact.status_code == 200 and NOTE in contact.text  # followed the redirect back to the page
    refused = await client.post(
        f"{page}/delen",
        data={"disclose_recipient": "reporting_point", "disclose_scope": "summary", "content": "Mijn samenvatting."},
        headers=HTML,
    )
    assert refused.status_code == 403 and "Er verlaat niets de kluis." in refused.text
    assert "Mijn samenvatting." in refused.text
    consent = await client.post(
        f"{page}/toestemming",
        data={"basis": "consent", "recipient": "reporting_point", "scopes": ["summary"], "given_on": TODAY},
        headers=HTML,
    )
    assert consent.status_code == 200 and "Toestemming van de melder" in consent.text
    shared = await client.post(
        f"{page}/delen",
        data={"disclose_recipient": "reporting_point", "disclose_scope": "summary", "content": "Mijn samenvatting."},
        headers=HTML,
    )
    assert shared.status_code == 200 and "Een samenvatting aan het meldpunt" in shared.text
    signal = await client.post(
        f"/app/t/{tenant.slug}/vertrouwenspersoon/signaal",
        data={"signal_category": "bullying", "signal_suggestions": ["team_conversation"]},
        headers=HTML,
    )
    assert signal.status_code == 200 and "Het signaal is verstuurd" in signal.text
    draft = await client.post(
        f"/app/t/{tenant.slug}/vertrouwenspersoon/concept",
        data={
            "draft_kind": "report",
            "draft_anonymity": "anonymous_with_contact",
            "draft_category": "bullying",
            "draft_reporter_role": "intern",
            "draft_affected": "true",
            "draft_narrative": "Ze negeren mij bij elk overleg.",
        },
        headers=HTML,
    )
    assert draft.status_code == 200 and 'data-testid="draft-code"' in draft.text
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.TENANT_ADMIN))
    signals = await client.get(f"/app/t/{tenant.slug}/signalen", headers=HTML)
    assert signals.status_code == 200 and "Een teamgesprek" in signals.text


async def test_a_draft_code_or_receipt_of_a_opens_nothing_at_b(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, a, a, role=Role.ADVISER))
    draft = await client.post(
        f"/api/v1/t/{a.slug}/vault/drafts",
        json={
            "kind": "complaint",
            "anonymity": "confidential",
            "category": "bullying",
            "reporter_role": "employee",
            "reporter_is_affected": True,
            "narrative": "marker-draft-b2: uitgelachen bij de overdracht.",
            "identity": {"name": "Kim", "contact": "kim@example.nl"},
        },
    )
    code = draft.json()["code"]
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    at_b = await client.post(f"/m/{b.slug}/concept", data={"code": code}, headers=HTML)
    assert at_b.status_code == 401 and "marker-draft-b2" not in at_b.text
    sent = await client.post(
        f"/m/{a.slug}/melden",
        data={
            "kind": "complaint",
            "anonymity": "confidential",
            "category": "bullying",
            "reporter_role": "employee",
            "reporter_is_affected": "true",
            "narrative": "marker-draft-b2",
            "name": "Kim",
            "contact": "kim@example.nl",
        },
        headers=HTML,
    )
    receipt = sent.text.split('data-testid="receipt">', 1)[1].split("<", 1)[0]
    for path, data in (
        (f"/m/{b.slug}/inbox/naam", {"receipt": receipt, "name": "X", "contact": "x@example.nl"}),
        (f"/m/{b.slug}/inbox/intrekken", {"receipt": receipt, "confirm": "yes"}),
        (f"/m/{b.slug}/inbox/bericht", {"receipt": receipt, "text": "Hallo"}),
    ):
        response = await client.post(path, data=data, headers=HTML)
        assert response.status_code == 401 and "marker-draft-b2" not in response.text, path
    still = await client.post(f"/m/{a.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert "Klacht intrekken" in still.text  # nothing at B withdrew A's complaint


async def test_a_page_form_is_decoded_like_the_api_and_a_refusal_keeps_what_was_typed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    page = f"/app/t/{tenant.slug}/vertrouwenspersoon/{await open_with_contact(client, tenant.slug)}"
    blank = await client.post(
        f"{page}/delen",
        data={"disclose_recipient": "reporting_point", "disclose_scope": "summary", "content": "   "},
        headers=HTML,
    )
    assert blank.status_code == 400  # only spaces is no content, as the API's min_length says
    typed = {"held_on": TODAY, "channel": "phone", "minutes": "lang", "note": "marker-minutes-7d2"}
    minutes = await client.post(f"{page}/contact", data=typed, headers=HTML)
    assert minutes.status_code == 400 and "marker-minutes-7d2" in minutes.text
    closed = await client.post(f"{page}/afsluiten", headers=HTML, follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == page
    late = await client.post(
        f"{page}/contact", data={"held_on": TODAY, "channel": "phone", "note": "Na afsluiten"}, headers=HTML
    )
    assert late.status_code == 409 and "Dit gesprek is afgesloten" in late.text
    unknown = await client.post(f"{page}/onbekend", headers=HTML, follow_redirects=False)
    assert unknown.status_code == 303 and unknown.headers["location"] == page
    elsewhere = await client.post(f"{page.rsplit('/', 1)[0]}/{uuid.uuid4()}/contact", data={}, headers=HTML)
    assert elsewhere.status_code == 404
