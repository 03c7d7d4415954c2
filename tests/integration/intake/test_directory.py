"""The reporting point's adviser directory, policy documents and house style: what the tenant file allows,
what ``tenants apply`` publishes, and what a reporter (or another tenant) sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.provisioning.files import TenantFileError, load_branch_tree
from meldpunt.provisioning.services import apply_tenants_from_path
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.provisioning.test_tenants_apply import branch_folder

HTML = {"accept": "text/html"}
BRANCH = "slug: branche\ndisplay_name: Branche\nsector_code: '88'\n"
MEMBER = "slug: lid\ndisplay_name: Lid\nsector_code: '88'\nfte: 5\n"
PROFILE = "    profile:\n      gender: vrouw\n      age_range: 40-50\n"


def tree_error(root: Path, branch: str = BRANCH, member: str = MEMBER) -> str:
    (root / "members").mkdir(parents=True)
    (root / "branch.yaml").write_text(branch)
    (root / "members" / "lid.yaml").write_text(member)
    with pytest.raises(TenantFileError) as error:
        load_branch_tree(root)
    return str(error.value)


def test_a_profile_is_refused_for_someone_who_is_not_an_adviser(tmp_path: Path) -> None:
    member = MEMBER + "people:\n  - subject: noor\n    name: Noor\n    roles: [reporting_point]\n" + PROFILE
    message = tree_error(tmp_path, member=member)
    assert "lid.yaml: field 'people[0].profile'" in message and "adviser role" in message


def test_a_branch_adviser_cannot_be_published_as_internal(tmp_path: Path) -> None:
    branch = BRANCH + "people:\n  - subject: sanne\n    name: Sanne\n    roles: [adviser]\n" + PROFILE
    message = tree_error(tmp_path, branch=branch + "      external: false\n")
    assert "branch.yaml: field 'people[0].profile.external'" in message


def test_a_profile_with_a_malformed_email_is_named(tmp_path: Path) -> None:
    member = (
        MEMBER
        + "people:\n  - subject: fatima\n    name: Fatima\n    roles: [adviser]\n"
        + PROFILE
        + "      reach:\n        email: 'iemand@voorbeeld.nl?cc=ander@voorbeeld.nl'\n"
    )
    assert "field 'people[0].profile.reach.email'" in tree_error(tmp_path, member=member)


def test_a_primary_colour_with_too_little_contrast_is_refused_with_its_ratio(tmp_path: Path) -> None:
    message = tree_error(tmp_path, member=MEMBER + "branding:\n  primary_color: '#f2a900'\n")
    assert "lid.yaml: field 'branding.primary_color'" in message
    assert "2.01:1" in message and "4.5:1" in message


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("  - title: Gedragscode\n", "policy_documents[0]"),
        ("  - title: Gedragscode\n    text: Wees aardig.\n    url: https://voorbeeld.nl/code\n", "policy_documents[0]"),
        ("  - title: Gedragscode\n    url: http://voorbeeld.nl/code\n", "policy_documents[0].url"),
        ("  - title: Gedragscode\n    text: '" + "x" * 20_001 + "'\n", "policy_documents[0].text"),
    ],
)
def test_a_policy_document_is_a_link_over_https_or_a_text_of_limited_length(
    tmp_path: Path, document: str, field: str
) -> None:
    message = tree_error(tmp_path, member=MEMBER + "policy_documents:\n" + document)
    assert f"field '{field}'" in message


async def test_apply_publishes_advisers_by_name_and_the_page_shows_the_branchs_only_where_used(
    client, settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    async with app_engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT slug, advisers::text AS advisers FROM tenants WHERE slug = ANY (:s)"),
            {"s": list(slugs.values())},
        )
        published = {row.slug: row.advisers for row in rows}
    assert "Sanne Jansen" in published[slugs["zorg-welzijn"]] and "Bram Kok" in published[slugs["zorg-welzijn"]]
    for directory in published.values():
        assert '"sanne"' not in directory and '"fatima"' not in directory and "subject" not in directory
    assert await apply_tenants_from_path(settings, folder) == []

    shared = await client.get(f"/m/{slugs['de-linde']}/", headers=HTML)
    assert shared.status_code == 200
    assert "Sanne Jansen" in shared.text and "Bram Kok" in shared.text and "extern" in shared.text
    assert "s.jansen@vertrouwenspersonen.example" in shared.text and "Papiaments" in shared.text
    own = await client.get(f"/m/{slugs['zorggroep-oost']}/", headers=HTML)
    assert "Fatima Yilmaz" in own.text and "intern" in own.text
    assert "Sanne Jansen" not in own.text and "Bram Kok" not in own.text
    assert "Gedragscode" in own.text and "Klachtenregeling ongewenst gedrag" in own.text


async def test_the_home_page_lists_own_advisers_and_the_branchs_only_for_a_member_that_uses_them(
    client, make_tenant: MakeTenant
) -> None:
    branch = await make_tenant(advisers=[{"name": "Bea Branche", "external": True, "languages": ["Pools"]}])
    own = [{"name": "Ilse Intern", "external": False, "introduction": "<script>alert(1)</script>"}]
    sharing = await make_tenant(branch=branch, services=("advisers",), advisers=own)
    alone = await make_tenant(branch=branch, services=("complaints_committee",), advisers=own)
    page = await client.get(f"/m/{sharing.slug}/", headers=HTML)
    assert page.status_code == 200
    assert page.text.count('data-testid="adviser"') == 2
    assert "Ilse Intern" in page.text and "Bea Branche" in page.text and "Pools" in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    page = await client.get(f"/m/{alone.slug}/", headers=HTML)
    assert page.text.count('data-testid="adviser"') == 1
    assert "Ilse Intern" in page.text and "Bea Branche" not in page.text
    assert "set-cookie" not in page.headers


async def test_a_policy_text_has_its_own_page_and_a_link_leaves_without_referrer(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(
        policy_documents=[
            {"title": "Gedragscode", "summary": "Hoe we met elkaar omgaan.", "text": "Wij zijn aardig.\n\nAltijd."},
            {"title": "Klachtenregeling", "url": "https://voorbeeld.nl/klachten"},
        ]
    )
    home = await client.get(f"/m/{tenant.slug}/", headers=HTML)
    assert f'href="/m/{tenant.slug}/beleid/1"' in home.text
    assert '<a href="https://voorbeeld.nl/klachten" rel="noreferrer noopener">Klachtenregeling</a>' in home.text
    page = await client.get(f"/m/{tenant.slug}/beleid/1", headers=HTML)
    assert page.status_code == 200 and "<h1>Gedragscode</h1>" in page.text
    assert "<p>Wij zijn aardig.</p>" in page.text and "<p>Altijd.</p>" in page.text
    assert "set-cookie" not in page.headers
    for number in (0, 2, 3):
        missing = await client.get(f"/m/{tenant.slug}/beleid/{number}", headers=HTML)
        assert missing.status_code == 404 and "Document niet gevonden" in missing.text


async def test_a_policy_page_of_member_b_never_shows_a_document_of_member_a(client, make_tenant: MakeTenant) -> None:
    a = await make_tenant(
        policy_documents=[{"title": "Code van A", "text": "Alleen bij A."}, {"title": "Tweede van A", "text": "A2."}]
    )
    b = await make_tenant(policy_documents=[{"title": "Code van B", "text": "Alleen bij B."}])
    page = await client.get(f"/m/{b.slug}/beleid/1", headers=HTML)
    assert "Code van B" in page.text and "Code van A" not in page.text and "Alleen bij A." not in page.text
    second = await client.get(f"/m/{b.slug}/beleid/2", headers=HTML)
    assert second.status_code == 404 and "Tweede van A" not in second.text and "A2." not in second.text
    assert (await client.get(f"/m/{a.slug}/beleid/2", headers=HTML)).status_code == 200


async def test_the_house_style_sheet_carries_the_checked_colours_and_no_cookie(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant(
        branding={"primary_color": "#2E7D32", "accent_color": "#37474f", "logo_text": "De Linde", "welcome": "Welkom!"}
    )
    sheet = await client.get(f"/m/{tenant.slug}/huisstijl.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    assert "--brand-primary: #2e7d32;" in sheet.text and "--brand-accent: #37474f;" in sheet.text
    assert sheet.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in sheet.headers
    home = await client.get(f"/m/{tenant.slug}/", headers=HTML)
    assert f'<link rel="stylesheet" href="/m/{tenant.slug}/huisstijl.css">' in home.text
    assert "De Linde" in home.text and "Welkom!" in home.text and "style=" not in home.text


async def test_a_colour_that_is_not_a_plain_colour_never_reaches_the_sheet(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant(branding={"primary_color": "red}body{display:none", "accent_color": "#f2a90"})
    sheet = await client.get(f"/m/{tenant.slug}/huisstijl.css")
    assert sheet.status_code == 200 and "display" not in sheet.text
    assert "--brand-primary: #1d4e89;" in sheet.text and "--brand-accent: #f2a900;" in sheet.text
    pale = await make_tenant(branding={"primary_color": "#ffff00"})
    assert "--brand-primary: #1d4e89;" in (await client.get(f"/m/{pale.slug}/huisstijl.css")).text
    assert (await client.get("/m/t-bestaat-niet/huisstijl.css")).status_code == 404
