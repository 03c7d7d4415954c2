"""What a full annual report's PDF costs (issue 16: under 5 s), against its HTML page in the same run.

A synthetic report of realistic size (6 sections, 15 tables of 4 to 12 rows, each with its chart, hidden cells
among them) in Dutch. Printed: the first PDF of the process (Typst loads its fonts), the median of the next
runs, the median HTML page (``_report.html`` in ``base.html``, charts inline), and the ratio of the two medians.

    .venv/bin/python benchmarks/annual_report.py [--runs 5] [--tables 15] [--rows 12]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader
from tests.support.report_page import page_engine, report_page
from tests.support.reports import synthetic_report

from meldpunt.reports.pdf import pdf

TARGET = 5.0


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sections", type=int, default=6)
    parser.add_argument("--tables", type=int, default=15)
    parser.add_argument("--rows", type=int, default=12)
    args = parser.parse_args()
    report = synthetic_report("nl", sections=args.sections, tables=args.tables, rows=args.rows)
    tables = [table for section in report.sections for table in section.tables]
    cells = sum(len(values) for table in tables for _, values in table.rows)
    engine = page_engine()

    first_pdf = timed(lambda: pdf(report))
    pdf_runs = [timed(lambda: pdf(report)) for _ in range(args.runs)]
    first_html = timed(lambda: report_page(report, engine))
    html_runs = [timed(lambda: report_page(report, engine)) for _ in range(args.runs)]
    pages = len(PdfReader(io.BytesIO(pdf(report))).pages)

    pdf_median, html_median = statistics.median(pdf_runs), statistics.median(html_runs)
    print(f"report: {len(report.sections)} sections, {len(tables)} tables with charts, {cells} cells, {pages} pages")
    print(f"PDF (PDF/UA-1, Typst): first {first_pdf:.3f} s, median of {args.runs} {pdf_median:.3f} s")
    print(f"HTML page (Jinja, SVG inline): first {first_html:.4f} s, median of {args.runs} {html_median:.4f} s")
    print(f"ratio PDF / HTML: {pdf_median / html_median:.1f}×")
    verdict = "met" if max(first_pdf, pdf_median) < TARGET else "MISSED"
    print(f"target: a full annual report PDF in under {TARGET:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
