"""GDPR art. 23 restrictions on what a party reads of the complaint's dossier, against real PostgreSQL: the chair
keeps a piece of evidence from the accused with a reason; the accused's portal stops showing it and shows the
summary instead; the complainant still reads it; lifting shares it again; everything that must reach both parties
can never be withheld; only the declared chair restricts; another tenant's or another complaint's record is not
found."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_
from tests.integration.complaints.conftest import Committee, committee, post, registered
from tests.integration.complaints.test_complaint_track import _heard, problem, rows

WITNESS = "Verklaring van een getuige, met haar naam: Petra Jansen zag het op 3 maart."
SUMMARY = "Een getuige verklaart dat zij het voorval heeft gezien."
RESTRICT = {
    "withheld_from": "accused",
    "reason": "rights_of_others",
    "explanation": "De getuige vreest represailles; haar naam blijft bij de commissie.",
    "summary": SUMMARY,
}


async def _portal_of(client: Any, c: Committee, url: str, party_id: str) -> tuple[str, dict[str, str]]:
    invitation = await post(client, c.secretary, f"{url}/parties/{party_id}/invitation")
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    token = invitation["link"].rsplit("/", 1)[1]
    base = f"/api/v1/p/{c.slug}"
    key = (await client.post(f"{base}/activation", json={"token": token, "code": invitation["code"]})).json()["key"]
    return base, {"X-Party-Link": token, "X-Party-Key": key}


async def _texts(client: Any, base: str, headers: dict[str, str]) -> dict[str, str]:
    """What the party reads in the portal now: each shared document's id and its text."""
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    response = await client.get(f"{base}/portal", headers=headers)
    assert response.status_code == 200, response.text
    texts = {}
    for item in response.json()["shared"]:
        document = await client.get(f"{base}/documents/{item['document_id']}", headers=headers)
        assert document.status_code == 200, document.text
        texts[item["document_id"]] = document.text
    return texts


async def _with_evidence(client: Any, c: Committee, url: str) -> tuple[str, str, str]:
    """Both parties in the portal, heard, and a witness statement added as evidence: the accused's and the
    complainant's party ids and the statement's record id."""
    accused = (await post(client, c.secretary, f"{url}/parties", {"role": "accused", "name": "Bram Verhoeven"}))[0]
    added = await post(client, c.secretary, f"{url}/parties", {"role": "external_complainant", "name": "Sanne Vries"})
    complainant = next(p for p in added if p["role"] == "external_complainant")
    await _heard(client, c, url)
    dossier = await post(client, c.secretary, f"{url}/records", {"kind": "evidence", "text": WITNESS})
    evidence = next(r for r in dossier["records"] if r["kind"] == "evidence")
    return accused["id"], complainant["id"], evidence["id"]


