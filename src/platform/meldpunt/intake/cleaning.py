"""Hidden data taken out of a reporter's file before it is stored: who wrote a document, where and when a
recording was made, the names and titles in its tags. Parsed in memory only (never a temporary file, see
docs/intake.md); a file that cannot be cleaned is refused, never stored as it came.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import mutagen
import pikepdf
import pillow_heif
from mutagen.apev2 import delete as delete_ape
from mutagen.id3 import delete as delete_id3
from mutagen.mp3 import MP3
from PIL import Image, ImageOps

IMAGE_PIXELS_LIMIT = 50_000_000
# An Office file is a zip: its unpacked size is bounded so that a small "zip bomb" cannot fill memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000

pillow_heif.register_heif_opener()


class CannotClean(Exception):
    """The file cannot be read far enough to clean it; ``reason`` is a key of the refusal texts."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def redrawn_image(data: bytes, kind: str) -> bytes:
    """A photo redrawn without EXIF, XMP or text chunks (location, camera, owner) and turned upright; a
    HEIC photo comes out as JPEG (its EXIF sits in the container; a redraw is the sure way to drop it)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > IMAGE_PIXELS_LIMIT:
                raise CannotClean("too_large")
            upright = ImageOps.exif_transpose(image)
            mode = upright.mode if kind == "png" or upright.mode in ("RGB", "L", "CMYK") else "RGB"
            clean = Image.new(mode, upright.size)
            clean.paste(upright if upright.mode == mode else upright.convert(mode))
            colours = {"icc_profile": image.info["icc_profile"]} if image.info.get("icc_profile") else {}
            out = io.BytesIO()
            if kind == "png":
                clean.save(out, format="PNG", **colours)
            else:
                clean.save(out, format="JPEG", quality=92, **colours)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise CannotClean("damaged") from None


# JPEG segments before the image data that hold no picture: EXIF (APP1: place, camera, owner), XMP, maker
# notes (APP3-APP13, APP15) and comments (COM). JFIF (APP0), ICC colours (APP2) and Adobe's colour
# transform (APP14) change how the picture looks and stay.
_JPEG_KEPT = frozenset({0xE0, 0xE2, 0xEE})


def _jpeg_without_metadata(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise CannotClean("damaged")
    kept, position = [data[:2]], 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the picture itself, to the end
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if not ((0xE0 <= marker <= 0xEF or marker == 0xFE) and marker not in _JPEG_KEPT):
            kept.append(data[position:end])
        position = end
    return b"".join(kept) + data[position:]


def _clean_pdf_object(item: pikepdf.Object) -> None:
    for key in ("/Metadata", "/PieceInfo"):
        if key in item:
            del item[key]
    if not isinstance(item, pikepdf.Stream):
        return
    filters = item.get("/Filter")
    if filters == pikepdf.Name.DCTDecode or (isinstance(filters, pikepdf.Array) and list(filters) == ["/DCTDecode"]):
        # A photo put in a PDF as it was keeps its EXIF inside the image: drop it, the picture stays.
        parameters = item.get("/DecodeParms")
        parameters = parameters if isinstance(parameters, pikepdf.Dictionary | pikepdf.Array) else None
        item.write(
            _jpeg_without_metadata(item.read_raw_bytes()), filter=pikepdf.Name.DCTDecode, decode_parms=parameters
        )


def cleaned_pdf(data: bytes) -> bytes:
    """The PDF without its document information (/Author, /Creator, /Producer, /Title …), without XMP
    metadata on any object, without application data (/PieceInfo), without comment authors and without
    the EXIF of photos inside it."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for item in pdf.objects:
                if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
                    _clean_pdf_object(item)
            for page in pdf.pages:
                for annotation in page.obj.get("/Annots", pikepdf.Array()):
                    # /T is the author of a comment, but the field name of a form widget.
                    if isinstance(annotation, pikepdf.Dictionary) and annotation.get("/Subtype") != "/Widget":
                        for key in ("/T", "/M", "/CreationDate"):
                            if key in annotation:
                                del annotation[key]
            out = io.BytesIO()
            # Streams are copied as they are (not decoded): a compressed "bomb" is never expanded here.
            pdf.save(
                out,
                encryption=False,
                fix_metadata_version=False,
                deterministic_id=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
            return out.getvalue()
    except pikepdf.PasswordError:
        raise CannotClean("locked") from None
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, TypeError, KeyError, RuntimeError):
        raise CannotClean("damaged") from None


