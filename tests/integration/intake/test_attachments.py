"""Files from the reporter: checked by content, photos cleaned of hidden data, stored encrypted, listed in
the inbox, downloaded (audited) by the reporting point only; a wrong file loses nothing typed."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.intake.attachments import MAX_FILE_BYTES
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.intake.test_pages import HTML, VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.support.files import PDF_BODY

ARTIST = "marker-exif-artist-91c2"


def plain_pdf() -> bytes:
    """A real one-page PDF whose page shows ``PDF_BODY``."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj["/Contents"] = pdf.make_stream(f"BT /F1 12 Tf 20 100 Td ({PDF_BODY}) Tj ET".encode() * 20)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


PDF = plain_pdf()


def photo_with_hidden_data() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = ARTIST  # Artist
    exif[0x0112] = 6  # Orientation: rotated; the clean copy is turned upright
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def receipt_of(page: Any) -> str:
    return re.search(r"(\d{4} \d{4} \d{4} \d{4})", page.text).group(1)  # type: ignore[union-attr]


async def test_a_report_with_a_photo_and_a_pdf_stores_them_encrypted_and_cleaned(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    files = [
        ("attachments", ("foto.jpg", photo_with_hidden_data(), "image/jpeg")),
        ("attachments", ("brief.pdf", PDF, "application/pdf")),
    ]
    done = await client.post(f"/m/{tenant.slug}/melden", data=VALID, files=files, headers=HTML)
    assert done.status_code == 200, done.text
    assert "Toegevoegde bestanden: 2." in done.text
    receipt = receipt_of(done)

    # At rest: no plaintext in any stored object, and no file name in an object key.
    stored = [p for p in Path(settings.storage_directory).rglob("*") if p.is_file()]
    assert PDF_BODY.encode() in PDF
    assert stored and not any(PDF_BODY.encode() in p.read_bytes() or ARTIST.encode() in p.read_bytes() for p in stored)
    assert not any("brief" in str(p) or "foto" in str(p) for p in stored)

    inbox = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert "bijlage-1.jpg" in inbox.text and "bijlage-2.pdf" in inbox.text
    assert "foto.jpg" not in inbox.text and "brief.pdf" not in inbox.text  # the names on the device are not kept

    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    detail = (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).json()
    listed = {a["filename"]: a for a in detail["attachments"]}
    assert set(listed) == {"bijlage-1.jpg", "bijlage-2.pdf"} and all(a["from_reporter"] for a in listed.values())

    pdf = await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}/attachments/{listed['bijlage-2.pdf']['id']}")
    assert pdf.status_code == 200
    with pikepdf.open(io.BytesIO(pdf.content)) as opened:
        assert PDF_BODY.encode() in opened.pages[0].Contents.read_bytes()
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in pdf.headers["content-security-policy"]

    photo = await client.get(f"/app/t/{tenant.slug}/meldingen/{case_id}/bijlagen/{listed['bijlage-1.jpg']['id']}")
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/jpeg")
    assert ARTIST.encode() not in photo.content
    cleaned = Image.open(io.BytesIO(photo.content))
    assert cleaned.size == (48, 64)  # turned upright before the orientation tag was dropped
    assert not cleaned.getexif()

    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        reads = (
            await connection.execute(text("SELECT count(*) FROM audit_entries WHERE action = 'document.read'"))
        ).scalar()
    assert reads == 2


