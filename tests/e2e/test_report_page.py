"""An annual report's page (``_report.html`` in ``base.html``, with the app's stylesheet) has no WCAG 2.1 AA
violations as far as axe-core can tell, in a real browser, in both languages, hidden cells and charts included.
The pages that serve a report are checked in their own journeys; this one holds the renderer to it alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from meldpunt.app import WEB_DIR
from tests.e2e.conftest import AXE, BROWSER_ARGS
from tests.support.report_page import report_page
from tests.support.reports import HOSTILE, synthetic_report

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.parametrize(("language", "width"), [("nl", 1280), ("en", 390)])
def test_a_report_page_has_no_wcag_aa_violations(chromium_path: str, language: str, width: int) -> None:
    html = report_page(synthetic_report(language, title=HOSTILE))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_content(html)
            page.add_style_tag(path=str(WEB_DIR / "static" / "app.css"))
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
            charts = page.evaluate("document.querySelectorAll('svg.chart[role=img]').length")
        finally:
            browser.close()

    assert [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result["violations"]] == []
    assert charts == 15
