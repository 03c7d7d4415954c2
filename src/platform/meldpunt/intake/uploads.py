"""Reading a posted form with files, in memory and within limits.

Litestar's own parser spools a file over 1 MB to a temporary file on disk; a reporter's evidence must
never lie unencrypted on a disk, so the public pages read multipart bodies here: fields and files stay
in memory, a file over the limit is read and dropped (marked ``oversize``) so that the page can answer
with a clear message and everything typed, and the number of parts is bounded. What was read stays on the
request, so that a page that fails afterwards (a database outage) can still show it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio
from litestar import Request
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser

from meldpunt.errors import DomainError
from meldpunt.intake.attachments import MAX_FILE_BYTES, MAX_FILES, Upload, safe_filename

MAX_FIELD_BYTES = 200_000
MAX_PARTS = 64
# The request state key under which the posted form is kept (None while, or when, it could not be read).
POSTED_FORM = "meldpunt_posted_form"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class FormUnreadable(DomainError, status=400, slug="form-unreadable"): ...


@dataclass
class PostedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getall(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


async def read_posted_form(request: Request[Any, Any, Any], file_field: str = "attachments") -> PostedForm:
    """The posted fields and the files of ``file_field``; an ordinary url-encoded form has no files."""
    request.state[POSTED_FORM] = None  # the body is being consumed: nobody may wait for it again
    posted = await _read(request, file_field)
    request.state[POSTED_FORM] = posted
    return posted


async def posted_again(request: Request[Any, Any, Any], limit_seconds: float = 10) -> PostedForm | None:
    """What this request posted, for a page that shows it back after a failure: as the handler read it, or
    read now (in memory) when it had not; None when it is not a form or can no longer be read."""
    if request.method != "POST" or request.content_type[0] not in FORM_TYPES:
        return None
    if POSTED_FORM in request.state:
        kept: PostedForm | None = request.state[POSTED_FORM]
        return kept
    if ScopeState.from_scope(request.scope).form is not Empty:  # read by Litestar's own parser
        form = await request.form()
        return PostedForm({key: [v for v in form.getall(key) if isinstance(v, str)] for key in form})
    with anyio.move_on_after(limit_seconds):
        try:
            return await read_posted_form(request)
        except FormUnreadable:
            return None
    return None


async def _read(request: Request[Any, Any, Any], file_field: str) -> PostedForm:
    content_type, options = request.content_type
    if content_type != "multipart/form-data":
        form = await request.form()
        return PostedForm({key: [str(v) for v in form.getall(key)] for key in form})
    boundary = options.get("boundary")
    if not boundary:
        raise FormUnreadable()
    posted = PostedForm()
    segment: MultipartSegment | None = None
    buffer = bytearray()
    oversize = False
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            async for chunk in request.stream():
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment, buffer, oversize = event, bytearray(), False
                    elif event:
                        if segment is None:
                            raise FormUnreadable()
                        limit = MAX_FILE_BYTES if segment.filename is not None else MAX_FIELD_BYTES
                        if len(buffer) + len(event) > limit:
                            if segment.filename is None:
                                raise FormUnreadable()
                            oversize = True
                            buffer = bytearray()
                        elif not oversize:
                            buffer.extend(event)
                    elif segment is not None:
                        _finish(posted, segment, bytes(buffer), oversize, file_field)
                        segment = None
                if parser.closed:
                    break
    except (ParserError, ParserLimitReached, UnicodeDecodeError):
        raise FormUnreadable() from None
    return posted


def _finish(posted: PostedForm, segment: MultipartSegment, data: bytes, oversize: bool, file_field: str) -> None:
    if segment.filename is None:
        value = data.decode(segment.charset or "utf-8")
        if "\x00" in value or "\x00" in segment.name:
            # As for JSON and url-encoded bodies (web/hostile_input.py): no browser sends a NUL byte.
            raise FormUnreadable()
        posted.fields.setdefault(segment.name, []).append(value)
        return
    if segment.name != file_field or (not segment.filename and not data and not oversize):
        return  # an empty file input, or a file where none is expected
    if len(posted.files) >= MAX_FILES:
        # Remember that there were more, without keeping their content.
        posted.files.append(Upload(safe_filename(segment.filename), b"", oversize=False))
        return
    posted.files.append(Upload(safe_filename(segment.filename), data, oversize))
