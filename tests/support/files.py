"""Real files that carry hidden data (an author, a place, a title), made in memory for the tests: a PDF with
document information, XMP and a comment author; Word and OpenDocument packages with their properties and
comment authors; an MP3 with ID3 tags; MP4, M4A and MOV files with tags and a recording place (©xyz)."""

from __future__ import annotations

import io
import struct
import zipfile

import pikepdf
import pillow_heif
from mutagen.id3 import COMM, ID3, TIT2, TPE1
from mutagen.mp4 import MP4
from PIL import Image

# Each marker stands for a piece of hidden data; none may be in a downloaded file.
MARKERS = {
    "author": "marker-author-jansen-4f1a",
    "creator": "marker-creator-laptop-of-jansen-88b2",
    "xmp": "marker-xmp-creator-19cc",
    "editor": "marker-last-modified-by-de-vries-2d07",
    "company": "marker-company-bv-6e3b",
    "custom": "marker-custom-property-a9e4",
    "comment": "marker-comment-author-pietersen-77c0",
    "title": "marker-title-gesprek-met-manager-5b1d",
    "place": "+52.0907+005.1214/",
    "artist": "marker-artist-recorder-of-jansen-c3f0",
    "photographer": "marker-exif-in-pdf-photo-0b8e",
    "template": "marker-template-path-users-jansen-e51d",
}
PDF_BODY = "marker-pdf-body-55e1"  # what the reporter shows: it stays
RECORDED = 3_900_000_000  # seconds since 1904: the moment a recording was made