# The parts of an Office package that hold who made it and when; replaced by empty, valid ones.
_DOCX_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.'
    b'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_DOCX_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/extended-properties"/>'
)
_DOCX_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/docPropsVTypes"/>'
)
_ODF_META = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta xmlns:office="urn:oasis:names:tc:'
    b'opendocument:xmlns:office:1.0" office:version="1.2"><office:meta/></office:document-meta>'
)
_BLANK_PARTS: dict[str, dict[str, bytes]] = {
    "docx": {"docProps/core.xml": _DOCX_CORE, "docProps/app.xml": _DOCX_APP, "docProps/custom.xml": _DOCX_CUSTOM},
    "odt": {"meta.xml": _ODF_META},
}
# Names inside the text parts: authors of comments and tracked changes (Word: attributes and people.xml;
# OpenDocument: a dc:creator element in each annotation and change).
_AUTHOR_ATTRIBUTE = re.compile(rb'(\s(?:w|w15):(?:author|initials|userId))="[^"]*"')
_ODF_CREATOR = re.compile(rb"<dc:creator>[^<]*</dc:creator>")
# Word's template is linked by its path on the author's computer (C:\Users\<name>\…): the link goes.
_TEMPLATE_LINK = re.compile(rb"<w:attachedTemplate\b[^>]*/>")
_TEMPLATE_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*/attachedTemplate\"[^>]*/>")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _without_authors(content: bytes, name: str) -> bytes:
    if not name.endswith((".xml", ".rels")):
        return content
    content = _TEMPLATE_RELATIONSHIP.sub(b"", _TEMPLATE_LINK.sub(b"", content))
    return _ODF_CREATOR.sub(b"<dc:creator></dc:creator>", _AUTHOR_ATTRIBUTE.sub(rb'\1=""', content))


def cleaned_office(data: bytes, kind: str) -> bytes:
    """The package rewritten in memory: its properties parts emptied, comment and revision authors
    blanked, and every entry's time, comment and extra fields (owner ids) dropped."""
    blanks = _BLANK_PARTS[kind]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            entries = source.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise CannotClean("too_large")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as target:
                for entry in entries:
                    content = blanks.get(entry.filename) or _without_authors(source.read(entry), entry.filename)
                    info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
                    # OpenDocument wants its first entry (mimetype) stored, not compressed: keep each choice.
                    stored = entry.compress_type == zipfile.ZIP_STORED
                    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    target.writestr(info, content)
            return out.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        # RuntimeError: an entry is encrypted; NotImplementedError: an unknown compression.
        raise CannotClean("damaged") from None


def cleaned_mp3(data: bytes) -> bytes:
    """The MP3 without ID3 (v1 and v2: artist, title, comments, pictures) and APE tags."""
    buffer = io.BytesIO(data)
    try:
        delete_id3(buffer)
        delete_ape(buffer)
        buffer.seek(0)
        MP3(buffer)  # type: ignore[no-untyped-call]  # still an MP3 once the tags are gone
    except (mutagen.MutagenError, struct.error, ValueError, EOFError):
        raise CannotClean("damaged") from None
    return buffer.getvalue()


# MP4, M4A and QuickTime (MOV) are ISO base media files: a tree of boxes. Tags (title, artist, the place of
# recording as ©xyz, Apple's location keys, XMP) live in `udta`, `meta` and `uuid` boxes; the moment of
# recording in the header boxes. A tag box becomes a `free` box of the same size, full of zeros: nothing
# moves, so the offsets into the media data stay right (the format lets a reader skip `free` boxes).
_MEDIA_CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf", b"edts"})
_MEDIA_TAGS = frozenset({b"udta", b"meta", b"uuid", b"XMP_"})
_MEDIA_TIMES = frozenset({b"mvhd", b"tkhd", b"mdhd"})


def _blank_boxes(buffer: bytearray, start: int, end: int) -> None:
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buffer, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                raise CannotClean("damaged")
            size, header = struct.unpack_from(">Q", buffer, position + 8)[0], 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise CannotClean("damaged")
        if kind in _MEDIA_TAGS:
            buffer[position + 4 : position + 8] = b"free"
            buffer[position + header : position + size] = bytes(size - header)
        elif kind in _MEDIA_TIMES and size >= header + 4:
            # creation and modification time, 4 bytes each (version 0) or 8 (version 1)
            width = 16 if buffer[position + header] == 1 else 8
            times = position + header + 4
            buffer[times : min(times + width, position + size)] = bytes(min(width, position + size - times))
        elif kind in _MEDIA_CONTAINERS:
            _blank_boxes(buffer, position + header, position + size)
        position += size


def cleaned_media(data: bytes) -> bytes:
    """An MP4, M4A or MOV with its tag boxes emptied and its recording times zeroed; nothing else moves."""
    buffer = bytearray(data)
    try:
        _blank_boxes(buffer, 0, len(buffer))
    except struct.error:
        raise CannotClean("damaged") from None
    return bytes(buffer)


def without_hidden_data(data: bytes, kind: str) -> tuple[bytes, str]:
    """The file without hidden data, and its kind afterwards (a HEIC photo becomes a JPEG)."""
    if kind in ("jpg", "png", "heic"):
        return redrawn_image(data, kind), "png" if kind == "png" else "jpg"
    if kind == "pdf":
        return cleaned_pdf(data), kind
    if kind in _BLANK_PARTS:
        return cleaned_office(data, kind), kind
    if kind == "mp3":
        return cleaned_mp3(data), kind
    if kind in ("mp4", "m4a", "mov"):
        return cleaned_media(data), kind
    if kind == "txt":
        return data, kind  # plain text holds nothing but what it shows
    raise CannotClean("type")