async def test_the_chair_keeps_a_statement_from_the_accused_who_reads_the_summary_until_it_is_lifted(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    accused, complainant, record = await _with_evidence(client, c, url)
    base, accused_portal = await _portal_of(client, c, url, accused)
    _, complainant_portal = await _portal_of(client, c, url, complainant)
    before = await _texts(client, base, accused_portal)
    statement = next(document for document, body in before.items() if WITNESS in body)

    restricted = await post(client, c.chair, f"{url}/records/{record}/restriction", RESTRICT)
    evidence = next(r for r in restricted["records"] if r["id"] == record)
    assert evidence["withheld_from"] == ["accused"]
    assert restricted["content"]["restrictions"] == {f"{record}:accused": RESTRICT["explanation"]}
    summary = next(r for r in restricted["records"] if r["text"] == SUMMARY)
    assert (summary["kind"], summary["visibility"], summary["party"]) == ("evidence", "own_party", "accused")

    after = await _texts(client, base, accused_portal)
    assert statement not in after and not any("Petra Jansen" in body for body in after.values())
    assert any(body == SUMMARY for body in after.values())  # the summary instead, at once
    gone = await client.get(f"{base}/documents/{statement}", headers=accused_portal)
    assert gone.status_code == 404
    theirs = await _texts(client, base, complainant_portal)
    assert any(WITNESS in body for body in theirs.values())  # the other side still reads it
    assert not any(body == SUMMARY for body in theirs.values())  # and never the accused's summary

    audit = await rows(
        app_engine, c, "SELECT action, details FROM audit_entries WHERE action LIKE 'complaint.%restrict%' ORDER BY seq"
    )
    assert [(e, d["withheld_from"], d["reason"], d["shares_withdrawn"]) for e, d in audit] == [
        ("complaint.reading_restricted", "accused", "rights_of_others", 1)
    ]
    assert "Petra" not in str(audit) and "represailles" not in str(audit)  # acts, never the content

    await post(client, c.chair, f"{url}/records/{record}/restriction/lifting", {"withheld_from": "accused"})
    lifted = await _texts(client, base, accused_portal)
    assert any(WITNESS in body for body in lifted.values())
    await as_(client, c.chair)
    again = await client.post(f"{url}/records/{record}/restriction/lifting", json={"withheld_from": "accused"})
    problem(again, 409, "complaint-refused")
    assert "niets op te heffen" in again.json()["detail"]


async def test_a_party_added_after_the_restriction_is_never_given_the_record(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    await _heard(client, c, url)
    dossier = await post(client, c.secretary, f"{url}/records", {"kind": "evidence", "text": WITNESS})
    record = next(r for r in dossier["records"] if r["kind"] == "evidence")["id"]
    no_summary = {key: value for key, value in RESTRICT.items() if key != "summary"}
    restricted = await post(client, c.chair, f"{url}/records/{record}/restriction", no_summary)
    assert [r["withheld_from"] for r in restricted["records"] if r["id"] == record] == [["accused"]]
    accused = (await post(client, c.secretary, f"{url}/parties", {"role": "accused", "name": "Bram Verhoeven"}))[0]
    base, portal = await _portal_of(client, c, url, accused["id"])
    texts = await _texts(client, base, portal)
    assert texts and not any("Petra Jansen" in body for body in texts.values())  # the defence, not the statement


async def test_what_must_reach_both_parties_is_never_withheld_and_only_the_declared_chair_restricts(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    _, _, record = await _with_evidence(client, c, url)
    await post(client, c.chair, f"{url}/records", {"kind": "deliberation", "text": "Alleen voor de commissie."})
    await as_(client, c.chair)
    records = (await client.get(f"{url}/")).json()["records"]
    for kind in ("hearing_record", "deliberation"):
        other = next(r for r in records if r["kind"] == kind)
        refused = await client.post(f"{url}/records/{other['id']}/restriction", json=RESTRICT)
        problem(refused, 409, "complaint-refused")
        assert "verweerschrift en stukken" in refused.json()["detail"]
    bad = await client.post(f"{url}/records/{record}/restriction", json={**RESTRICT, "reason": "the_chair_prefers"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    empty = await client.post(f"{url}/records/{record}/restriction", json={**RESTRICT, "explanation": ""})
    assert empty.status_code == 400

    await as_(client, c.members[0])
    member = await client.post(f"{url}/records/{record}/restriction", json=RESTRICT)
    problem(member, 403, "complaint-not-for-this-seat")
    await as_(client, c.secretary)
    secretary = await client.post(f"{url}/records/{record}/restriction", json=RESTRICT)
    problem(secretary, 403, "complaint-not-for-this-seat")

    await post(client, c.chair, f"{url}/records/{record}/restriction", RESTRICT)
    twice = await client.post(f"{url}/records/{record}/restriction", json=RESTRICT)
    problem(twice, 409, "complaint-refused")
    assert "al voor deze partij beperkt" in twice.json()["detail"]
    both = await client.post(f"{url}/records/{record}/restriction", json={**RESTRICT, "withheld_from": "complainant"})
    assert both.status_code == 201  # kept from each side separately, each with its reason
    assert [r["withheld_from"] for r in both.json()["records"] if r["id"] == record] == [["accused", "complainant"]]


async def test_another_complaints_record_and_another_tenants_complaint_are_not_found(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    _, _, record = await _with_evidence(client, c, url)
    _, other_url = await registered(client, c, app_engine)
    await as_(client, c.chair)
    foreign = await client.post(f"{other_url}/records/{record}/restriction", json=RESTRICT)
    problem(foreign, 404, "complaint-not-found")
    lifted = await client.post(f"{other_url}/records/{record}/restriction/lifting", json={"withheld_from": "accused"})
    problem(lifted, 404, "complaint-not-found")
    elsewhere = url.replace(f"/t/{c.slug}/", f"/t/{c.other.slug}/")
    for path in (f"{elsewhere}/records/{record}/restriction", f"{elsewhere}/records/{record}/restriction/lifting"):
        response = await client.post(
            path, json=RESTRICT if path.endswith("restriction") else {"withheld_from": "accused"}
        )
        assert response.status_code in (403, 404), response.text
        assert "Petra" not in response.text
    unchanged = (await client.get(f"{url}/")).json()["records"]
    assert [r["withheld_from"] for r in unchanged if r["id"] == record] == [[]]


async def test_the_chair_restricts_and_lifts_on_the_complaint_page_and_a_refusal_keeps_the_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    _, _, record = await _with_evidence(client, c, url)
    page = f"/app/t/{c.slug}/klachten/{url.rsplit('/', 1)[1]}"
    html = {"accept": "text/html"}
    await as_(client, c.chair)
    shown = await client.get(page, headers=html)
    assert f"/stukken/{record}/beperken" in shown.text and "AVG art. 23" in shown.text
    fields = {**RESTRICT, "summary": ""}
    done = await client.post(f"{page}/stukken/{record}/beperken", data=fields, headers=html, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = await client.get(page, headers=html)
    assert "Niet gedeeld met de beschuldigde" in shown.text and f"/stukken/{record}/opheffen" in shown.text
    twice = await client.post(f"{page}/stukken/{record}/beperken", data=fields, headers=html, follow_redirects=False)
    assert twice.status_code == 409 and "al voor deze partij beperkt" in twice.text  # the page again, in Dutch
    empty = await client.post(f"{page}/stukken/{record}/beperken", data={}, headers=html, follow_redirects=False)
    assert empty.status_code == 400
    unknown = await client.post(f"{page}/stukken/{record}/wissen", data=fields, headers=html, follow_redirects=False)
    assert unknown.status_code == 404
    lifted = await client.post(
        f"{page}/stukken/{record}/opheffen", data={"withheld_from": "accused"}, headers=html, follow_redirects=False
    )
    assert lifted.status_code == 303
    assert "Niet gedeeld met" not in (await client.get(page, headers=html)).text

    await as_(client, c.members[0])  # a declared member sees the dossier but not the chair's form
    member = await client.get(page, headers=html)
    assert member.status_code == 200 and "/beperken" not in member.text
    refused = await client.post(f"{page}/stukken/{record}/beperken", data=fields, headers=html, follow_redirects=False)
    assert refused.status_code == 403
    elsewhere = page.replace(f"/t/{c.slug}/", f"/t/{c.other.slug}/")
    await as_(client, c.chair)
    foreign = await client.post(
        f"{elsewhere}/stukken/{record}/beperken", data=fields, headers=html, follow_redirects=False
    )
    assert foreign.status_code in (403, 404) and "Petra" not in foreign.text
