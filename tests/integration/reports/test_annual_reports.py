"""The three annual reports: the adviser's own figures per employer and across employers, small counts hidden
together with what would give them away (in both the employer's column and the column across employers); the
committee's across the members it serves with the branch's rules; the sector report exactly the published cells;
who may read which, another tenant and a bad year refused, never a 500."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from pypdf import PdfReader
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.catalogues import text
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from meldpunt.trends.models import TrendFact
from meldpunt.trends.releases import POPULATIONS
from meldpunt.trends.synthetic import synthetic_facts, synthetic_members
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import as_, person
from tests.integration.complaints.conftest import committee, registered
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.trends.test_releases import admins, published
from tests.integration.web.test_professional_english import assert_english

HTML = {"Accept": "text/html"}
TODAY = date.today().isoformat()
YEAR = date.today().year
BULLYING = text("nl", "public.option.category.bullying")
AGGRESSION = text("nl", "public.option.category.aggression")


def words_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def table_of(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for s in report["sections"] for t in s["tables"] if t["key"] == key)


def rows_of(report: dict[str, Any], key: str) -> dict[str, list[int | None]]:
    return {name: values for name, values in table_of(report, key)["rows"]}


async def consultations(client: Any, slug: str, category: str, n: int, channel: str = "phone") -> None:
    for _ in range(n):
        created = await client.post(
            f"/api/v1/t/{slug}/vault/consultations",
            json={"label": "x", "category": category, "reporter_role": "employee"},
        )
        assert created.status_code == 201, created.text
        contact = await client.post(
            f"/api/v1/t/{slug}/vault/consultations/{created.json()['id']}/contacts",
            json={"held_on": TODAY, "channel": channel},
        )
        assert contact.status_code == 201, contact.text


async def test_the_advisers_report_per_employer_and_across_hides_small_counts_in_both(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    # The columns go by the organisations' addresses: a first.
    a, b = sorted([await make_tenant(branch=branch), await make_tenant(branch=branch)], key=lambda t: t.slug)
    await as_professional(client, await reporting_point(app_engine, settings, branch, a, b, role=Role.ADVISER))
    await consultations(client, a.slug, "bullying", 7)
    await consultations(client, a.slug, "aggression", 2)
    await consultations(client, b.slug, "bullying", 6, channel="video")
    await consultations(client, b.slug, "aggression", 6, channel="video")
    assert (await client.post(f"/api/v1/t/{a.slug}/vault/signals", json={"category": "bullying"})).status_code == 201
    for _ in range(5):
        signal = await client.post(f"/api/v1/t/{b.slug}/vault/signals", json={"category": "aggression"})
        assert signal.status_code == 201

    answer = await client.get(f"/api/v1/t/{a.slug}/reports/adviser/{YEAR}")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["kind"] == "adviser" and report["year"] == YEAR
    table = table_of(report, "category_by_employer")
    assert table["columns"] == [f"Organisatie {a.slug}", f"Organisatie {b.slug}", "Alle organisaties"]
    rows = rows_of(report, "category_by_employer")
    assert rows[AGGRESSION][0] is None  # two people at a: hidden
    # Neither the column across employers nor a's own total gives it away: no line has a single hidden cell.
    summary = rows_of(report, "summary")
    people = summary["Mensen die contact zochten"]
    lines = [list(values) for values in rows.values()]
    lines += [[rows[name][i] for name in rows] + [people[i]] for i in range(3)]
    for line in lines:
        assert sum(1 for v in line if v is None) != 1, line
    truth = {(BULLYING, 0): 7, (AGGRESSION, 0): 2, (BULLYING, 1): 6, (AGGRESSION, 1): 6, (BULLYING, 2): 13}
    truth[(AGGRESSION, 2)] = 8
    for (name, column), value in truth.items():
        assert rows[name][column] in (None, value)  # what is shown is right
    assert any(rows[name][column] == value for (name, column), value in truth.items())
    assert all(v == 0 for name, values in rows.items() if name not in (BULLYING, AGGRESSION) for v in values)
    assert people[1] == 12 and people[2] in (None, 21) and people[0] in (None, 9)
    channels = rows_of(report, "channel_by_employer")
    assert channels[text("nl", "vault.channels.video")] == [0, 12, 12]
    assert channels[text("nl", "vault.channels.phone")] == [9, 0, 9]
    signals = summary["Signalen aan de organisatie"]
    assert signals[0] is None and signals[1] in (None, 5) and signals[2] in (None, 6)  # one at a: hidden
    by_signal = rows_of(report, "signal_by_employer")
    assert by_signal[AGGRESSION][0] == 0 and by_signal[AGGRESSION][1] in (None, 5)
    for line in [*by_signal.values(), [by_signal[name][1] for name in by_signal] + [signals[1]]]:
        assert sum(1 for v in line if v is None) != 1, line  # b's five do not give a's one away
    assert 6 in signals or 5 in signals  # the signals are counted (through the adviser's own audit chain)
    outcomes = rows_of(report, "outcome_by_employer")
    assert outcomes["Loopt nog"][1] == 12 and outcomes["Afgesloten"] == [0, 0, 0]

    english = (await client.get(f"/api/v1/t/{b.slug}/reports/adviser/{YEAR}?lang=en")).json()
    assert (
        english["language"] == "en" and table_of(english, "category_by_employer")["columns"][-1] == "All organisations"
    )
    assert rows_of(english, "category_by_employer") == {  # the same figures from either employer's address
        text("en", f"public.option.category.{code}"): values
        for code, values in zip(
            ("sexual_harassment", "aggression", "bullying", "discrimination", "integrity", "unclear"),
            rows_of(report, "category_by_employer").values(),
            strict=True,
        )
    }

    page = await client.get(f"/app/t/{a.slug}/jaarverslag/vertrouwenspersoon/{YEAR}", headers=HTML)
    assert page.status_code == 200 and f"Jaarverslag vertrouwenspersoon {YEAR}" in page.text
    assert "–</abbr>" in page.text and "x</td>" not in page.text  # hidden cells marked; no label, only numbers
    english_page = await client.get(f"/app/t/{a.slug}/jaarverslag/vertrouwenspersoon/{YEAR}?lang=en", headers=HTML)
    assert_english(english_page, ("All organisations", "People by kind of behaviour"), ("Alle organisaties", "Pesten"))
    assert f"/jaarverslag/vertrouwenspersoon/{YEAR}.pdf?lang=en" in english_page.text
    latest = await client.get(f"/app/t/{a.slug}/jaarverslag/vertrouwenspersoon", headers=HTML, follow_redirects=False)
    assert latest.status_code == 303 and "/jaarverslag/vertrouwenspersoon/" in latest.headers["location"]
    vault = await client.get(f"/app/t/{a.slug}/vertrouwenspersoon", headers=HTML)
    assert f"/app/t/{a.slug}/jaarverslag/vertrouwenspersoon" in vault.text
    home = await client.get("/app/vertrouwenspersoon", headers=HTML)
    assert "/jaarverslag/vertrouwenspersoon" in home.text


async def test_an_adviser_reads_only_their_own_report_and_others_none(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    await consultations(client, tenant.slug, "bullying", 6)
    mine = (await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/{YEAR}")).json()
    assert rows_of(mine, "summary")["Mensen die contact zochten"] == [6]
    client.cookies.clear()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    theirs = (await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/{YEAR}")).json()
    assert rows_of(theirs, "summary")["Mensen die contact zochten"] == [0]  # the colleague's vault is not theirs
    for role in (Role.TENANT_ADMIN, Role.REPORTING_POINT, Role.DECISION_MAKER):
        who = await person(app_engine, settings, tenant, {tenant: (role,)})
        await as_(client, who)
        assert (await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/{YEAR}")).status_code == 403, role
        page = await client.get(f"/app/t/{tenant.slug}/jaarverslag/vertrouwenspersoon/{YEAR}", headers=HTML)
        assert page.status_code == 403, role
    stranger = await person(app_engine, settings, other, {other: (Role.ADVISER,)})
    await as_(client, stranger)
    assert (await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/{YEAR}")).status_code == 403
    assert (await client.get(f"/api/v1/t/{other.slug}/reports/adviser/{YEAR}")).status_code == 200


async def test_a_bad_year_is_refused_with_a_problem_or_a_friendly_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    for year in ("2019", str(YEAR + 1), "99999", "-1", "0"):
        refused = await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/{year}")
        assert 400 <= refused.status_code < 500, (year, refused.status_code)
        assert refused.headers["content-type"].startswith("application/problem+json"), year
    refused = await client.get(f"/api/v1/t/{tenant.slug}/reports/adviser/2019")
    assert refused.status_code == 422 and "2020" in refused.json()["detail"]
    for year in ("2019", str(YEAR + 1), "abc", "2026.doc", "２０２５", "2020.pdf.pdf"):
        page = await client.get(f"/app/t/{tenant.slug}/jaarverslag/vertrouwenspersoon/{year}", headers=HTML)
        assert 400 <= page.status_code < 500 and "<html" in page.text, (year, page.status_code)


async def test_the_committees_report_counts_across_the_members_it_serves_with_the_branchs_rules(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    await registered(client, c, app_engine)
    for who in (c.chair, c.secretary):
        await as_(client, who)
        answer = await client.get(f"/api/v1/t/{c.slug}/reports/committee/{YEAR}")
        assert answer.status_code == 200, answer.text
        report = answer.json()
        summary = rows_of(report, "summary")
        assert summary["Ontvangen klachten"] == [None]  # one complaint: hidden
        assert summary["Vroeg geëindigd"] == [0]  # nothing yet: 0 is shown
        assert summary["Adviezen"] == summary["Besluiten"] == [None]  # in a branch: they wait for its releases
        assert str(YEAR) in table_of(report, "advice")["note"] and str(YEAR) in table_of(report, "decision")["note"]
        assert all(t["columns"] == ["Aantal"] for s in report["sections"] for t in s["tables"])  # never per member
    page = await client.get(f"/app/t/{c.slug}/jaarverslag/klachtencommissie/{YEAR}?lang=en", headers=HTML)
    assert page.status_code == 200 and f"Complaints committee's annual report {YEAR}" in page.text.replace("&#39;", "'")
    listing = await client.get(f"/app/t/{c.slug}/klachten", headers=HTML)
    assert f"/app/t/{c.slug}/jaarverslag/klachtencommissie" in listing.text
    for who in (c.members[0], c.guardian, c.decider, c.point):
        await as_(client, who)
        assert (await client.get(f"/api/v1/t/{c.slug}/reports/committee/{YEAR}")).status_code == 403
        page = await client.get(f"/app/t/{c.slug}/jaarverslag/klachtencommissie/{YEAR}", headers=HTML)
        assert page.status_code == 403
    elsewhere = await make_tenant()
    stranger = await person(app_engine, settings, elsewhere, {elsewhere: (Role.COMMITTEE_CHAIR,)})
    await as_(client, stranger)
    assert (await client.get(f"/api/v1/t/{c.slug}/reports/committee/{YEAR}")).status_code == 403
    own = (await client.get(f"/api/v1/t/{elsewhere.slug}/reports/committee/{YEAR}")).json()
    assert rows_of(own, "summary")["Ontvangen klachten"] == [0]  # nothing of the other committee's


LAST_YEAR = YEAR - 1
QUARTERS = [f"{LAST_YEAR}-Q{n}" for n in range(1, 5)]


async def year_of_facts(app_engine: AsyncEngine, branch: TenantRef) -> None:
    members = synthetic_members(branch.id, 12, "88")
    rows = list(synthetic_facts(branch.id, members, QUARTERS, 50))
    async with create_sessionmaker(app_engine)() as session, session.begin():
        await tenant_context(session, [branch.id])
        await session.execute(insert(TrendFact).values(rows))


async def test_the_sector_report_is_the_published_cells_and_nothing_else(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    branch = await make_tenant()
    member = await make_tenant(branch=branch)
    await year_of_facts(app_engine, branch)
    first, second = await admins(app_engine, settings, branch)
    q3 = await published(client, first, second, branch, QUARTERS[2])
    q4 = await published(client, first, second, branch, QUARTERS[3])
    await as_(client, first)  # built but not published: never in the report
    built = await client.post(
        f"/api/v1/t/{branch.slug}/trends/releases/", json={"population": "registered", "period": QUARTERS[1]}
    )
    assert built.status_code == 201
    year = await published(client, first, second, branch, str(LAST_YEAR))
    await as_(client, first)  # once the year is released, no quarter of it is added
    late = await client.post(
        f"/api/v1/t/{branch.slug}/trends/releases/", json={"population": "registered", "period": QUARTERS[0]}
    )
    assert late.status_code == 409 and late.json()["detail"] == text("nl", "error.release-refused.year-released")

    def grand(release: dict[str, Any]) -> int | None:
        return next(
            c["value"]
            for c in release["cells"]
            if c["table"] == "category_by_size" and set(c["cell"].values()) == {"*"}
        )

    board = await person(app_engine, settings, branch, {branch: (Role.SECTOR_BOARD,)})
    for who in (first, board):
        await as_(client, who)
        answer = await client.get(f"/api/v1/t/{branch.slug}/reports/sector/{LAST_YEAR}")
        assert answer.status_code == 200, answer.text
        report = answer.json()
        quarters = rows_of(report, "quarters")
        nothing = [None] * len(POPULATIONS)  # every population: not published
        assert quarters[QUARTERS[0]] == nothing and quarters[QUARTERS[1]] == nothing
        assert quarters[QUARTERS[2]][0] == grand(q3) and quarters[QUARTERS[3]][0] == grand(q4)
        assert QUARTERS[1] in (table_of(report, "quarters")["note"] or "")  # said to be not published
        cells = {
            (c["cell"]["category"], c["cell"]["size"]): c["value"]
            for c in year["cells"]
            if c["table"] == "category_by_size"
        }
        table = table_of(report, "category_by_size")
        sizes = ("under_10", "10_to_49", "50_to_249", "250_and_more", "unknown", "*")
        categories = (
            "sexual_harassment",
            "aggression",
            "bullying",
            "discrimination",
            "integrity",
            "unclear",
            "unknown",
        )
        assert [values for _, values in table["rows"]] == [[cells[(cat, size)] for size in sizes] for cat in categories]
        margin = table_of(report, "category_by_size.size")
        assert [values for _, values in margin["rows"]] == [[cells[("*", size)]] for size in sizes[:-1]]
        shown = [v for s in report["sections"] for t in s["tables"] for _, values in t["rows"] for v in values]
        assert any(v is None for v in shown) and all(v is None or v == 0 or v >= 5 for v in shown)
        assert "syn" not in answer.text
    page = await client.get(f"/app/t/{branch.slug}/jaarverslag/sector/{LAST_YEAR}", headers=HTML)
    assert page.status_code == 200 and f"Sectorjaarverslag {LAST_YEAR}" in page.text
    made = await client.get(f"/app/t/{branch.slug}/jaarverslag/sector/{LAST_YEAR}.pdf", headers=HTML)
    assert made.status_code == 200 and made.content.startswith(b"%PDF")
    sector_page = await client.get(f"/app/t/{branch.slug}/sector", headers=HTML)
    assert f"/app/t/{branch.slug}/jaarverslag/sector" in sector_page.text
    shell = await client.get(f"/app/t/{branch.slug}", headers=HTML)
    assert f"/app/t/{branch.slug}/jaarverslag/sector" in shell.text

    member_admin = await person(app_engine, settings, member, {member: (Role.TENANT_ADMIN, Role.SECTOR_BOARD)})
    await as_(client, member_admin)
    assert (await client.get(f"/api/v1/t/{member.slug}/reports/sector/{LAST_YEAR}")).status_code == 404  # no branch
    assert (await client.get(f"/api/v1/t/{branch.slug}/reports/sector/{LAST_YEAR}")).status_code == 403
    shell = await client.get(f"/app/t/{member.slug}", headers=HTML)
    assert "/jaarverslag/sector" not in shell.text
    for role in (Role.REPORTING_POINT, Role.DECISION_MAKER, Role.DPO):
        await as_(client, await person(app_engine, settings, branch, {branch: (role,)}))
        assert (await client.get(f"/api/v1/t/{branch.slug}/reports/sector/{LAST_YEAR}")).status_code == 403


async def test_the_pdf_of_a_report_is_the_same_report_in_either_language(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    await consultations(client, tenant.slug, "bullying", 6)
    made = await client.get(f"/app/t/{tenant.slug}/jaarverslag/vertrouwenspersoon/{YEAR}.pdf", headers=HTML)
    assert made.status_code == 200 and made.headers["content-type"] == "application/pdf"
    assert made.content.startswith(b"%PDF") and datetime.now(UTC).year == YEAR
    assert made.headers["content-disposition"] == f'attachment; filename="vertrouwenspersoon-{YEAR}-nl.pdf"'
    assert f"Jaarverslag vertrouwenspersoon {YEAR}" in words_of(made.content)
    assert "Mensen naar soort gedrag" in words_of(made.content)
    english = await client.get(f"/app/t/{tenant.slug}/jaarverslag/vertrouwenspersoon/{YEAR}.pdf?lang=en")
    assert english.status_code == 200 and "People by kind of behaviour" in words_of(english.content)
