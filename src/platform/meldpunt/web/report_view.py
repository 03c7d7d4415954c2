"""What ``templates/_report.html`` needs to show an annual report (issue 16): its charts inline as SVG and its
counts written as in the PDF, so the page and the PDF of one report show the same figures in the same way."""

from __future__ import annotations

from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup

from meldpunt.reports.charts import bar_chart, count_in
from meldpunt.reports.model import HIDDEN_MARK, Table


def report_chart(table: Table, language: str) -> Markup:
    """The table's chart as markup to inline: ``charts.bar_chart`` escapes every text it draws."""
    return Markup(bar_chart(table, language=language))  # noqa: S704 - built by bar_chart, every text escaped


def report_count(value: int, language: str) -> str:
    return count_in(value, language)


def install_report_helpers(engine: JinjaTemplateEngine) -> None:
    """``report_chart``, ``report_count`` and ``hidden_mark`` for every page."""
    engine.engine.globals.update(
        {"report_chart": report_chart, "report_count": report_count, "hidden_mark": HIDDEN_MARK}
    )
