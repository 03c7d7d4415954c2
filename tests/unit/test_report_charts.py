"""A report table's bar chart (``reports.charts``): a self-contained SVG that names itself for a screen reader,
draws a hidden count as a gap with the mark, escapes every text, and is the same for the same table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from meldpunt.reports.charts import bar_chart, chart_id, ticks_for
from meldpunt.reports.model import HIDDEN_MARK, Table
from tests.support.reports import HOSTILE, synthetic_table

SVG = "{http://www.w3.org/2000/svg}"


def table(rows: list[tuple[str, list[int | None]]], **changes: object) -> Table:
    fields: dict[str, object] = {
        "key": "contacts_by_category",
        "title": "Contacten per categorie",
        "row_header": "Categorie",
        "columns": ["Aantal"],
        "rows": rows,
        "alt": "Staafdiagram: pesten 12, intimidatie verborgen, discriminatie 40.",
    }
    fields.update(changes)
    return Table(**fields)  # type: ignore[arg-type]


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [node.text or "" for node in root.iter(f"{SVG}text")]


def test_the_chart_names_itself_with_the_tables_title_and_alt_text() -> None:
    shown = table([("Pesten", [12]), ("Discriminatie", [40])])
    root = parsed(bar_chart(shown, language="nl"))

    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == shown.title
    assert desc is not None and desc.text == shown.alt
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("lang") == "nl"


def test_every_text_is_escaped_and_reads_back_as_written() -> None:
    hostile = table(
        [(HOSTILE, [3]), ("</text><script>alert(1)</script>", [4])],
        title=HOSTILE,
        alt='"/><script>alert(2)</script>',
        key='<key> & "quoted"',
    )
    svg = bar_chart(hostile, language="en")

    assert "<script" not in svg
    root = parsed(svg)
    assert root.find(f"{SVG}title").text == HOSTILE  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == hostile.alt  # type: ignore[union-attr]
    assert "</text><script>alert(1)</script>" in texts(root)
    assert HOSTILE[:31] + "…" in texts(root)  # a long name is shortened in the chart; the table has it whole
    assert all(set(node.get("id", "x")) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for node in root.iter())


def test_characters_xml_forbids_do_not_break_the_chart() -> None:
    root = parsed(bar_chart(table([("nul\x00teken\x1b", [2])], title="bel\x07"), language="nl"))

    assert root.find(f"{SVG}title").text == "bel\ufffd"  # type: ignore[union-attr]
    assert "nul\ufffdteken\ufffd" in texts(root)


def test_a_hidden_count_is_a_gap_with_the_mark_never_a_bar() -> None:
    shown = table([("Pesten", [12]), ("Intimidatie", [None]), ("Discriminatie", [40])])
    root = parsed(bar_chart(shown, language="nl"))

    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("width") != "100%"]
    assert len(bars) == 2
    drawn = texts(root)
    assert drawn.count(HIDDEN_MARK) == 1
    assert drawn.index("Intimidatie") + 1 == drawn.index(HIDDEN_MARK)
    assert {"12", "40"} <= set(drawn)


def test_a_chart_with_every_count_hidden_still_has_an_axis() -> None:
    root = parsed(bar_chart(table([("Pesten", [None]), ("Intimidatie", [None])]), language="en"))

    assert texts(root).count(HIDDEN_MARK) == 2
    assert [rect for rect in root.iter(f"{SVG}rect") if rect.get("width") != "100%"] == []
    assert {"0", "1"} <= set(texts(root))


def test_the_chart_draws_the_chart_column_and_writes_counts_in_the_readers_language() -> None:
    shown = table([("Pesten", [1, 1234]), ("Intimidatie", [2, 5678])], columns=["K1", "Totaal"], chart_column=1)

    assert {"1.234", "5.678"} <= set(texts(parsed(bar_chart(shown, language="nl"))))
    assert {"1,234", "5,678"} <= set(texts(parsed(bar_chart(shown, language="en"))))
    first = table([("Pesten", [1, 1234])], columns=["K1", "Totaal"], chart_column=0)
    assert "1.234" not in texts(parsed(bar_chart(first, language="nl")))


def test_the_same_table_gives_the_same_chart_and_other_tables_other_ids() -> None:
    shown = synthetic_table(3, 12)

    assert bar_chart(shown, language="nl") == bar_chart(synthetic_table(3, 12), language="nl")
    lookalikes = [table([("a", [1])], key=key) for key in ("a b", "a-b", "A_B", "ä b")]
    assert len({chart_id(t) for t in lookalikes}) == len(lookalikes)
    assert 'id="mine-title"' in bar_chart(shown, language="nl", ident="mine")


def test_the_chart_needs_nothing_from_outside() -> None:
    svg = bar_chart(synthetic_table(2, 9), language="nl").lower()

    for outside in ("href", "<script", "<style", "url(", "@import", "@font-face", "http://", "https://"):
        assert outside not in svg.replace('xmlns="http://www.w3.org/2000/svg"', ""), outside


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (40, [0, 10, 20, 30, 40]),
        (901, [0, 500, 1000]),
    ],
)
def test_the_axis_steps_are_round(largest: int, expected: list[int]) -> None:
    assert ticks_for(largest) == expected