async def test_a_wrong_file_is_refused_in_dutch_and_everything_typed_is_kept(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    cases = {
        "programma.exe": (b"MZ\x90\x00" + b"\x00" * 200, "Het bestand programma.exe kunnen we niet aannemen"),
        "archief.zip": (b"PK\x03\x04" + b"\x00" * 200, "Het bestand archief.zip kunnen we niet aannemen"),
        "leeg.pdf": (b"", "Het bestand leeg.pdf is leeg."),
        "groot.pdf": (b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES, "Het bestand groot.pdf is groter dan 10 MB"),
        "nep.pdf": (b"dit is geen pdf maar tekst", "Het bestand nep.pdf kunnen we niet aannemen"),
    }
    for name, (content, message) in cases.items():
        page = await client.post(
            f"/m/{tenant.slug}/melden",
            data=VALID,
            files=[("attachments", (name, content, "application/pdf"))],
            headers=HTML,
        )
        assert page.status_code == 400, name
        assert message in page.text and 'id="fout-attachments"' in page.text, name
        assert "Ze lachen me elke dag uit in de kantine." in page.text and 'value="intern" checked' in page.text
        assert "Kies uw bestanden opnieuw" in page.text
    six = [("attachments", (f"{i}.pdf", PDF, "application/pdf")) for i in range(6)]
    page = await client.post(f"/m/{tenant.slug}/melden", data=VALID, files=six, headers=HTML)
    assert page.status_code == 400 and "hooguit 5 bestanden" in page.text
    # Nothing was registered by the refused attempts.
    opened = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": "0000 0000 0000 0000"}, headers=HTML)
    assert opened.status_code == 401


async def test_a_plain_text_file_is_accepted_and_another_fields_error_asks_for_the_files_again(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    note = [("attachments", ("aantekeningen.txt", b"Maandag 9:00, kantine.", "text/plain"))]
    missing = await client.post(
        f"/m/{tenant.slug}/melden", data={**VALID, "setting": "nergens"}, files=note, headers=HTML
    )
    assert missing.status_code == 400 and "Kies uw bestanden opnieuw" in missing.text
    done = await client.post(f"/m/{tenant.slug}/melden", data=VALID, files=note, headers=HTML)
    assert done.status_code == 200 and "Toegevoegde bestanden: 1." in done.text


async def test_the_reporter_adds_files_in_the_inbox_by_page_and_api(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML))
    page = await client.post(
        f"/m/{tenant.slug}/inbox/bericht",
        data={"receipt": receipt, "text": ""},
        files=[("attachments", ("verslag.pdf", PDF, "application/pdf"))],
        headers=HTML,
    )
    assert page.status_code == 200 and "Uw bestanden zijn toegevoegd." in page.text and "bijlage-1.pdf" in page.text
    refused = await client.post(
        f"/m/{tenant.slug}/inbox/bericht",
        data={"receipt": receipt, "text": "Mijn toelichting blijft staan."},
        files=[("attachments", ("virus.exe", b"MZ" + b"\x00" * 100, "application/octet-stream"))],
        headers=HTML,
    )
    assert refused.status_code == 400 and "virus.exe kunnen we niet aannemen" in refused.text
    assert "Mijn toelichting blijft staan." in refused.text
    api = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/attachments",
        data={"receipt": receipt},
        files=[("attachments", ("tweede.pdf", PDF, "application/pdf"))],
    )
    assert api.status_code == 201 and [a["filename"] for a in api.json()] == ["bijlage-1.pdf", "bijlage-2.pdf"]
    bad = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/attachments",
        data={"receipt": receipt},
        files=[("attachments", ("x.exe", b"MZ" + b"\x00" * 100, "application/pdf"))],
    )
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})).json()["attachments"][
        1
    ]["filename"] == "bijlage-2.pdf"


async def test_attachments_of_a_are_out_of_reach_from_b_and_from_another_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    a, b = await make_tenant(), await make_tenant()
    files = [("attachments", ("a.pdf", PDF, "application/pdf"))]
    receipt = receipt_of(await client.post(f"/m/{a.slug}/melden", data=VALID, files=files, headers=HTML))
    await client.post(f"/m/{a.slug}/melden", data=VALID, headers=HTML)
    await as_professional(client, await reporting_point(app_engine, settings, a, a))
    listed = (await client.get("/api/v1/submissions")).json()
    details = [(await client.get(f"/api/v1/t/{a.slug}/submissions/{item['id']}")).json() for item in listed]
    with_file = next(d for d in details if d["attachments"])
    other = next(d for d in details if not d["attachments"])
    document = with_file["attachments"][0]["id"]
    wrong_case = await client.get(f"/api/v1/t/{a.slug}/submissions/{other['id']}/attachments/{document}")
    assert wrong_case.status_code == 404
    await as_professional(client, await reporting_point(app_engine, settings, b, b))
    for path in (
        f"/api/v1/t/{a.slug}/submissions/{with_file['id']}/attachments/{document}",
        f"/api/v1/t/{b.slug}/submissions/{with_file['id']}/attachments/{document}",
        f"/app/t/{a.slug}/meldingen/{with_file['id']}/bijlagen/{document}",
        f"/app/t/{b.slug}/meldingen/{with_file['id']}/bijlagen/{document}",
    ):
        response = await client.get(path)
        assert response.status_code in (403, 404), path
        assert PDF_BODY.encode() not in response.content
    client.cookies.clear()
    at_b = await client.post(
        f"/api/v1/public/{b.slug}/inbox/attachments",
        data={"receipt": receipt},
        files=[("attachments", ("x.pdf", PDF, "application/pdf"))],
    )
    assert at_b.status_code == 401


async def test_the_public_api_is_documented_in_openapi_with_the_multipart_upload(client) -> None:
    spec = (await client.get("/schema")).json()
    public = {path for path in spec["paths"] if path.startswith("/api/v1/public/{tenant}")}
    assert {
        "/api/v1/public/{tenant}/submissions",
        "/api/v1/public/{tenant}/inbox",
        "/api/v1/public/{tenant}/inbox/messages",
        "/api/v1/public/{tenant}/inbox/attachments",
        "/api/v1/public/{tenant}/inbox/identity",
        "/api/v1/public/{tenant}/inbox/withdrawal",
    } <= public
    upload = spec["paths"]["/api/v1/public/{tenant}/inbox/attachments"]["post"]["requestBody"]["content"]
    schema = upload["multipart/form-data"]["schema"]
    assert schema["properties"]["attachments"]["items"]["format"] == "binary"
    assert "/api/v1/t/{tenant}/cases/{case_id}/steps" in spec["paths"]
