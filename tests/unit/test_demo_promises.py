"""The demo tenants keep what their published regulations promise: the terms they name are the configured
terms, the committee, advisers and guardians they name are the ones the member has, whoever they say decides
holds the decision maker's role, every member can seat a complete panel and carry out a follow-up, and a care
or child-care member names the law that applies to it. Each check is shown to fail on a tree that drifts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

from meldpunt.identity.roles import BRANCH_SERVICE_ROLES
from meldpunt.provisioning.files import BranchServiceName, BranchTree, MemberFile, Person, load_branch_tree
from meldpunt.tenancy.models import BranchService
from meldpunt.tenancy.terms import ProcedureTerms

NUMBERS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8}
UNITS = {"dag": 1, "dagen": 1, "week": 7, "weken": 7, "maand": 31, "maanden": 31}
WITHIN = r"binnen (?P<n>\w+) (?P<unit>dagen|dag|weken|week|maanden|maand)"
# A sentence of a regulation that promises a term, and the procedure term that must say the same.
PROMISES = (
    (re.compile(rf"\bmeldpunt\b.*{WITHIN}", re.IGNORECASE), "acknowledge_days"),
    (re.compile(rf"klachtencommissie\b.*{WITHIN}.*ontvangen", re.IGNORECASE), "complaint_receipt_days"),
    (re.compile(rf"{WITHIN} geeft de commissie", re.IGNORECASE), "committee_advice_days"),
    (re.compile(rf"beslist {WITHIN} na het advies", re.IGNORECASE), "complaint_decision_days"),
)
# Whom a regulation may name as the one who decides; a decision maker's name says their function.
DECIDERS = ("directeur-bestuurder", "raad van toezicht", "raad van bestuur", "directeur")
FOLLOW_UP_ROLES = ("line_manager", "hr", "facilitator", "mediator", "dpo")
CARE_SECTORS = ("86", "87", "88.1")  # SBI: health care, residential care, home care for the elderly and disabled
CHILD_CARE = "88.91"


def sentences(member: MemberFile) -> Iterator[str]:
    for document in member.policy_documents:
        for part in (document.title, document.summary, document.text):
            if part:
                yield from re.split(r"(?<=[.?!])\s+", " ".join(part.split()))


def regulation(member: MemberFile) -> str:
    return " ".join(sentences(member))


def people_at(tree: BranchTree, member: MemberFile, role: str) -> list[Person]:
    """Who holds ``role`` at the member: its own people, and the branch's through a service it uses."""
    own = [person for person in member.people if role in person.roles]
    shared = any(role in BRANCH_SERVICE_ROLES[service] for service in member.uses_branch_services)
    return own + ([person for person in tree.branch.people if role in person.roles] if shared else [])


def broken_promises(tree: BranchTree) -> list[str]:
    """Every promise of a regulation that the configured terms do not keep."""
    problems = []
    for member in tree.members:
        terms = member.procedure.terms or ProcedureTerms()
        for sentence in sentences(member):
            for pattern, term in PROMISES:
                found = pattern.search(sentence)
                if found is None:
                    continue
                days = NUMBERS.get(found["n"].lower(), 0) * UNITS[found["unit"].lower()]
                if getattr(terms, term) != days:
                    problems.append(f"{member.slug}: promises {found[0]!r}, {term} is {getattr(terms, term)}")
    return problems


def promised_terms(tree: BranchTree) -> set[tuple[str, str]]:
    return {
        (member.slug, term)
        for member in tree.members
        for sentence in sentences(member)
        for pattern, term in PROMISES
        if pattern.search(sentence)
    }


def missing_services(tree: BranchTree) -> list[str]:
    """A regulation that names an adviser, a committee or a guardian the member does not have."""
    problems = []
    for member in tree.members:
        text = regulation(member)
        services = set(member.uses_branch_services)
        for service, word in (
            ("advisers", "vertrouwenspersoon"),
            ("complaints_committee", "klachtencommissie"),
            ("process_guardians", "procesbewaker"),
        ):
            if f"{word} van de branche" in text and service not in services:
                problems.append(f"{member.slug}: names the branch's {word} but does not use {service}")
        if "vertrouwenspersoon" in text and not people_at(tree, member, "adviser"):
            problems.append(f"{member.slug}: names a vertrouwenspersoon and has none")
        if "klachtencommissie" in text and not people_at(tree, member, "committee_chair"):
            problems.append(f"{member.slug}: names a klachtencommissie and has no chair")
        if "klachtencommissie" in text and not people_at(tree, member, "committee_secretary"):
            problems.append(f"{member.slug}: names a klachtencommissie and has no secretary")
    return problems


def unnamed_deciders(tree: BranchTree) -> list[str]:
    """A function the regulation says decides that no decision maker of the member holds."""
    problems = []
    for member in tree.members:
        names = " ".join(person.name for person in people_at(tree, member, "decision_maker"))
        for sentence in sentences(member):
            if "beslist" not in sentence:
                continue
            rest = sentence
            for function in DECIDERS:  # longest first: "directeur-bestuurder" is not "directeur"
                if function in rest:
                    rest = rest.replace(function, "")
                    if function not in names:
                        problems.append(f"{member.slug}: says the {function} decides; no decision maker is")
    return problems


