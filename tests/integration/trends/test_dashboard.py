"""An organisation's own figures: its cases per quarter, terms kept and open deadlines, with small counts hidden
(and what would give them away); only its administrators and decision makers, only its own."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_, person
from tests.integration.intake.test_flood import QUICK

HTML = {"Accept": "text/html"}


def row_of(page: str, caption: str) -> list[str]:
    """The cells of the current quarter's row (the last) of the table with this caption."""
    table = page.split(caption, 1)[1].split("</table>", 1)[0]
    last = table.rsplit("<tr>", 1)[1]
    return re.findall(r"<td>(.*?)</td>", last)


async def test_own_figures_hide_small_counts_and_show_the_rest(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    member = await make_tenant(branch=branch)
    for _ in range(7):
        sent = await client.post(f"/api/v1/public/{member.slug}/submissions", json=QUICK)
        assert sent.status_code == 201
    signal = {**QUICK, "kind": "signal"}
    for _ in range(2):
        assert (await client.post(f"/api/v1/public/{member.slug}/submissions", json=signal)).status_code == 201
    admin = await person(app_engine, settings, member, {member: (Role.TENANT_ADMIN,)})
    await as_(client, admin)
    start = await client.get(f"/app/t/{member.slug}", headers=HTML)
    assert f"/app/t/{member.slug}/cijfers" in start.text
    page = await client.get(f"/app/t/{member.slug}/cijfers", headers=HTML)
    assert page.status_code == 200
    cells = row_of(page.text, "Meldingen, signalen en klachten per kwartaal")
    reports, signals, complaints, _other, total = cells
    hidden = 'title="Verborgen"'
    assert hidden in signals  # two signals: fewer than five, hidden
    assert hidden in reports or hidden in total  # and not given away by the reports and the total together
    assert complaints == "0" and ("7" in (reports, total) or "9" in (reports, total))  # the rest is shown
    english = await client.get(f"/app/t/{member.slug}/cijfers?lang=en", headers=HTML)
    assert "Your organisation&#39;s figures" in english.text or "Your organisation's figures" in english.text


async def test_only_the_organisations_own_administrators_and_decision_makers_see_them(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    member, other = await make_tenant(), await make_tenant()
    expert = await person(app_engine, settings, member, {member: (Role.EXPERT,)})
    await as_(client, expert)
    assert (await client.get(f"/app/t/{member.slug}/cijfers", headers=HTML)).status_code == 403
    decider = await person(app_engine, settings, member, {member: (Role.DECISION_MAKER,)})
    await as_(client, decider)
    assert (await client.get(f"/app/t/{member.slug}/cijfers", headers=HTML)).status_code == 200
    outsider = await person(app_engine, settings, other, {other: (Role.TENANT_ADMIN,)})
    await as_(client, outsider)
    assert (await client.get(f"/app/t/{member.slug}/cijfers", headers=HTML)).status_code == 403
