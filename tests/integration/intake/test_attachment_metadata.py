"""Hidden data in a reporter's files: real files of every accepted kind, each carrying an author, a place,
a title or a name, go in through the public form and API and come out at the reporting point without it,
still opening, and named by their number in the case (``bijlage-N.ext``), never by the reporter's name."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
from typing import Any
from xml.etree import ElementTree

import pikepdf
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.intake.test_attachments import receipt_of
from tests.integration.intake.test_pages import HTML, VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.support.files import (
    MARKERS,
    PDF_BODY,
    RECORDED,
    docx_with_metadata,
    heic_with_exif,
    media_with_location,
    mp3_with_tags,
    odt_with_metadata,
    pdf_with_metadata,
)

# The names on the reporter's device say who and when: none may come back.
DEVICE_NAMES = {
    "pdf": "aangifte-jansen-2026-11-02.pdf",
    "docx": "verslag van Jan Jansen.docx",
    "odt": "gesprek-de-vries.odt",
    "mp3": "opname-kantoor-utrecht.mp3",
    "heic": "IMG_4471-jansen.heic",
    "mp4": "video-teamuitje-jansen.mp4",
    "m4a": "spraakmemo-jansen.m4a",
    "mov": "IMG_4472-jansen.mov",
}


def readable(data: bytes) -> bytes:
    """Everything a tool can read out of the file: its bytes, every unpacked zip entry and the zip comment,
    and every PDF object with its decoded stream."""
    seen = [data]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            seen.append(package.comment)
            seen.extend(package.read(entry) for entry in package.infolist())
            seen.extend(entry.comment + entry.extra for entry in package.infolist())
    if data.startswith(b"%PDF"):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            seen.append(repr(pdf.trailer).encode())
            for item in pdf.objects:
                seen.append(repr(item).encode())
                if isinstance(item, pikepdf.Stream):
                    seen.append(item.read_raw_bytes())
                    with contextlib.suppress(pikepdf.PdfError):  # a JPEG stands as it is in its raw bytes
                        seen.append(item.read_bytes())
    return b"\n".join(seen)


def opens(kind: str, data: bytes) -> None:
    """The cleaned file still opens as what it is, with its content."""
    if kind == "pdf":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == 1 and "/Metadata" not in pdf.Root and "/Author" not in pdf.docinfo
            assert PDF_BODY.encode() in pdf.pages[0].Contents.read_bytes()
            photo = pikepdf.PdfImage(pdf.pages[0].Resources.XObject.Im0).as_pil_image()
            assert photo.size == (64, 48) and not photo.getexif()  # the photo is there, its EXIF is not
    elif kind in ("docx", "odt"):
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert package.testzip() is None
            for name in package.namelist():
                if name.endswith(".xml"):
                    ElementTree.fromstring(package.read(name))
            text = package.read("word/document.xml" if kind == "docx" else "content.xml")
            assert b"Wat er gebeurde." in text
            if kind == "odt":
                first = package.infolist()[0]
                assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    elif kind == "mp3":
        audio = MP3(io.BytesIO(data))  # type: ignore[no-untyped-call]
        assert audio.tags is None and audio.info.length > 0
    elif kind in ("mp4", "m4a", "mov"):
        media = MP4(io.BytesIO(data))  # type: ignore[no-untyped-call]
        assert not media.tags and media.info.length == 1.0  # the sound track is still one second long
        assert struct.pack(">I", RECORDED) not in data  # nor when it was recorded
    else:
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and not image.getexif() and image.size == (64, 48)


async def test_every_accepted_kind_comes_out_without_its_hidden_data_and_named_by_its_number(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    made = {
        "pdf": pdf_with_metadata(),
        "docx": docx_with_metadata(),
        "odt": odt_with_metadata(),
        "mp3": mp3_with_tags(),
        "heic": heic_with_exif(),
        "mp4": media_with_location(b"isom"),
        "m4a": media_with_location(b"M4A "),
        "mov": media_with_location(b"qt  "),
    }
    # The test's files do carry what must go (zip parts are compressed, so look inside them).
    for kind, data in made.items():
        inside = readable(data)
        assert any(marker.encode() in inside for marker in MARKERS.values()), kind
    form = [("attachments", (DEVICE_NAMES[k], made[k], "application/octet-stream")) for k in list(made)[:5]]
    done = await client.post(f"/m/{tenant.slug}/melden", data=VALID, files=form, headers=HTML)
    assert done.status_code == 200 and "Toegevoegde bestanden: 5." in done.text, done.text
    receipt = receipt_of(done)
    api = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/attachments",
        data={"receipt": receipt},
        files=[("attachments", (DEVICE_NAMES[k], made[k], "video/mp4")) for k in list(made)[5:]],
    )
    assert api.status_code == 201, api.text
    expected = ["bijlage-1.pdf", "bijlage-2.docx", "bijlage-3.odt", "bijlage-4.mp3", "bijlage-5.jpg"]
    expected += ["bijlage-6.mp4", "bijlage-7.m4a", "bijlage-8.mp4"]  # the MOV's content says MP4 (ftyp)
    assert [a["filename"] for a in api.json()] == expected
    inbox = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert all(name in inbox.text for name in expected)
    assert not any(name in inbox.text for name in DEVICE_NAMES.values())

    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    detail = (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).json()
    assert [a["filename"] for a in detail["attachments"]] == expected
    page = await client.get(f"/app/t/{tenant.slug}/meldingen/{case_id}")
    assert not any(name in page.text for name in DEVICE_NAMES.values())
    for kind, listed in zip(made, detail["attachments"], strict=True):
        path = f"/t/{tenant.slug}/submissions/{case_id}/attachments/{listed['id']}"
        for url in (f"/api/v1{path}", f"/app/t/{tenant.slug}/meldingen/{case_id}/bijlagen/{listed['id']}"):
            download = await client.get(url)
            assert download.status_code == 200, (kind, url)
            assert download.headers["content-disposition"] == (
                f"attachment; filename=\"{listed['filename']}\"; filename*=UTF-8''{listed['filename']}"
            )
            inside = readable(download.content)
            assert [name for name, marker in MARKERS.items() if marker.encode() in inside] == [], kind
            assert DEVICE_NAMES[kind].encode() not in inside
            opens(kind, download.content)


def locked_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    return out.getvalue()


async def test_a_file_that_cannot_be_cleaned_is_refused_with_a_clear_message_and_the_text_kept(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    damaged = docx_with_metadata()[:-200]  # the zip's directory is cut off: nothing can be rewritten
    refusals: list[tuple[str, bytes, str, str]] = [
        ("slot.pdf", locked_pdf(), "Het bestand slot.pdf is met een wachtwoord beveiligd", "is protected with a"),
        ("kapot.docx", damaged, "Het bestand kapot.docx is beschadigd", "The file kapot.docx is damaged"),
        ("kapot.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(300), "kapot.mp3 is beschadigd", "is damaged"),
    ]
    for name, data, dutch, english in refusals:
        files: list[tuple[str, Any]] = [("attachments", (name, data, "application/octet-stream"))]
        page = await client.post(f"/m/{tenant.slug}/melden", data=VALID, files=files, headers=HTML)
        assert page.status_code == 400 and dutch in page.text, (name, page.text)
        assert "Ze lachen me elke dag uit in de kantine." in page.text
        english_page = await client.post(f"/m/{tenant.slug}/melden?lang=en", data=VALID, files=files, headers=HTML)
        assert english_page.status_code == 400 and english in english_page.text, name
    receipt = receipt_of(await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML))
    api = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/attachments",
        data={"receipt": receipt},
        files=[("attachments", ("slot.pdf", locked_pdf(), "application/pdf"))],
    )
    assert api.status_code == 400 and api.headers["content-type"].startswith("application/problem+json")
    assert "wachtwoord" in api.json()["detail"]
    inbox = await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})
    assert inbox.json()["attachments"] == []