def incomplete_members(tree: BranchTree) -> list[str]:
    """A member that cannot seat a complete panel (seed-000 §1.4, §1.7) or carry out a follow-up."""
    problems = []
    for member in tree.members:
        deciders = people_at(tree, member, "decision_maker")
        if len(deciders) < 2:
            problems.append(f"{member.slug}: one decision maker decides alone about their own staff")
        if not [person for person in deciders if "line_manager" not in person.roles]:
            problems.append(f"{member.slug}: every decision maker is a line manager")
        for role in ("expert", "process_guardian", *FOLLOW_UP_ROLES):
            if not people_at(tree, member, role):
                problems.append(f"{member.slug}: nobody holds {role}")
        pooled = "process_guardians" in member.uses_branch_services
        if pooled and len(people_at(tree, member, "process_guardian")) < 2:
            problems.append(f"{member.slug}: the pool has no deputy for a guardian who declares a link")
    return problems


def unnamed_laws(tree: BranchTree) -> list[str]:
    """A care member that does not say it is subject to the Wkkgz (and reports to the IGJ), a child-care
    member that does not name the Wet kinderopvang's duty to report."""
    problems = []
    for member in tree.members:
        text = regulation(member)
        if member.sector_code.startswith(CARE_SECTORS) and not ("Wkkgz" in text and "IGJ" in text):
            problems.append(f"{member.slug}: a care provider whose regulation does not name the Wkkgz and the IGJ")
        if member.sector_code == CHILD_CARE and "Wet kinderopvang" not in text:
            problems.append(f"{member.slug}: a child-care provider whose regulation does not name the Wet kinderopvang")
    return problems


CHECKS = (broken_promises, missing_services, unnamed_deciders, incomplete_members, unnamed_laws)


@pytest.fixture
def demo(repo_root: Path) -> BranchTree:
    return load_branch_tree(repo_root / "tenants" / "demo")


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_demo_tenants_keep_what_their_regulations_promise(demo: BranchTree, check: object) -> None:
    assert callable(check)
    assert check(demo) == []


def test_the_promised_terms_are_found_where_the_regulations_state_them(demo: BranchTree) -> None:
    assert promised_terms(demo) == {
        ("de-linde", "acknowledge_days"),
        ("het-anker", "acknowledge_days"),
        ("zorggroep-oost", "acknowledge_days"),
        ("zorggroep-oost", "complaint_receipt_days"),
        ("zorggroep-oost", "committee_advice_days"),
        ("zorggroep-oost", "complaint_decision_days"),
    }


def drifted(repo_root: Path, tmp_path: Path, member: str, old: str, new: str) -> BranchTree:
    """The demo tree with one member file changed."""
    folder = tmp_path / "demo"
    (folder / "members").mkdir(parents=True)
    (folder / "branch.yaml").write_text((repo_root / "tenants" / "demo" / "branch.yaml").read_text())
    for path in (repo_root / "tenants" / "demo" / "members").glob("*.yaml"):
        body = path.read_text()
        if path.stem == member:
            assert old in body, old
            body = body.replace(old, new)
        (folder / "members" / path.name).write_text(body)
    return load_branch_tree(folder)


@pytest.mark.parametrize(
    ("check", "member", "old", "new", "problem"),
    [
        (broken_promises, "het-anker", "binnen een week iets", "binnen twee weken iets", "acknowledge_days is 7"),
        (broken_promises, "zorggroep-oost", "committee_advice_days: 56", "committee_advice_days: 42", "acht weken"),
        (missing_services, "het-anker", "[advisers, complaints_committee,", "[complaints_committee,", "advisers"),
        (missing_services, "zorggroep-oost", "roles: [committee_chair]", "roles: [committee_member]", "no chair"),
        (unnamed_deciders, "het-anker", "voorzitter raad van toezicht, beslisser", "beslisser", "raad van toezicht"),
        (incomplete_members, "het-anker", "roles: [expert]", "roles: [hr]", "nobody holds expert"),
        (incomplete_members, "de-linde", "[decision_maker]\n  - subject: tom", "[hr]\n  - subject: tom", "alone"),
        (incomplete_members, "zorggroep-oost", "roles: [mediator]", "roles: [hr]", "nobody holds mediator"),
        (unnamed_laws, "zorggroep-oost", "(Wkkgz)", "", "Wkkgz"),
        (unnamed_laws, "het-anker", "Wet kinderopvang", "wet", "Wet kinderopvang"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_each_check_fails_when_the_data_drifts_from_the_text(
    repo_root: Path, tmp_path: Path, check: object, member: str, old: str, new: str, problem: str
) -> None:
    assert callable(check)
    problems = check(drifted(repo_root, tmp_path, member, old, new))
    assert any(member in line and problem in line for line in problems), problems


def test_the_branch_services_are_the_same_everywhere() -> None:
    named = set(get_args(BranchServiceName))
    assert named == set(BranchService) == set(BRANCH_SERVICE_ROLES)


def test_every_demo_person_has_a_subject_of_their_own(demo: BranchTree) -> None:
    """All demo people sign in at the one demo provider, so a subject names one person across the tree."""
    subjects = [person.subject for tenant in (demo.branch, *demo.members) for person in tenant.people]
    assert len(subjects) == len(set(subjects))
