"""The whole anonymous journey in a real browser, with and without JavaScript: report with a file, note the
receipt, come back, read the reporting point's answer and reply; and a report made with the keyboard alone."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from playwright.sync_api import Page, sync_playwright
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
from tests.integration.intake.test_attachments import PDF


@pytest.mark.parametrize("javascript", [False, True], ids=["without-javascript", "with-javascript"])
async def test_the_anonymous_journey_with_an_attachment(
    served: str,
    chromium_path: str,
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
    javascript: bool,
) -> None:
    tenant = await make_tenant()

    def report() -> str:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_context(java_script_enabled=javascript).new_page()
            page.goto(f"{served}/m/{tenant.slug}/")
            page.get_by_role("link", name="Melding doen").click()
            page.get_by_label("Een melding: er moet iets mee gebeuren").check()
            page.get_by_label("Anoniem, met een code om antwoorden te lezen").check()
            page.get_by_label("Pesten").check()
            page.get_by_label("Medewerker", exact=True).check()
            page.get_by_label("Ja, het is mij overkomen").check()
            page.get_by_label("Wat is er gebeurd?").fill("Mijn teamleider scheldt mij steeds uit waar iedereen bij is.")
            page.get_by_label("Bestanden toevoegen (mag ook niet)").set_input_files(
                [{"name": "berichtjes.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
            page.get_by_role("button", name="Versturen").click()
            assert "Toegevoegde bestanden: 1." in page.content()
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
            page = browser.new_context(java_script_enabled=javascript).new_page()
            page.goto(f"{served}/m/{tenant.slug}/inbox")
            page.get_by_label("Uw code van 16 cijfers").fill(receipt)
            page.get_by_role("button", name="Openen").click()
            page.get_by_label("Iets toevoegen of antwoorden").fill("Ja graag, liefst buiten werktijd.")
            page.get_by_role("button", name="Versturen").click()
            assert "bijlage-1.pdf" in page.locator(".files").inner_text()
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


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector`` (fails if it is never reached)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def arrow_to(page: Page, value: str) -> None:
    """In a focused group of radio buttons, move with the arrow key to ``value`` (which selects it)."""
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == value:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} cannot be reached with the arrow keys")


async def test_the_report_can_be_made_with_the_keyboard_alone(
    served: str, chromium_path: str, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()

    def report() -> str:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_context().new_page()
            page.goto(f"{served}/m/{tenant.slug}/")
            tab_to(page, "a[href$='/melden']")
            page.keyboard.press("Enter")
            page.wait_for_url("**/melden")
            for name, value in (
                ("kind", "report"),
                ("anonymity", "anonymous_with_contact"),
                ("category", "aggression"),
                ("reporter_role", "volunteer"),
                ("reporter_is_affected", "true"),
                ("accused_role", "third_party"),
                ("setting", "event"),
            ):
                tab_to(page, f"input[name={name}]")
                arrow_to(page, value)
            tab_to(page, "#narrative")
            page.keyboard.type("Een bezoeker duwde mij tegen de muur tijdens de kerstborrel.")
            tab_to(page, "input[name=wishes][value=advice]")
            page.keyboard.press("Space")
            tab_to(page, "button[type=submit]")
            page.keyboard.press("Enter")
            page.wait_for_selector("[data-testid=receipt]")
            receipt = page.get_by_test_id("receipt").inner_text()
            browser.close()
            return receipt

    assert len((await asyncio.to_thread(report)).replace(" ", "")) == 16
