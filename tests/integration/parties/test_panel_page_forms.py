"""The panel's parties page, the forms beyond adding and inviting: share a document with a party (for approval,
with a term) and read the answer; set a party's term and see it answered in the portal or mark it met; a
deferral (AVG art. 23) shows with its review date instead of the notice button. Refusals keep what was typed;
another case's document or party is refused like a missing one; another tenant's professional is refused
every new form."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import TODAY, Cast, as_, cast, declared_panel, person
from tests.integration.parties.test_panel_side import _base, _tell_the_reporter
from tests.integration.parties.test_party_terms import ASK, _party_with_key

HTML = {"Accept": "text/html"}


def _page(c: Cast, case: str) -> str:
    return f"/app/t/{c.member.slug}/zaken/{case}/partijen"


async def _post(client: Any, url: str, data: dict[str, str]) -> Any:
    await client.get(url.split("/partijen")[0] + "/partijen", headers=HTML)
    token = client.cookies.get("mp_csrf") or ""
    return await client.post(url, data=data, headers={**HTML, "x-csrf-token": token}, follow_redirects=False)


async def _with_notice(client: Any, c: Cast, app_engine: AsyncEngine) -> tuple[str, str, dict[str, str], str]:
    """A declared panel's case with an activated accused who received the notice (a document of the case)."""
    case = await declared_panel(client, c, app_engine)
    await _tell_the_reporter(client, c, case)
    party, heads = await _party_with_key(client, c, case)
    await as_(client, c.decider)
    document = (await client.post(f"{_base(c, case)}/parties/{party}/notice")).json()["document_id"]
    return case, party, heads, document


async def _files_of(client: Any, c: Cast, case: str, party: str) -> list[tuple[str, str]]:
    """The files a party sent, as the panel's page links them: (document id, file name)."""
    html = (await client.get(f"{_page(c, case)}", headers=HTML)).text
    return re.findall(rf'partijen/{party}/bestand/([0-9a-f-]{{36}})">([^<]+)<', html)


