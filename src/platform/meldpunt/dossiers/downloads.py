"""Sending a decrypted document to a professional's browser."""

from __future__ import annotations

from urllib.parse import quote

from litestar.response import Stream

from meldpunt.dossiers.documents import OpenedDocument


def attachment_response(opened: OpenedDocument) -> Stream:
    """A download that a browser saves and never renders in our origin."""
    ascii_name = opened.meta.filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return Stream(
        opened.content,
        media_type=opened.meta.content_type,
        headers={
            "content-disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(opened.meta.filename)}",
            "content-length": str(opened.document.size_bytes),
            "cache-control": "no-store",
            "content-security-policy": "sandbox; default-src 'none'",
        },
    )