def photo_with_exif(artist: str) -> bytes:
    """A JPEG photo with the photographer's name in its EXIF."""
    exif = Image.Exif()
    exif[0x013B] = artist  # Artist
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    """A one-page PDF with /Author, /Creator, /Title, XMP, a comment by a named author, and a photo put in
    as it was (a scanning app does that), its EXIF inside the image stream."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    photo = pdf.make_stream(
        photo_with_exif(MARKERS["photographer"]),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=64,
        Height=48,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    page.obj["/Resources"] = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=photo))
    page.obj["/Contents"] = pdf.make_stream(
        f"BT /F1 12 Tf 20 100 Td ({PDF_BODY}) Tj ET q 64 0 0 48 0 0 cm /Im0 Do Q".encode()
    )
    page.obj["/Annots"] = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[10, 10, 30, 30],
                    Contents=pikepdf.String("Zie hier"),
                    T=pikepdf.String(MARKERS["comment"]),
                )
            ]
        )
    )
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [MARKERS["xmp"]]
    pdf.docinfo["/Author"] = MARKERS["author"]
    pdf.docinfo["/Creator"] = MARKERS["creator"]
    pdf.docinfo["/Title"] = MARKERS["title"]
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def _zip(parts: list[tuple[str, str]], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for index, (name, content) in enumerate(parts):
            kind = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            package.writestr(name, content, compress_type=kind)
        package.comment = MARKERS["author"].encode()
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with_metadata() -> bytes:
    """A Word package with dc:creator, cp:lastModifiedBy, a company, a custom property and a comment."""
    return _zip(
        [
            (
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                'document.main+xml"/></Types>',
            ),
            (
                "_rels/.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
            ),
            (
                "word/document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'
                f'Wat er gebeurde.</w:t></w:r></w:p><w:p><w:ins w:id="1" w:author="{MARKERS["editor"]}" '
                'w:date="2026-11-02T10:00:00Z"><w:r><w:t>Later toegevoegd.</w:t></w:r></w:ins></w:p>'
                "</w:body></w:document>",
            ),
            (
                "word/comments.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:comments xmlns:w="{W}"><w:comment w:id="0" '
                f'w:author="{MARKERS["comment"]}" w:initials="JP"><w:p><w:r><w:t>Klopt dit?</w:t></w:r></w:p>'
                "</w:comment></w:comments>",
            ),
            (
                "word/settings.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="{W}" xmlns:r="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships"><w:attachedTemplate r:id="rId1"/>'
                "</w:settings>",
            ),
            (
                "word/_rels/settings.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/attachedTemplate" Target="file:///C:\\Users\\'
                f'{MARKERS["template"]}\\Sjablonen\\Brief.dotm" TargetMode="External"/></Relationships>',
            ),
            (
                "docProps/core.xml",
                '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.'
                'org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{MARKERS['title']}</dc:title><dc:creator>{MARKERS['author']}</dc:creator>"
                f"<cp:lastModifiedBy>{MARKERS['editor']}</cp:lastModifiedBy></cp:coreProperties>",
            ),
            (
                "docProps/app.xml",
                '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/extended-properties"><Company>{MARKERS["company"]}</Company>'
                f"<Manager>{MARKERS['creator']}</Manager></Properties>",
            ),
            (
                "docProps/custom.xml",
                '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
                'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
                '2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
                f'name="Eigenaar"><vt:lpwstr>{MARKERS["custom"]}</vt:lpwstr></property></Properties>',
            ),
        ]
    )


ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def odt_with_metadata() -> bytes:
    """An OpenDocument text with an initial creator, a creator, a title and a comment by a named author."""
    return _zip(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            (
                "META-INF/manifest.xml",
                '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path='
                '"/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/><manifest:file-entry '
                'manifest:full-path="meta.xml" manifest:media-type="text/xml"/></manifest:manifest>',
            ),
            (
                "content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{ODF_OFFICE}" '
                'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/'
                '1.1/" office:version="1.2"><office:body><office:text><text:p>Wat er gebeurde.<office:annotation>'
                f"<dc:creator>{MARKERS['comment']}</dc:creator><text:p>Klopt dit?</text:p></office:annotation>"
                "</text:p></office:text></office:body></office:document-content>",
            ),
            (
                "meta.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="{ODF_OFFICE}" '
                'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/'
                f'1.1/" office:version="1.2"><office:meta><meta:initial-creator>{MARKERS["author"]}'
                f"</meta:initial-creator><dc:creator>{MARKERS['editor']}</dc:creator><dc:title>{MARKERS['title']}"
                "</dc:title></office:meta></office:document-meta>",
            ),
        ],
        stored_first=True,
    )


def _mp3_frames(count: int = 40) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no CRC, no padding: 417 bytes a frame; silence.
    frame = b"\xff\xfb\x90\x64" + bytes(417 - 4)
    return frame * count


def mp3_with_tags() -> bytes:
    """Silent MP3 frames with an ID3v2 tag (artist, title, comment) in front and an ID3v1 tag at the end."""
    buffer = io.BytesIO(_mp3_frames())
    tags = ID3()
    tags.add(TPE1(encoding=3, text=[MARKERS["artist"]]))
    tags.add(TIT2(encoding=3, text=[MARKERS["title"]]))
    tags.add(COMM(encoding=3, lang="nld", desc="", text=[MARKERS["comment"]]))
    tags.save(buffer, v1=2)
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, payload: bytes, version: int = 0) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + payload)


def media_with_location(brand: bytes = b"isom") -> bytes:
    """An MP4 (``isom``), M4A (``M4A ``) or MOV (``qt  ``) with one sound track, the place of recording as
    QuickTime's ``©xyz`` in ``moov/udta``, a recording time in the headers, and a title and artist that
    mutagen writes as iTunes tags (``moov/udta/meta/ilst``)."""
    mvhd = _full_box(b"mvhd", struct.pack(">IIII", RECORDED, RECORDED, 1000, 1000) + bytes(80))
    mdhd = _full_box(b"mdhd", struct.pack(">IIIIHH", RECORDED, RECORDED, 44100, 44100, 0x15C7, 0))
    hdlr = _full_box(b"hdlr", b"\x00\x00\x00\x00soun" + bytes(12) + b"SoundHandler\x00")
    trak = _box(b"trak", _box(b"mdia", mdhd + hdlr))
    place = MARKERS["place"].encode()
    udta = _box(b"udta", _box("©xyz".encode("latin-1"), struct.pack(">HH", len(place), 0x15C7) + place))
    data = (
        _box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"mp41")
        + _box(b"moov", mvhd + trak + udta)
        + _box(b"mdat", bytes(64))
    )
    buffer = io.BytesIO(data)
    tagged = MP4(buffer)
    tagged.add_tags()
    assert tagged.tags is not None
    tagged.tags["©nam"] = [MARKERS["title"]]
    tagged.tags["©ART"] = [MARKERS["artist"]]
    tagged.save(buffer)
    return buffer.getvalue()


def heic_with_exif() -> bytes:
    """A HEIC photo with the photographer's name in its EXIF, taken rotated."""
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x013B] = MARKERS["artist"]  # Artist
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()