async def test_the_panel_shares_a_record_for_approval_on_its_page_and_reads_the_answer(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, party, heads, document = await _with_notice(client, c, app_engine)
    page = _page(c, case)
    respond_by = (TODAY + timedelta(days=10)).isoformat()
    shown = await client.get(page, headers=HTML)
    assert 'name="audience"' in shown.text and "Kennisgeving van een melding" in shown.text
    record = {"document_id": document, "audience": f"party:{party}", "for_approval": "yes", "respond_by": respond_by}
    refused = await _post(client, f"{page}/delen", {**record, "shows_reporter": "yes"})
    assert refused.status_code == 409 and "niet ingestemd" in refused.text and f'value="{respond_by}"' in refused.text
    shared = await _post(client, f"{page}/delen", record)
    assert shared.status_code == 303, shared.text
    listing = (await client.get(page, headers=HTML)).text
    assert "ter goedkeuring" in listing and "Nog geen antwoord." in listing

    api = (await client.get(f"{_base(c, case)}/shares")).json()
    approval = next(s for s in api if s["for_approval"])
    assert (approval["party_id"], approval["respond_by"], approval["answers"]) == (party, respond_by, [])
    client.cookies.clear()
    answer = {"verdict": "commented", "comment": "Regel 3 klopt niet."}
    responded = await client.post(f"/api/v1/p/{c.member.slug}/responses/{approval['id']}", json=answer, headers=heads)
    assert responded.status_code == 201
    await as_(client, c.decider)
    assert "Regel 3 klopt niet." in (await client.get(page, headers=HTML)).text
    [read] = [s for s in (await client.get(f"{_base(c, case)}/shares")).json() if s["for_approval"]]
    assert [(a["verdict"], a["comment"]) for a in read["answers"]] == [("commented", "Regel 3 klopt niet.")]
    everyone = await _post(client, f"{page}/delen", {"document_id": document, "audience": "role:witness"})
    assert everyone.status_code == 303
    assert "iedere partij met de rol getuige" in (await client.get(page, headers=HTML)).text


async def test_the_panel_sets_a_term_on_its_page_which_the_party_answers_in_the_portal(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    party, heads = await _party_with_key(client, c, case)
    await as_(client, c.decider)
    page = _page(c, case)
    past = (TODAY - timedelta(days=2)).isoformat()
    refused = await _post(client, f"{page}/{party}/termijn", {"ask": ASK["ask"], "due_on": past})
    assert refused.status_code == 409 and "verleden" in refused.text and ASK["ask"] in refused.text
    for ask in (ASK["ask"], "Wie kan dit bevestigen?"):
        assert (await _post(client, f"{page}/{party}/termijn", {**ASK, "ask": ask})).status_code == 303
    listing = (await client.get(page, headers=HTML)).text
    assert ASK["ask"] in listing and "Markeer als voldaan" in listing
    terms = (await client.get(f"{_base(c, case)}/parties/{party}/terms")).json()
    first, second = (next(t for t in terms if t["ask"] == ask) for ask in (ASK["ask"], "Wie kan dit bevestigen?"))

    client.cookies.clear()
    portal = f"/p/{c.member.slug}/uitnodiging/{heads['X-Party-Link']}"
    key = heads["X-Party-Key"]
    opened = await client.post(portal, data={"code": key}, headers=HTML)
    assert ASK["ask"] in opened.text and f"/termijn/{first['id']}" in opened.text
    empty = await client.post(f"{portal}/termijn/{first['id']}", data={"key": key, "text": ""}, headers=HTML)
    assert empty.status_code == 409
    answered = await client.post(
        f"{portal}/termijn/{first['id']}",
        data={"key": key, "text": "Mijn schriftelijke reactie."},
        files={"attachments": ("reactie.txt", b"Bijlage bij mijn reactie.", "text/plain")},
        headers=HTML,
    )
    assert answered.status_code == 200 and "Mijn schriftelijke reactie." in answered.text
    assert f"/termijn/{first['id']}" not in answered.text and "bijlage-1.txt" in answered.text

    await as_(client, c.decider)
    listing = (await client.get(page, headers=HTML)).text
    file_link = re.search(rf"partijen/{party}/bestand/([0-9a-f-]{{36}})", listing)
    assert file_link and "bijlage-1.txt" in listing  # the file the party sent with the answer
    download = await client.get(f"{page}/{party}/bestand/{file_link.group(1)}")
    assert download.status_code == 200 and download.content == b"Bijlage bij mijn reactie."
    api = await client.get(f"{_base(c, case)}/parties/{party}/files/{file_link.group(1)}")
    assert api.status_code == 200 and api.content == b"Bijlage bij mijn reactie."
    marked = await _post(client, f"{page}/{party}/termijn/{second['id']}/voldaan", {})
    assert marked.status_code == 303
    listing = (await client.get(page, headers=HTML)).text
    assert "beantwoord door de partij" in listing and "als voldaan gemarkeerd" in listing
    assert "Markeer als voldaan" not in listing


async def test_a_deferral_shows_with_its_review_date_instead_of_the_notice_button(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    await _tell_the_reporter(client, c, case)
    party, _ = await _party_with_key(client, c, case)
    await as_(client, c.decider)
    page = _page(c, case)
    assert "/kennisgeving" in (await client.get(page, headers=HTML)).text
    review = TODAY + timedelta(days=20)
    deferred = await client.post(
        f"{_base(c, case)}/steps",
        json={
            "type": "notice_deferred",
            "reason": "reprisal_risk",
            "review_on": review.isoformat(),
            "explanation": "x" * 12,
        },
    )
    assert deferred.status_code == 201, deferred.text
    held = (await client.get(page, headers=HTML)).text
    assert f"tot de herbeoordeling op {review.strftime('%d-%m-%Y')}" in held
    assert f"{party}/kennisgeving" not in held
    english = (await client.get(f"{page}?lang=en", headers=HTML)).text
    assert f"until the review on {review.strftime('%d-%m-%Y')}" in english


async def test_another_cases_document_or_party_is_refused_and_another_tenant_gets_no_form(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, party, _, _ = await _with_notice(client, c, app_engine)
    other_case, other_party, other_heads, other_document = await _with_notice(client, c, app_engine)
    page = _page(c, case)
    foreign = await _post(client, f"{page}/delen", {"document_id": other_document, "audience": f"party:{party}"})
    assert foreign.status_code == 409 and "hoort niet bij deze zaak" in foreign.text
    missing_party = await _post(client, f"{page}/{other_party}/termijn", ASK)
    assert missing_party.status_code == 404
    other_term = (await client.post(f"{_base(c, other_case)}/parties/{other_party}/terms", json=ASK)).json()
    assert (await _post(client, f"{page}/{party}/termijn/{other_term['id']}/voldaan", {})).status_code == 404
    # A file the other case's party sent, and a document that is not a party's file: not found here.
    client.cookies.clear()
    sent = await client.post(
        f"/p/{c.member.slug}/uitnodiging/{other_heads['X-Party-Link']}/bericht",
        data={"key": other_heads["X-Party-Key"], "text": ""},
        files={"attachments": ("stuk.txt", b"Van de andere zaak.", "text/plain")},
        headers=HTML,
    )
    assert sent.status_code == 200
    await as_(client, c.decider)
    [(sent_file, _)] = await _files_of(client, c, other_case, other_party)
    for owner, document in ((party, sent_file), (other_party, sent_file), (party, other_document)):
        assert (await client.get(f"{page}/{owner}/bestand/{document}", headers=HTML)).status_code == 404
        assert (await client.get(f"{_base(c, case)}/parties/{owner}/files/{document}")).status_code == 404
    assert (await client.get(f"{_page(c, other_case)}/{other_party}/bestand/{sent_file}")).status_code == 200

    elsewhere = await make_tenant()
    stranger = await person(app_engine, settings, elsewhere, {elsewhere: (Role.DECISION_MAKER,)})
    await as_(client, stranger)
    await client.get(f"/app/t/{elsewhere.slug}", headers=HTML)
    token = client.cookies.get("mp_csrf") or ""
    term = uuid.uuid4()
    for path in ("/delen", f"/{party}/termijn", f"/{party}/termijn/{term}/voldaan"):
        response = await client.post(page + path, data=ASK, headers={**HTML, "x-csrf-token": token})
        assert response.status_code == 403, (path, response.status_code)
    assert (await client.get(f"{page}/{party}/bestand/{sent_file}", headers=HTML)).status_code == 403
    assert (await client.get(f"{_base(c, case)}/parties/{party}/files/{sent_file}")).status_code == 403


async def test_naming_a_witness_on_the_page_asks_the_panel_to_declare_again_before_it_reads_on(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, party, _, _ = await _with_notice(client, c, app_engine)
    page = _page(c, case)
    companion = await _post(client, page + "/", {"role": "companion", "name": "Bas Bijstand", "accompanies": party})
    assert companion.status_code == 303 and companion.headers["location"].endswith("/partijen")  # nobody new
    assert (await client.get(page, headers=HTML)).status_code == 200
    second = await _post(client, page + "/", {"role": "accused", "name": "Tweede Beschuldigde"})
    assert second.status_code == 303 and second.headers["location"].endswith(f"/zaken/{case}")
    refused = await client.get(page, headers=HTML)
    assert refused.status_code == 403  # a person newly named: nothing of the case until declared again
    case_page = await client.get(f"/app/t/{c.member.slug}/zaken/{case}", headers=HTML)
    assert "Verklaar opnieuw" in case_page.text and "Tweede Beschuldigde" not in case_page.text
    again = {"involved": False, "statement": "Ik ken de tweede beschuldigde niet."}
    assert (await client.post(f"{_base(c, case)}/declaration", json=again)).status_code == 201
    witness = await _post(client, page + "/", {"role": "witness", "name": "Wim Getuige"})
    assert witness.status_code == 303 and witness.headers["location"].endswith(f"/zaken/{case}")
    await as_(client, c.expert)  # every seat that declared is asked, each for itself
    assert (await client.get(f"{_base(c, case)}")).json()["type"].endswith("/declare-again")
