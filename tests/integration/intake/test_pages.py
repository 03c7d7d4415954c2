"""The reporter's pages: Dutch, no cookies, and a wrong answer keeps everything typed."""

from __future__ import annotations

import re

from tests.conftest import MakeTenant

HTML = {"accept": "text/html"}
VALID = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "bullying",
    "reporter_role": "intern",
    "reporter_is_affected": "true",
    "accused_role": "colleague",
    "setting": "workplace",
    "narrative": "Ze lachen me elke dag uit in de kantine.",
    "wishes": ["listening_ear"],
}


async def test_the_reporting_point_explains_the_ways_and_the_limits_of_anonymity(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    page = await client.get(f"/m/{tenant.slug}/", headers=HTML)
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    for words in (
        "vertrouwenspersoon",
        "Een melding doen",
        "Een klacht indienen",
        "Een signaal doorgeven",
        "Huis voor Klokkenluiders",
        "politie",
        "College voor de Rechten van de Mens",
        "Volledig anoniem",
        "Anoniem, met een code",
    ):
        assert words in page.text
    assert "set-cookie" not in page.headers
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_report_through_the_form_shows_its_receipt_once(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    form = await client.get(f"/m/{tenant.slug}/melden", headers=HTML)
    assert form.status_code == 200 and "Wat is er gebeurd?" in form.text
    done = await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML)
    assert done.status_code == 200, done.text
    assert re.search(r'data-testid="receipt">\d{4} \d{4} \d{4} \d{4}<', done.text)
    assert "set-cookie" not in done.headers


async def test_a_missing_answer_comes_back_in_dutch_with_everything_kept(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    page = await client.post(f"/m/{tenant.slug}/melden", data={**VALID, "category": ""}, headers=HTML)
    assert page.status_code == 400
    assert "Kies een antwoord bij deze vraag." in page.text and 'id="fout-category"' in page.text
    assert "Ze lachen me elke dag uit in de kantine." in page.text
    assert 'value="intern" checked' in page.text and 'value="listening_ear" checked' in page.text
    too_long = await client.post(f"/m/{tenant.slug}/melden", data={**VALID, "narrative": "x" * 20_001}, headers=HTML)
    assert too_long.status_code == 400 and "maximaal 20.000 tekens" in too_long.text


async def test_an_anonymous_complaint_is_refused_with_the_way_to_report_instead(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    page = await client.post(f"/m/{tenant.slug}/melden", data={**VALID, "kind": "complaint"}, headers=HTML)
    assert page.status_code == 400 and "Doe dan een melding" in page.text
    assert "Ze lachen me elke dag uit in de kantine." in page.text


async def test_the_inbox_opens_with_the_receipt_and_takes_a_message(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    done = await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML)
    receipt = re.search(r"(\d{4} \d{4} \d{4} \d{4})", done.text).group(1)  # type: ignore[union-attr]
    opened = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert opened.status_code == 200 and "Nog geen berichten." in opened.text
    added = await client.post(
        f"/m/{tenant.slug}/inbox/bericht", data={"receipt": receipt, "text": "Nog iets."}, headers=HTML
    )
    assert added.status_code == 200 and "Nog iets." in added.text
    wrong = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": "1111 2222 3333 4444"}, headers=HTML)
    assert wrong.status_code == 401 and "Deze code kennen we niet" in wrong.text
    for response in (opened, added, wrong):
        assert "set-cookie" not in response.headers


async def test_roughly_when_is_asked_as_a_choice_and_the_complaint_form_says_what_a_complaint_is(
    client, make_tenant: MakeTenant, app_engine
) -> None:
    from sqlalchemy import text

    tenant = await make_tenant()
    complaint = await client.get(f"/m/{tenant.slug}/melden?soort=klacht", headers=HTML)
    assert "alleen als het u zelf is overkomen" in complaint.text and "Wanneer ongeveer?" in complaint.text
    wrong = await client.post(f"/m/{tenant.slug}/melden", data={**VALID, "when": "gisteren"}, headers=HTML)
    assert wrong.status_code == 400 and 'id="fout-when"' in wrong.text
    done = await client.post(f"/m/{tenant.slug}/melden", data={**VALID, "when": "still_going_on"}, headers=HTML)
    assert done.status_code == 200
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        stored = (await connection.execute(text("SELECT attributes FROM cases"))).scalar_one()
    assert stored["when"] == "still_going_on"
