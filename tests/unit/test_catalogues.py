"""The interface texts are gettext catalogues (DESIGN §11): every Dutch message has an English twin, every id
the code or a template uses is in both, templates show no words of their own, and the committed .mo files are
the compiled .po files."""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import meldpunt.app
import meldpunt.cli  # noqa: F401  (every module with a domain error is imported)
from meldpunt.catalogues import LANGUAGES, LOCALE_DIR, message_ids
from meldpunt.errors import DomainError, Refused
from meldpunt.identity.roles import Role
from meldpunt.intake.attachments import AttachmentRefused
from meldpunt.web import pro_texts, public_texts

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = LOCALE_DIR.parent / "templates"
SRC = LOCALE_DIR.parents[1]
# Modules whose refusals still word their own detail, until they are converted (issue 11): to be emptied.
WORDED_DETAIL_ALLOWED: frozenset[str] = frozenset()  # no file may word a refusal itself
# Exceptions that are not domain errors but whose reason becomes one's (``raise AttachmentRefused(e.reason)``).
REASON_OF = {"CannotClean": AttachmentRefused}
# Words a template may show itself: units after a number.
SHOWN_AS_IS = frozenset({"kB", "min"})
LETTER = r"[^\W\d_]"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalogue(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def texts(language: str) -> dict[str, str]:
    return {str(message.id): str(message.string) for message in catalogue(language) if message.id}


def used_ids() -> Iterator[tuple[str, str]]:
    """(where, id) for every literal id of ``_()``, ``gettext()`` and ``text(language, id)`` in src and templates,
    found with Babel's own extractors and the project's ``babel.cfg``."""
    method_map = [
        ("src/platform/meldpunt/web/templates/**.html", "jinja2"),
        ("src/platform/meldpunt/**.py", "python"),
    ]
    options = {"src/platform/meldpunt/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "text": (2,)}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options, keywords=keywords
    ):
        yield f"{filename}:{lineno}", str(message)


@pytest.mark.parametrize(("language", "other"), [("nl", "en"), ("en", "nl")])
def test_every_message_has_a_twin_in_the_other_language(language: str, other: str) -> None:
    mine, theirs = texts(language), texts(other)
    assert [message_id for message_id in mine if not theirs.get(message_id)] == []
    assert [message_id for message_id, words in mine.items() if not words.strip()] == []


def test_the_placeholders_of_a_message_are_filled_in_both_languages() -> None:
    dutch, english = texts("nl"), texts("en")
    for message_id, words in dutch.items():
        names = set(PLACEHOLDER.findall(words)) | set(PLACEHOLDER.findall(english[message_id]))
        values = dict.fromkeys(names, "x")
        for said in (words, english[message_id]):
            assert said % values if names else said.replace("%%", "%"), message_id


def test_every_id_the_code_and_the_templates_use_is_in_both_catalogues() -> None:
    used = list(used_ids())
    assert len(used) > 300
    for language in LANGUAGES:
        missing = [f"{where}: {message_id}" for where, message_id in used if message_id not in message_ids(language)]
        assert missing == [], language


def test_the_word_tables_name_only_ids_of_both_catalogues() -> None:
    composed = [f"public.option.{q}.{v}" for q, values in public_texts.CHOICES.items() for v in values]
    composed += [f"public.status.{status}" for status in public_texts.STATUSES]
    composed += [f"communication.{scenario}" for scenario in pro_texts.SCENARIOS]
    composed += [f"role.{role.value}" for role in Role]
    for prefix, groups in (
        ("intake", pro_texts.INTAKE_GROUPS),
        ("case", pro_texts.CASE_GROUPS),
        ("vault", pro_texts.VAULT_GROUPS),
    ):
        composed += [f"{prefix}.{group}.{key}" for group, keys in groups.items() for key in keys]
    for language in LANGUAGES:
        assert [message_id for message_id in composed if message_id not in message_ids(language)] == []
    for table in (pro_texts.WORDS, public_texts.TEXTS):
        assert table["nl"].keys() == table["en"].keys() and len(table["nl"]) > 50


def test_no_template_shows_words_outside_the_catalogue() -> None:
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found: list[str] = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        tokens = [token for token in environment.lex(path.read_text()) if token[1] != "whitespace"]
        # The text between the template's code, with its HTML tags (and attributes) left out.
        data = "".join(value if kind == "data" else "\x00" for _, kind, value in tokens)
        visible = re.sub(r"&[#\w]+;", " ", re.sub(r"<!--.*?-->|<[^>]*>", " ", data, flags=re.S))
        found += [f"{path.name}: {word}" for word in re.findall(rf"{LETTER}+", visible) if word not in SHOWN_AS_IS]
        # A sentence in the template's code (a string of two words or more) that is not a message id.
        for index, (line, kind, value) in enumerate(tokens):
            in_gettext = index >= 2 and tokens[index - 1][2] == "(" and tokens[index - 2][2] in ("_", "gettext")
            if kind == "string" and not in_gettext and re.search(rf"{LETTER}{{2,}}\s+{LETTER}{{2,}}", value):
                found.append(f"{path.name}:{line}: {value}")
    assert found == []


def domain_errors(base: type[DomainError] = DomainError) -> Iterator[type[DomainError]]:
    yield base
    for subclass in base.__subclasses__():
        yield from domain_errors(subclass)


def test_every_domain_error_has_its_words_in_both_catalogues() -> None:
    errors = list(domain_errors())
    assert len(errors) > 40
    for language in LANGUAGES:
        ids = message_ids(language)
        assert [error.__name__ for error in errors if error.message_id not in ids] == [], language
        untitled = [error for error in errors if error.title is None]
        assert [error.__name__ for error in untitled if f"{error.message_id}.title" not in ids] == [], language


def test_no_domain_error_has_a_literal_title() -> None:
    assert [error.__name__ for error in domain_errors() if error.title is not None] == []


def raised_errors() -> Iterator[tuple[str, type[DomainError], ast.Call]]:
    """(where, error, call) for every call in src that makes a domain error (``Error(...)``,
    ``module.Error(...)``, raised or not), and every ``super().__init__(...)`` inside a domain error's class."""
    errors = {error.__name__: error for error in domain_errors()} | REASON_OF
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [(node, errors) for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for cls in ast.walk(tree):
            if isinstance(cls, ast.ClassDef) and cls.name in errors:
                inits = [
                    node for node in ast.walk(cls) if isinstance(node, ast.Call) and "super()" in ast.unparse(node)
                ]
                calls += [(node, {"__init__": errors[cls.name]}) for node in inits]
        for call, named in calls:
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if name in named:
                yield f"{path.relative_to(SRC)}:{call.lineno}", named[name], call


def test_the_raise_scan_sees_the_domain_errors() -> None:
    raised = {error for _, error, _ in raised_errors()}
    assert len(raised) > 30 and AttachmentRefused in raised


def test_no_domain_error_is_raised_with_words_of_its_own() -> None:
    """A refusal names its words by message id (or a ``Refused`` reason), never by a literal sentence."""
    worded = []
    for where, _error, call in raised_errors():
        # Any text in the detail: a literal, the literal parts of an f-string or of a sum of strings.
        given = call.args[:1] + [keyword.value for keyword in call.keywords if keyword.arg == "detail"]
        parts = [part for argument in given for part in ast.walk(argument)]
        if any(isinstance(part, ast.Constant) and " " in str(part.value) for part in parts):
            worded.append(where)
    assert [where for where in worded if where.split(":")[0] not in WORDED_DETAIL_ALLOWED] == []


def test_every_reason_raised_has_its_words_in_both_catalogues() -> None:
    reasons = [
        (where, f"{error.message_id}.{call.args[0].value}")
        for where, error, call in raised_errors()
        if issubclass(error, Refused) and call.args and isinstance(call.args[0], ast.Constant)
        if isinstance(call.args[0].value, str)
    ]
    assert len(reasons) > 20
    for language in LANGUAGES:
        assert [
            f"{where}: {message_id}" for where, message_id in reasons if message_id not in message_ids(language)
        ] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_the_compiled_po_file(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue(language))
    committed = (LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert compiled.getvalue() == committed, "run scripts/catalogues compile and commit the .mo files"


def _subclasses(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_reason_a_refusal_is_raised_with_has_its_words_in_both_catalogues() -> None:
    """``raise PartyRefused("case-ended")`` says ``error.party-refused.case-ended``: found in the source by
    the class's name, looked up in nl and en."""
    refusals = {cls.__name__: cls.message_id for cls in _subclasses(Refused)}
    assert refusals, "no Refused subclass is imported"
    pattern = re.compile(r"raise (" + "|".join(refusals) + r")\(\s*\"([a-z0-9-]+)\"")
    raised = {
        (name, reason) for path in (ROOT / "src").rglob("*.py") for name, reason in pattern.findall(path.read_text())
    }
    assert raised
    missing = [
        f"{refusals[name]}.{reason} ({language})"
        for name, reason in sorted(raised)
        for language in LANGUAGES
        if f"{refusals[name]}.{reason}" not in message_ids(language)
    ]
    assert missing == []


def test_a_refusal_with_values_says_them_in_each_language() -> None:
    refused = AttachmentRefused("type", "virus.exe")
    assert refused.detail == (
        "Het bestand virus.exe kunnen we niet aannemen. Dit kan wel: PDF, JPG, PNG, HEIC, Word (docx), "
        "OpenDocument (odt), tekst (txt), MP3, M4A, MP4 of MOV."
    )
    assert refused.detail_in("en").startswith("We cannot accept the file virus.exe.")
    assert "text (txt), MP3, M4A, MP4 or MOV." in refused.detail_in("en")
    assert refused.title_in("en") == "File not added"
    assert AttachmentRefused("too_large", "big.pdf").detail_in("en") == (
        "The file big.pdf is larger than 10 MB. Please choose a smaller file."
    )
