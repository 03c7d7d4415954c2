"""The whole anonymous journey in a real browser, without JavaScript: report, note the receipt, come back,
read the reporting point's answer and reply."""

from __future__ import annotations

import asyncio
import uuid

from playwright.sync_api import sync_playwright
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.intake import services
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS


async def test_the_anonymous_journey_works_without_javascript(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()

    def report() -> str:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{served}/m/{tenant.slug}/")
            page.get_by_role("link", name="Melding doen").click()
            page.get_by_label("Een melding: er moet iets mee gebeuren").check()
            page.get_by_label("Anoniem, met een code om antwoorden te lezen").check()
            page.get_by_label("Pesten").check()
            page.get_by_label("Medewerker", exact=True).check()
            page.get_by_label("Ja, het is mij overkomen").check()
            page.get_by_label("Wat is er gebeurd?").fill("Mijn teamleider scheldt mij steeds uit waar iedereen bij is.")
            page.get_by_role("button", name="Versturen").click()
            receipt = page.get_by_test_id("receipt").inner_text()
            browser.close()
            return receipt

    receipt = await asyncio.to_thread(report)
    assert len(receipt.replace(" ", "")) == 16
    async with create_sessionmaker(app_engine)() as session:
        found = await session.get(Tenant, tenant.id)
        assert found is not None
        case = await services.case_for_receipt(session, found, receipt)
        await services.reply(
            session,
            Keyring(create_root_key(settings)),
            AuditActor.account(uuid.uuid4()),
            found,
            case.id,
            "Dank u. Wilt u met een vertrouwenspersoon praten?",
        )
        await session.commit()

    def come_back() -> list[str]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{served}/m/{tenant.slug}/inbox")
            page.get_by_label("Uw code van 16 cijfers").fill(receipt)
            page.get_by_role("button", name="Openen").click()
            page.get_by_label("Iets toevoegen of antwoorden").fill("Ja graag, liefst buiten werktijd.")
            page.get_by_role("button", name="Versturen").click()
            texts = page.locator(".messages li p").all_inner_texts()
            cookies = page.context.cookies()
            browser.close()
            assert cookies == []
            return texts

    assert await asyncio.to_thread(come_back) == [
        "Dank u. Wilt u met een vertrouwenspersoon praten?",
        "Ja graag, liefst buiten werktijd.",
    ]
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        assert (await connection.execute(text("SELECT count(*) FROM case_messages"))).scalar_one() == 2
