"""The sector board's page in a real browser: the published tables with hidden cells marked, without WCAG 2.1
AA violations as far as axe-core can tell, in both languages."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis
from playwright.sync_api import sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity import services
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.trends import releases
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.integration.trends.test_releases import QUARTERS, with_history


async def board_on_a_published_branch(
    app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> tuple[str, str]:
    branch_ref = await make_tenant()
    await with_history(app_engine, branch_ref)
    async with create_sessionmaker(app_engine)() as session:
        branch = await session.get(Tenant, branch_ref.id)
        assert branch is not None
        await tenant_context(session, [branch.id])
        built = await releases.build(session, branch, QUARTERS[0], "registered", datetime.now(UTC))
        await releases.request_publication(session, AccountRef(branch.id, uuid.uuid4()), branch, built.row.id)
        await releases.approve(session, AccountRef(branch.id, uuid.uuid4()), branch, built.row.id)
        account = await services.find_or_create_account(
            session, branch, "https://idp.test", str(uuid.uuid4()), {"name": "Sectorbestuur Test"}
        )
        await services.grant_role(session, AuditActor.system("test"), branch, account, Role.SECTOR_BOARD, "admin")
        await session.commit()
        account_id, account_tenant = account.id, account.tenant_id
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        token = await SessionStore(redis, settings).create(account_tenant, account_id)
    finally:
        await redis.aclose()
    return branch_ref.slug, token


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_sector_page_shows_the_tables_without_wcag_aa_violations(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant, lang: str
) -> None:
    slug, token = await board_on_a_published_branch(app_engine, settings, make_tenant)

    def check() -> tuple[int, int, int, list[str]]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            try:
                context = browser.new_context(bypass_csp=True)
                context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": served}])
                page = context.new_page()
                response = page.goto(f"{served}/app/t/{slug}/sector?lang={lang}")
                assert response is not None and response.status == 200
                tables, hidden = page.locator("table").count(), page.locator("td abbr").count()
                charts = page.get_by_role("img").count()  # each named by its title and described value by value
                return tables, hidden, charts, violations(page)
            finally:
                browser.close()

    tables, hidden, charts, found = await asyncio.to_thread(check)
    # the quarters, the kinds of behaviour over the quarters, the release's two tables and its risk factors
    assert tables == 5 and hidden > 0
    assert charts == 1 + 7  # the reports per quarter, and one for each kind of behaviour (and unknown)
    assert found == []
