"""An annual report as an accessible PDF (PDF/UA-1: tagged, its title and language set, real headings and
tables, every chart an image with its alternative text and the table of its numbers below it), drawn by Typst
from ``annual_report.typ``. The report goes in as JSON data, never pasted into Typst markup, so a title full of
``#`` or ``[`` shows as written; only Typst's embedded fonts are used and nothing is fetched."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import typst

from meldpunt.reports.charts import bar_chart, count_in
from meldpunt.reports.model import HIDDEN_MARK, Report, Section, Table

TEMPLATE = Path(__file__).with_name("annual_report.typ")
# PDF/UA-1 refuses a text it cannot show with an embedded font, and a few code points outright. Typst's own fonts
# cover the Latin, Greek, Cyrillic, Hebrew and Arabic blocks and the common symbols, not emoji, CJK, Indic or Thai
# (an organisation's name may hold any): outside those blocks a character is shown as U+FFFD in the PDF (the page
# shows it as written), a gap inside them is found from Typst's refusal; controls are dropped.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\ufeff\ufffe\uffff\ud800-\udfff]")
UNSHOWABLE = re.compile("[^\x00-\u06ff\u1d00-\u2bff\ufb00-\ufb4f\ufffd]")
NOT_SHOWN = re.compile(r'the text `"(.+?)"` could not be displayed')
RETRIES = 8
LATIN = 0x24F  # the end of Latin Extended-B
UNSHOWN: set[str] = set()  # the characters Typst refused so far: later reports replace them up front


@cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def _table_data(table: Table, language: str) -> dict[str, Any]:
    return {
        "title": table.title,
        "row_header": table.row_header,
        "columns": table.columns,
        "rows": [
            {"name": name, "cells": [HIDDEN_MARK if v is None else count_in(v, language) for v in values]}
            for name, values in table.rows
        ],
        "hidden": any(v is None for _, values in table.rows for v in values),
        "alt": table.alt,
        "chart": bar_chart(table, language=language) if table.chart and table.rows else None,
        "note": table.note,
    }


def report_data(report: Report) -> dict[str, Any]:
    """What the Typst template reads: the report's words, its counts written in its language, its charts."""
    return {
        "language": report.language,
        "title": report.title,
        "subtitle": report.subtitle,
        "intro": report.intro,
        "sections": [
            {
                "heading": section.heading,
                "paragraphs": section.paragraphs,
                "tables": [_table_data(table, report.language) for table in section.tables],
            }
            for section in report.sections
        ],
        "hidden_mark": HIDDEN_MARK,
        "hidden_explained": report.hidden_explained,
        "footer": report.footer,
    }


def _shown(text: str, unshown: frozenset[str], fallback: str = "") -> str:
    clean = UNSHOWABLE.sub("\ufffd", FORBIDDEN.sub("", text))
    clean = "".join("\ufffd" if c in unshown else c for c in clean) if unshown else clean
    return clean if clean.strip() else fallback


def showable(report: Report, unshown: frozenset[str] = frozenset()) -> Report:
    """``report`` with only what PDF/UA-1 lets Typst's fonts show, and a word wherever it needs one (a heading,
    a title, a chart's alternative text: the table's title when the builder gave none)."""

    def said(text: str, fallback: str = HIDDEN_MARK) -> str:
        return _shown(text, unshown, fallback)

    def table_of(t: Table) -> Table:
        title = said(t.title)
        return replace(
            t,
            title=title,
            row_header=said(t.row_header, ""),
            columns=[said(column, "") for column in t.columns],
            rows=[(said(name, ""), values) for name, values in t.rows],
            alt=said(t.alt, title),
            note=None if t.note is None else said(t.note, ""),
        )

    return replace(
        report,
        title=said(report.title),
        subtitle=said(report.subtitle, ""),
        intro=[said(p, "") for p in report.intro],
        sections=[
            Section(said(s.heading), [said(p, "") for p in s.paragraphs], [table_of(t) for t in s.tables])
            for s in report.sections
        ],
        hidden_explained=said(report.hidden_explained, ""),
        footer=said(report.footer, ""),
    )


def _unshown(error: typst.TypstError) -> frozenset[str]:
    found = NOT_SHOWN.search(error.message)
    if found is None:
        return frozenset()
    text = re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m.group(1), 16)), found.group(1))
    # The refused text may be a cluster (a letter and its accent): Libertinus has every Latin letter up to
    # Latin Extended-B, so only the rest can be what it lacks, and no plain letter is ever replaced.
    return frozenset(c for c in text if ord(c) > LATIN)


def _compiled(report: Report, unshown: frozenset[str]) -> bytes:
    made = typst.compile(
        _template(),
        sys_inputs={"report": json.dumps(report_data(showable(report, unshown)), ensure_ascii=False)},
        pdf_standards="ua-1",
        ignore_system_fonts=True,
        format="pdf",
    )
    assert isinstance(made, bytes)  # one PDF, never a list of pages
    return made


def pdf(report: Report) -> bytes:
    """The tagged PDF/UA-1 of ``report``; the same report gives the same bytes (no creation date is written). A
    character none of the fonts has is shown as U+FFFD (found up front for the scripts they lack, else from
    Typst's refusal, a few times over)."""
    unshown = frozenset(UNSHOWN)
    for _ in range(RETRIES):
        try:
            return _compiled(report, unshown)
        except typst.TypstError as error:
            more = _unshown(error) - unshown
            if not more:
                raise
            UNSHOWN.update(more)
            unshown |= more
    return _compiled(report, unshown)
