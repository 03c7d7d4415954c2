"""The professional pages meet WCAG 2.1 AA as far as axe-core can tell, in a real browser, in both languages."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity import services
from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant
from tests.e2e.conftest import AXE, BROWSER_ARGS

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def signed_in_admin(app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant) -> tuple[str, str]:
    """A tenant admin and dpo of a fresh tenant, and a live session token for them (sign-in itself is tested
    against a real OpenID provider in tests/integration/identity)."""
    tenant_ref = await make_tenant()
    async with create_sessionmaker(app_engine)() as session:
        tenant = await session.get(Tenant, tenant_ref.id)
        assert tenant is not None
        account = await services.find_or_create_account(
            session, tenant, "https://idp.test", str(uuid.uuid4()), {"name": "Toegankelijkheid Test"}
        )
        for role in (Role.TENANT_ADMIN, Role.DPO):
            await services.grant_role(session, AuditActor.system("test"), tenant, account, role, "admin")
        await session.commit()
        account_id, account_tenant = account.id, account.tenant_id
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        token = await SessionStore(redis, settings).create(account_tenant, account_id)
    finally:
        await redis.aclose()
    return tenant_ref.slug, token


def violations(page: object) -> list[str]:
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result["violations"]]


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_professional_pages_have_no_wcag_aa_violations(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant, lang: str
) -> None:
    slug, token = await signed_in_admin(app_engine, settings, make_tenant)

    def check() -> dict[str, list[str]]:
        # Playwright's sync API runs in this worker thread, away from the test's event loop.
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            try:
                return check_pages(browser)
            finally:
                browser.close()

    def check_pages(browser: Browser) -> dict[str, list[str]]:
        # axe is injected by the test tool; our strict CSP (tested elsewhere) would rightly refuse it.
        context = browser.new_context(locale="nl-NL", bypass_csp=True)
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": served}])
        page = context.new_page()
        found = {}
        sector_report = f"/app/t/{slug}/jaarverslag/sector/{datetime.now(UTC).year - 1}"  # a branch's, even empty
        for path in (
            "/",
            f"/app/t/{slug}",
            f"/app/t/{slug}/grants",
            f"/app/t/{slug}/audit",
            f"/app/t/{slug}/cijfers",
            sector_report,
        ):
            response = page.goto(f"{served}{path}?lang={lang}")
            assert response is not None and response.status == 200, path
            assert page.evaluate("document.documentElement.lang") == lang
            found[path] = violations(page)
        # The check is not vacuous: an image without a text alternative is reported.
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/x.png\">')")
        planted = violations(page)
        assert any(item.startswith("image-alt") for item in planted), planted
        context.close()
        return found

    found = await asyncio.to_thread(check)
    assert all(not found_here for found_here in found.values()), found


async def test_the_reporters_pages_have_no_wcag_aa_violations(
    served: str, chromium_path: str, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()

    def check() -> dict[str, list[str]]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_context(bypass_csp=True).new_page()
            found = {}
            for path in (f"/m/{tenant.slug}/", f"/m/{tenant.slug}/melden", f"/m/{tenant.slug}/inbox"):
                page.goto(f"{served}{path}")
                found[path] = violations(page)
            # The form sent back with errors, and the receipt page.
            page.goto(f"{served}/m/{tenant.slug}/melden")
            page.get_by_role("button", name="Versturen").click()
            found["form with errors"] = violations(page)
            page.get_by_label("Pesten").check()
            page.get_by_label("Medewerker", exact=True).check()
            page.get_by_label("Ja, het is mij overkomen").check()
            page.get_by_label("Wat is er gebeurd?").fill("Test")
            page.get_by_role("button", name="Versturen").click()
            found["receipt"] = violations(page)
            receipt = page.get_by_test_id("receipt").inner_text()
            page.get_by_role("link", name="Naar uw berichten").click()
            page.get_by_label("Uw code van 16 cijfers").fill(receipt)
            page.get_by_role("button", name="Openen").click()
            found["inbox opened"] = violations(page)
            for path in (f"/m/{tenant.slug}/", f"/m/{tenant.slug}/melden", f"/m/{tenant.slug}/inbox"):
                page.goto(f"{served}{path}?lang=en")
                assert page.evaluate("document.documentElement.lang") == "en"
                found[f"{path} in English"] = violations(page)
            browser.close()
            return found

    found = await asyncio.to_thread(check)
    assert all(not found_here for found_here in found.values()), found
