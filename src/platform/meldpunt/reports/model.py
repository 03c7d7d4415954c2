"""What an annual report is, apart from how it is shown (DESIGN §15, issue 16): words already in the reader's
language and tables of counts that have passed ``disclosure`` (``None`` is a hidden cell, never a value). The
builders (``reports.annual``) make one; the renderers make the HTML page, the SVG charts and the tagged PDF of the
same report, so the page and the PDF can never show different figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ReportKind = Literal["adviser", "committee", "sector"]
HIDDEN_MARK = "–"  # what a hidden cell shows, in the table and beside the chart


@dataclass(frozen=True)
class Table:
    """One table of protected counts with the chart drawn from it. ``rows`` are (name, values per column); the
    chart draws column ``chart_column`` of every row (a hidden value is drawn as a gap and named in ``alt``).
    ``alt`` says in words what the chart shows, for a screen reader and the PDF's alternative text."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[int | None]]]
    alt: str
    chart_column: int = -1
    chart: bool = True
    note: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """A whole annual report in one language: its title, who it is of (an adviser, a committee, a branch), the
    year, an introduction, the sections, and the sentence that explains a hidden cell."""

    kind: ReportKind
    language: str
    year: int
    title: str
    subtitle: str
    intro: list[str]
    sections: list[Section]
    hidden_explained: str
    footer: str = ""
