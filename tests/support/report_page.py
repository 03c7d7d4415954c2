"""An annual report shown as a page through the application's own Jinja environment (``base.html`` around
``_report.html``), for the page's tests and the benchmark, without routes or a database."""

from __future__ import annotations

from litestar.plugins.jinja import JinjaTemplateEngine

from meldpunt.app import WEB_DIR, install_template_helpers
from meldpunt.reports.model import Report
from meldpunt.web.i18n import context_for

PAGE = '{% extends "base.html" %}{% block main %}{% include "_report.html" %}{% endblock %}'


def page_engine() -> JinjaTemplateEngine:
    engine = JinjaTemplateEngine(directory=WEB_DIR / "templates")
    install_template_helpers(engine)
    return engine


def report_page(report: Report, engine: JinjaTemplateEngine | None = None) -> str:
    """The whole page of ``report`` in its own language."""
    template = (engine or page_engine()).engine.from_string(PAGE)
    return template.render(report=report, **context_for(report.language))
