"""The board's charts: the alt text names every value in order, a hidden one as hidden, and draws no bar for it;
charts side by side share one scale."""

from __future__ import annotations

from meldpunt.web.sector_pages import bar_chart


def test_the_alt_text_names_every_value_and_a_hidden_one_as_hidden() -> None:
    chart = bar_chart("nl", "q", "Meldingen per kwartaal", [("2026-Q1", 40), ("2026-Q2", None), ("2026-Q3", 20)])
    assert chart.description == "Staafdiagram, oudste kwartaal eerst. 2026-Q1: 40; 2026-Q2: Verborgen; 2026-Q3: 20."
    assert [bar.shown for bar in chart.bars] == ["40", "Verborgen", "20"]
    assert chart.bars[1].height == 0 and chart.bars[0].height == 2 * chart.bars[2].height
    english = bar_chart("en", "q", "Reports", [("2026-Q1", 0), ("2026-Q2", None)])
    assert english.description == "Bar chart, oldest quarter first. 2026-Q1: 0; 2026-Q2: Hidden."


def test_small_charts_share_one_scale() -> None:
    small = bar_chart("nl", "a", "A", [("2026-Q1", 10)], "Pesten", largest=40)
    large = bar_chart("nl", "b", "B", [("2026-Q1", 40)], "Agressie", largest=40)
    assert large.bars[0].height == 4 * small.bars[0].height and small.caption == "Pesten"
