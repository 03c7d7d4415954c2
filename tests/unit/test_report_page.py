"""An annual report as a page (``templates/_report.html``): one h1, a section per h2, every table with its
caption and scoped headers, a hidden count as the mark with the report's explanation, each chart inline with
ids of its own, and every text escaped."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

import pytest

from meldpunt.reports.model import HIDDEN_MARK, Report, Section
from meldpunt.web.i18n import context_for
from tests.support.report_page import page_engine, report_page
from tests.support.reports import HOSTILE, synthetic_report


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    """Every element with its attributes and its own text (what a screen reader gets from each)."""

    elements: list[Element] = field(default_factory=list)
    open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in {"meta", "link", "rect", "line", "br", "input"}:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]


def parsed(report: Report) -> Page:
    page = Page()
    page.feed(report_page(report))
    return page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_report_has_one_h1_a_h2_per_section_and_a_captioned_table_per_table(language: str) -> None:
    report = synthetic_report(language)
    page = parsed(report)
    tables = [table for section in report.sections for table in section.tables]

    assert [h.text for h in page.all("h1")] == [report.title]
    assert [h.text for h in page.all("h2")] == [section.heading for section in report.sections]
    assert [c.text for c in page.all("caption")] == [table.title for table in tables]
    assert len(page.all("th", scope="col")) == sum(len(table.columns) + 1 for table in tables)
    assert [th.text for th in page.all("th", scope="row")] == [name for table in tables for name, _ in table.rows]
    assert page.all("article")[0].attrs["lang"] == language


def test_a_hidden_count_is_the_mark_with_the_reports_explanation() -> None:
    report = synthetic_report("nl")
    page = parsed(report)
    hidden = sum(v is None for s in report.sections for t in s.tables for _, values in t.rows for v in values)

    marks = page.all("abbr")
    assert hidden > 0 and len(marks) == hidden
    assert {(mark.text, mark.attrs["title"]) for mark in marks} == {(HIDDEN_MARK, report.hidden_explained)}


def test_counts_are_written_as_the_reader_writes_them() -> None:
    nl, en = (" ".join(td.text for td in parsed(synthetic_report(lang)).all("td")) for lang in ("nl", "en"))

    assert "1.155" in nl and "1,155" not in nl
    assert "1,155" in en and "1.155" not in en


def test_each_chart_is_inline_with_its_title_its_alt_text_and_ids_of_its_own() -> None:
    report = synthetic_report("en")
    page = parsed(report)
    tables = [table for section in report.sections for table in section.tables]

    charts = page.all("svg", role="img")
    assert len(charts) == len(tables)
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    by_id = {e.attrs["id"]: e for e in page.elements if "id" in e.attrs}
    for chart, table in zip(charts, tables, strict=True):
        title, desc = (by_id[ref] for ref in chart.attrs["aria-labelledby"].split())
        assert (title.tag, title.text, desc.tag, desc.text) == ("title", table.title, "desc", table.alt)


def test_a_table_without_a_chart_shows_only_its_numbers() -> None:
    report = synthetic_report("nl", sections=1, tables=2)
    first, second = report.sections[0].tables
    page = parsed(replace(report, sections=[Section("Kop", tables=[replace(first, chart=False), second])]))

    assert len(page.all("svg")) == 1
    assert len(page.all("table")) == 2


def test_every_text_of_a_hostile_report_is_escaped() -> None:
    script = "<script>alert(1)</script>"
    plain = synthetic_report("nl", sections=1, tables=1)
    table = replace(plain.sections[0].tables[0], title=script, alt=script, rows=[(script, [1, None, 2, 3])])
    report = replace(
        plain,
        title=HOSTILE,
        subtitle=script,
        intro=[script],
        hidden_explained='" onmouseover="alert(1)',
        sections=[Section(script, [script], [table])],
    )
    html = report_page(report)
    page = parsed(report)

    assert script not in html
    assert page.all("h1")[0].text == HOSTILE
    assert page.all("caption")[0].text == script
    assert page.all("abbr")[0].attrs == {"title": '" onmouseover="alert(1)'}
    assert not [e for e in page.elements if any(name.startswith("on") for name in e.attrs)]


def test_a_page_puts_its_own_links_between_the_subtitle_and_the_introduction() -> None:
    report = synthetic_report("nl", sections=1, tables=1)
    page = page_engine().engine.from_string(
        '{% extends "base.html" %}{% block main %}{% set report_links %}<p><a href="{{ pdf }}">PDF</a></p>'
        '{% endset %}{% include "_report.html" %}{% endblock %}'
    )
    html = page.render(report=report, pdf="/jaarverslag/2026.pdf?x=<b>", **context_for("nl"))

    assert html.index(report.subtitle) < html.index('<a href="/jaarverslag/2026.pdf?x=&lt;b&gt;">PDF</a>')
    assert html.index("PDF</a>") < html.index(report.intro[0])
