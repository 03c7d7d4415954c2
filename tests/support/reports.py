"""Synthetic annual reports for the renderers' tests and the benchmark: any size, in Dutch or English, with
hidden cells, and a title of a hostile organisation when asked for."""

from __future__ import annotations

from meldpunt.reports.model import Report, Section, Table

HOSTILE = "Stichting #set text(red) [*vet*] _schuin_ $x^2$ `code` <label> @ref \\ \"aanhalingstekens\" 'enkel' & co"
WORDS = {
    "nl": {
        "title": "Jaarverslag vertrouwenspersoon",
        "subtitle": "Stichting Voorbeeld · {year}",
        "intro": "Dit verslag telt de contacten van {year}. Kleine aantallen zijn verborgen.",
        "section": "Hoofdstuk {n}",
        "paragraph": "Een toelichting bij hoofdstuk {n}.",
        "table": "Contacten per soort, tabel {n}",
        "row_header": "Soort",
        "columns": ["K1", "K2", "K3", "Totaal"],
        "row": "Soort {n} van het gedrag",
        "alt": "Staafdiagram van tabel {n}: {rows} rijen, het totaal per soort; een verborgen aantal is een gat.",
        "hidden": "Verborgen: minder dan 5 gevallen of te herleiden tot een organisatie.",
        "footer": "Meldpunt · jaarverslag {year}",
    },
    "en": {
        "title": "Annual report of the confidential adviser",
        "subtitle": "Example Foundation · {year}",
        "intro": "This report counts the contacts of {year}. Small counts are hidden.",
        "section": "Chapter {n}",
        "paragraph": "A word on chapter {n}.",
        "table": "Contacts by kind, table {n}",
        "row_header": "Kind",
        "columns": ["Q1", "Q2", "Q3", "Total"],
        "row": "Kind {n} of behaviour",
        "alt": "Bar chart of table {n}: {rows} rows, the total per kind; a hidden count is a gap.",
        "hidden": "Hidden: fewer than 5 cases or traceable to one organisation.",
        "footer": "Meldpunt · annual report {year}",
    },
}


def synthetic_table(n: int, rows: int, language: str = "nl") -> Table:
    """Table ``n`` with ``rows`` rows; every seventh cell hidden, counts up to a few thousand."""
    words = WORDS[language]
    body: list[tuple[str, list[int | None]]] = []
    for r in range(rows):
        quarters: list[int | None] = [
            None if (n + r + c) % 7 == 0 else (n * 37 + r * 11 + c * 5) % 90 for c in range(3)
        ]
        total = None if any(q is None for q in quarters) and (n + r) % 2 else sum(q or 0 for q in quarters) * (r + 1)
        body.append((str(words["row"]).format(n=r + 1), [*quarters, total]))
    return Table(
        key=f"table-{n}",
        title=str(words["table"]).format(n=n),
        row_header=str(words["row_header"]),
        columns=list(words["columns"]),
        rows=body,
        alt=str(words["alt"]).format(n=n, rows=rows),
    )


def synthetic_report(
    language: str = "nl", *, sections: int = 6, tables: int = 15, rows: int = 12, title: str | None = None
) -> Report:
    """A whole report of ``tables`` tables spread over ``sections`` sections, of 4 to ``rows`` rows each."""
    words = WORDS[language]
    year = 2026
    shown = [synthetic_table(n + 1, 4 + (n * 5) % (rows - 3), language) for n in range(tables)]
    per = -(-tables // sections)
    return Report(
        kind="adviser",
        language=language,
        year=year,
        title=title or str(words["title"]),
        subtitle=str(words["subtitle"]).format(year=year),
        intro=[str(words["intro"]).format(year=year)],
        sections=[
            Section(
                heading=str(words["section"]).format(n=s + 1),
                paragraphs=[str(words["paragraph"]).format(n=s + 1)],
                tables=shown[s * per : (s + 1) * per],
            )
            for s in range(sections)
        ],
        hidden_explained=str(words["hidden"]),
        footer=str(words["footer"]).format(year=year),
    )
