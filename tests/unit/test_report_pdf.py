"""An annual report's PDF (``reports.pdf``) read back with pypdf, as a checker or a screen reader would: PDF/UA-1
claimed and tagged, title and language set, headings, tables and figures in the structure tree, every chart's
alternative text, the numbers and the hidden mark in the text, and a hostile title shown as written."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from meldpunt.reports.charts import count_in
from meldpunt.reports.model import HIDDEN_MARK, Report, Section, Table
from meldpunt.reports.pdf import TEMPLATE, pdf
from tests.support.reports import HOSTILE, synthetic_report

EMBEDDED_FONTS = ("Libertinus", "NewCM", "DejaVu")
ROOT = Path(__file__).resolve().parents[2]
OFFLINE = """
import errno, socket, sys
from tests.support.reports import synthetic_report
from meldpunt.reports.pdf import pdf
try:
    socket.create_connection(("192.0.2.1", 443), timeout=1)
except OSError as error:
    if error.errno != errno.ENETUNREACH:
        sys.exit("a network is there")
sys.stdout.buffer.write(pdf(synthetic_report("en"))[:8])
"""


def read(report: Report) -> PdfReader:
    return PdfReader(io.BytesIO(pdf(report)))


def structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every element of the structure tree, in reading order."""
    found: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        if isinstance(node, IndirectObject):
            node = node.get_object()
        if isinstance(node, ArrayObject | list):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module", params=["nl", "en"])
def report(request: pytest.FixtureRequest) -> Report:
    return synthetic_report(request.param)


@pytest.fixture(scope="module")
def reader(report: Report) -> PdfReader:
    return read(report)


def test_the_pdf_claims_pdf_ua_1_and_is_tagged(reader: PdfReader) -> None:
    catalog = reader.trailer["/Root"]

    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_the_title_and_language_are_the_reports(report: Report, reader: PdfReader) -> None:
    catalog = reader.trailer["/Root"]

    assert catalog["/Lang"] == report.language
    assert reader.metadata is not None and reader.metadata.title == report.title
    assert (
        f"<dc:language><rdf:Bag><rdf:li>{report.language}</rdf:li>"
        in catalog["/Metadata"].get_object().get_data().decode()
    )


def test_headings_tables_and_figures_are_in_the_structure_tree(report: Report, reader: PdfReader) -> None:
    kinds = Counter(str(element["/S"]) for element in structure(reader))
    tables = [table for section in report.sections for table in section.tables]

    assert kinds["/H1"] == 1
    assert kinds["/H2"] == len(report.sections)
    assert kinds["/Table"] == len(tables)
    assert kinds["/THead"] == len(tables)
    assert kinds["/TH"] == sum(len(table.columns) + 1 for table in tables)
    assert kinds["/Figure"] == len(tables)


def test_every_chart_has_the_tables_alternative_text(report: Report, reader: PdfReader) -> None:
    figures = [element for element in structure(reader) if element["/S"] == "/Figure"]

    assert [str(figure["/Alt"]) for figure in figures] == [t.alt for s in report.sections for t in s.tables]


def test_the_text_holds_every_count_and_the_mark_of_a_hidden_cell(report: Report, reader: PdfReader) -> None:
    text = flat(text_of(reader))

    for section in report.sections:
        assert section.heading in text
        for table in section.tables:
            assert table.title in text
            for name, values in table.rows:
                written = " ".join(HIDDEN_MARK if v is None else count_in(v, report.language) for v in values)
                assert f"{name} {written}" in text
    assert HIDDEN_MARK in text
    assert report.hidden_explained in text


def test_a_four_digit_count_is_written_as_the_reader_writes_it() -> None:
    shown = Table(key="k", title="T", row_header="R", columns=["N"], rows=[("a", [1234])], alt="A")

    def report(language: str) -> Report:
        return Report("adviser", language, 2026, "Titel", "", [], [Section("Kop", tables=[shown])], "Verborgen.")

    assert "a 1.234" in flat(text_of(read(report("nl"))))
    assert "a 1,234" in flat(text_of(read(report("en"))))


def test_a_hostile_title_and_hostile_words_show_as_written() -> None:
    plain = synthetic_report("nl", sections=1, tables=1)
    table = replace(
        plain.sections[0].tables[0],
        title=HOSTILE,
        row_header=HOSTILE,
        rows=[(HOSTILE, [7, None, 8, 9])],
        alt=HOSTILE,
        note=HOSTILE,
    )
    words = replace(
        plain,
        title=HOSTILE,
        subtitle=HOSTILE,
        intro=[HOSTILE],
        footer=HOSTILE,
        hidden_explained=HOSTILE,
        sections=[Section(heading=HOSTILE, paragraphs=[HOSTILE], tables=[table])],
    )
    reader = read(words)

    assert reader.metadata is not None and reader.metadata.title == HOSTILE
    text = flat(text_of(reader))
    assert text.count(HOSTILE) >= 8  # title, subtitle, intro, heading, paragraph, caption, header, row, note …
    assert f"{HOSTILE} 7 {HIDDEN_MARK} 8 9" in text
    figure = next(element for element in structure(reader) if element["/S"] == "/Figure")
    assert str(figure["/Alt"]) == HOSTILE


def test_the_same_report_gives_the_same_bytes() -> None:
    report = synthetic_report("en", sections=2, tables=3)

    assert pdf(report) == pdf(synthetic_report("en", sections=2, tables=3))


def test_only_typsts_embedded_fonts_are_used_and_nothing_is_fetched(reader: PdfReader) -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    for fetching in ("#import", "#include", "@preview", "read(", "plugin("):
        assert fetching not in template, fetching

    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all(any(name in font for name in EMBEDDED_FONTS) for font in fonts), fonts


@pytest.mark.parametrize(
    "name",
    ["Stichting 😀 🇳🇱", "株式会社 Voorbeeld", "nul\x00bel\x07bom\ufeff", "ภาษาไทย हिन्दी ქართული", "   ", ""],
)
def test_a_name_the_fonts_cannot_show_still_gives_a_pdf_ua_document(name: str) -> None:
    plain = synthetic_report("en", sections=1, tables=1)
    table = replace(plain.sections[0].tables[0], title=name, alt=name, rows=[(name, [1, 2, 3, 4])])
    reader = read(replace(plain, title=name, sections=[Section(heading=name, tables=[table])]))

    assert "<pdfuaid:part>1</pdfuaid:part>" in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    figure = next(element for element in structure(reader) if element["/S"] == "/Figure")
    assert str(figure["/Alt"]).strip()
    assert "1 2 3 4" in flat(text_of(reader))


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare as root")
def test_a_pdf_is_made_without_any_network() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src" / "platform"), str(ROOT)])}
    done = subprocess.run(
        ["unshare", "-n", "--", sys.executable, "-c", OFFLINE], env=env, capture_output=True, timeout=120, cwd=ROOT
    )

    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"%PDF-1.7"
