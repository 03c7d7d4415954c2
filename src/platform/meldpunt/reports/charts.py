"""The bar chart of one report table as a self-contained SVG (issue 16): one horizontal bar per row, a hidden
count drawn as a gap with ``HIDDEN_MARK``, never as a bar of some length. No scripts, fonts, styles or links
from outside (the pages' CSP forbids them and the PDF must not fetch anything); every text is escaped."""

from __future__ import annotations

import hashlib
import math
import re
from xml.sax.saxutils import escape

from meldpunt.reports.model import HIDDEN_MARK, Table

WIDTH = 520
ROW = 26
BAR = 16
FONT = 13
CHAR = 7.2  # the average width of a character at FONT, to size the column of row names
NAME_ROOM = 32  # characters of a row's name at most
VALUE_ROOM = 64  # the room right of the longest bar for its count
PAD = 8
INK = "#1b1b1f"
MUTED = "#4a4d55"
LINE = "#c9ccd3"
FILL = "#1d4e89"
FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
SEPARATORS = {"nl": ".", "en": ","}
# XML 1.0 forbids these code points even as character references: an SVG that holds one does not parse.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def text_of(value: str) -> str:
    """``value`` as XML character data or an attribute value: escaped, and without the code points XML forbids."""
    return escape(NOT_XML.sub("\ufffd", value), {'"': "&quot;", "'": "&#39;"})


def count_in(value: int, language: str) -> str:
    """A count as the reader writes it: 1.234 in Dutch, 1,234 in English."""
    return f"{value:,}".replace(",", SEPARATORS.get(language, ","))


def chart_id(table: Table) -> str:
    """An id of the chart's own, the same for the same table, different for tables of different keys (a key may
    hold characters an id may not, so the slug is followed by a digest of the key itself)."""
    slug = re.sub(r"[^a-z0-9]+", "-", table.key.lower()).strip("-")[:40] or "table"
    return f"chart-{slug}-{hashlib.sha256(table.key.encode()).hexdigest()[:8]}"


def ticks_for(largest: int) -> list[int]:
    """Round steps of 1, 2 or 5 times a power of ten from 0 up to at least ``largest``: four or five gridlines."""
    if largest <= 0:
        return [0, 1]
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    top = -(-largest // step) * step
    return list(range(0, top + 1, step))


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _shortened(name: str, room: int) -> str:
    return name if len(name) <= room else name[: max(room - 1, 1)] + "…"


def _name_room(names: list[str]) -> int:
    """How many characters of a row's name the chart shows (a longer name is shortened; the table has it whole)."""
    return max(min(max((len(name) for name in names), default=0), NAME_ROOM), 6)


def bar_chart(table: Table, *, language: str, ident: str | None = None) -> str:
    """The chart of column ``table.chart_column`` of every row of ``table``: ``<title>`` is the table's title,
    ``<desc>`` its ``alt``; the same table gives the same bytes. ``ident`` overrides the ids when one page shows
    the same table twice."""
    base = ident or chart_id(table)
    names = [name for name, _ in table.rows]
    values = [row[table.chart_column] if row else None for _, row in table.rows]
    room = _name_room(names)
    label = math.ceil(room * CHAR) + 2 * PAD
    plot = WIDTH - label - VALUE_ROOM
    ticks = ticks_for(max((v for v in values if v is not None), default=0))
    scale = plot / ticks[-1]
    axis = PAD + len(names) * ROW
    height = axis + 2 * FONT + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" lang="{text_of(language)}" xml:lang="{text_of(language)}" '
        f'aria-labelledby="{base}-title {base}-desc" font-family="{FAMILY}" font-size="{FONT}">',
        f'<title id="{base}-title">{text_of(table.title)}</title>',
        f'<desc id="{base}-desc">{text_of(table.alt)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for tick in ticks:
        x = _n(label + tick * scale)
        parts.append(f'<line x1="{x}" y1="{PAD}" x2="{x}" y2="{axis}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(
            f'<text x="{x}" y="{axis + FONT + 4}" fill="{MUTED}" text-anchor="middle">{count_in(tick, language)}</text>'
        )
    parts.append(f'<line x1="{label}" y1="{axis}" x2="{label + plot}" y2="{axis}" stroke="{MUTED}" stroke-width="1"/>')
    for index, (name, value) in enumerate(zip(names, values, strict=True)):
        top = PAD + index * ROW + (ROW - BAR) / 2
        middle = _n(top + BAR / 2 + FONT * 0.35)
        shown = text_of(_shortened(name, room))
        parts.append(f'<text x="{label - PAD}" y="{middle}" fill="{INK}" text-anchor="end">{shown}</text>')
        if value is None:
            parts.append(f'<text x="{label + PAD}" y="{middle}" fill="{INK}">{HIDDEN_MARK}</text>')
            continue
        length = max(value, 0) * scale
        parts.append(f'<rect x="{label}" y="{_n(top)}" width="{_n(length)}" height="{BAR}" fill="{FILL}"/>')
        parts.append(
            f'<text x="{_n(label + length + PAD / 2)}" y="{middle}" fill="{INK}">{count_in(value, language)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
