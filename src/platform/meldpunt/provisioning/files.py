"""The tenants-as-code files: ``<branch>/branch.yaml`` and ``<branch>/members/<member>.yaml``.

Every file is validated against the schema below before anything is written; an error names the file,
the field and what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from meldpunt.dossiers.documents import RecordClass
from meldpunt.identity.roles import Role as KnownRole
from meldpunt.identity.roles import incompatible_with
from meldpunt.retention.models import Trigger
from meldpunt.tenancy.branding import MINIMUM_CONTRAST, Branding, Text, contrast_with_white
from meldpunt.tenancy.terms import ComplaintRules, LooserThanStatute, ProcedureTerms, check_terms

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="lower-case letters, digits, -")]
SectorCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9.]{1,16}$", description="an SBI code such as 86")]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
# Loose on purpose, but nothing that would add headers to a mailto: link (?, &) or leave an attribute.
Email = Annotated[
    str, msgspec.Meta(pattern=r"^[^@\s?&<>\"']+@[^@\s?&<>\"']+\.[^@\s?&<>\"']+$", description="an e-mail address")
]
Phone = Annotated[
    str, msgspec.Meta(pattern=r"^\+?[0-9][0-9 ()-]{5,19}$", description="a phone number like 030 123 45 67")
]
AgeRange = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}(-[0-9]{2}|\+)$", description="like 40-50 or 60+")]


class IdentityProvider(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The tenant's own OpenID provider; without one its people sign in through the branch's provider.

    The secret is never in the file: ``client_secret_env`` names the environment variable that holds it.
    ``demo: true`` uses the built-in demo provider, which only ``meldpunt demo`` runs.
    """

    issuer: Annotated[str, msgspec.Meta(pattern=r"^https?://\S+$")] | None = None
    client_id: str | None = None
    client_secret_env: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = None
    email_domains: tuple[str, ...] = ()
    demo: bool = False


Role = Literal[
    "tenant_admin",
    "adviser",
    "reporting_point",
    "decision_maker",
    "expert",
    "process_guardian",
    "committee_chair",
    "committee_member",
    "committee_secretary",
    "investigator",
    "dpo",
    "sector_board",
    "hr",
    "line_manager",
    "mediator",
    "facilitator",
]


# The shared services a branch offers (tenancy.models.BranchService; the roles each brings are
# identity.roles.BRANCH_SERVICE_ROLES). tests/unit/test_tenant_files.py keeps the three lists equal.
BranchServiceName = Literal["advisers", "complaints_committee", "process_guardians", "mediators"]


class Reach(msgspec.Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    """How a reporter reaches an adviser directly."""

    phone: Phone | None = None
    email: Email | None = None
    hours: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None


class AdviserProfile(msgspec.Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    """What a reporter reads to choose a confidential adviser (published on the reporting point's page).

    ``external`` says the adviser is not employed by the organisation; a branch's shared adviser always is.
    """

    gender: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] | None = None
    age_range: AgeRange | None = None
    background: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    expertise: Annotated[tuple[ShortText, ...], msgspec.Meta(max_length=12)] = ()
    external: bool | None = None
    languages: Annotated[tuple[ShortText, ...], msgspec.Meta(max_length=12)] = ()
    reach: Reach = Reach()
    introduction: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None


class Person(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Someone who signs in here: their subject at the identity provider and their roles in this tenant.

    In the branch file, a person with a shared role (adviser, process guardian, committee) also holds it
    in every member that uses that branch service. An adviser with a ``profile`` is listed, by name and
    profile, on the public reporting point's page; an adviser without one is not published.
    """

    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    name: Text
    roles: tuple[Role, ...]
    email: Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    profile: AdviserProfile | None = None


class PolicyDocument(msgspec.Struct, forbid_unknown_fields=True, frozen=True, omit_defaults=True):
    """A policy document of the organisation (code of conduct, complaints regulation) on its reporting point:
    either a link to where it is published (``url``, https only) or its ``text``, shown on a page of its own.
    """

    title: Text
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None
    url: Annotated[str, msgspec.Meta(pattern=r"^https://[^\s\"'<>]+$", max_length=2000)] | None = None
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)] | None = None


class RetentionRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Destroy records of a class this many days after the trigger (the seeds set no periods: seed-000 §0.1)."""

    after: Trigger
    days: Annotated[int, msgspec.Meta(ge=1, le=36_500)]


class Procedure(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How cases are handled here. ``terms``: days per step (tenancy/terms.py); the statutory ones may only
    be shorter than the law (7 days to acknowledge, a month to inform the accused, 3 months' feedback)."""

    terms: ProcedureTerms | None = None
    # The complaints regulation's rules besides its terms (an external chair; the internal route first).
    complaint_rules: ComplaintRules = ComplaintRules()


class TenantFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    slug: Slug
    display_name: Text
    sector_code: SectorCode
    locale: Literal["nl", "en"] = "nl"
    fte: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None
    branding: Branding = Branding()
    identity_provider: IdentityProvider = IdentityProvider()
    people: tuple[Person, ...] = ()
    policy_documents: Annotated[tuple[PolicyDocument, ...], msgspec.Meta(max_length=20)] = ()
    # In the branch file: defaults for every member. In a member file: only tighter than the branch's.
    retention: dict[RecordClass, RetentionRule] = {}
    # Procedure settings: the deadline engine's terms. A member without terms of its own uses the branch's.
    procedure: Procedure = msgspec.field(default_factory=lambda: Procedure())


class BranchFile(TenantFile, frozen=True, kw_only=True):
    """The branch: the tenant that offers shared professionals to its members."""


class MemberFile(TenantFile, frozen=True, kw_only=True):
    """A member organisation; it may use the branch's shared services instead of its own."""

    fte: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    uses_branch_services: tuple[BranchServiceName, ...] = ()


class TenantFileError(ValueError):
    """A tenants file is missing, malformed or inconsistent; the message names file and field."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class BranchTree:
    branch: BranchFile
    members: tuple[MemberFile, ...]
    sources: dict[str, Path]


def _describe(error: msgspec.ValidationError | msgspec.DecodeError) -> str:
    """Turn msgspec's message into "field 'a.b': what is wrong"."""
    text = str(error)
    what, _, where = text.partition(" - at ")
    path = where.strip("`").removeprefix("$").lstrip(".")
    named = re.fullmatch(r"Object (missing required|contains unknown) field `([^`]+)`", what)
    if named:
        path = ".".join(filter(None, (path, named.group(2))))
        what = "required but missing" if named.group(1) == "missing required" else "not a known field"
    if not path:
        return what.replace("`", "'")
    return f"field '{path}': {what.replace('`', chr(39))}"


def _load(path: Path, schema: type[TenantFile]) -> Any:
    try:
        return msgspec.yaml.decode(path.read_bytes(), type=schema)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise TenantFileError(path, _describe(error)) from None
    except OSError as error:
        raise TenantFileError(path, f"cannot be read ({error.strerror})") from None


def _check_retention(path: Path, member: TenantFile, branch: TenantFile) -> None:
    for record_class, rule in member.retention.items():
        default = branch.retention.get(record_class)
        if default is None:
            continue
        if rule.after != default.after:
            raise TenantFileError(
                path,
                f"field 'retention.{record_class}.after': the branch counts from "
                f"{default.after}; a member keeps the same trigger",
            )
        if rule.days > default.days:
            raise TenantFileError(
                path,
                f"field 'retention.{record_class}.days': {rule.days} is longer than the "
                f"branch's {default.days}; a member may only keep records shorter",
            )


def _check_people(path: Path, declared: TenantFile) -> None:
    subjects: set[str] = set()
    for index, person in enumerate(declared.people):
        if person.subject in subjects:
            raise TenantFileError(path, f"field 'people[{index}].subject': '{person.subject}' is listed twice")
        subjects.add(person.subject)
        if person.profile is not None and "adviser" not in person.roles:
            raise TenantFileError(
                path,
                f"field 'people[{index}].profile': only a person with the adviser role has a public profile",
            )
        if person.profile is not None and isinstance(declared, BranchFile) and person.profile.external is False:
            raise TenantFileError(
                path,
                f"field 'people[{index}].profile.external': a branch's shared adviser is always external "
                "to the members it serves",
            )
        held: set[KnownRole] = set()
        for role in person.roles:
            clash = incompatible_with(KnownRole(role), held)
            if clash is not None:
                raise TenantFileError(
                    path,
                    f"field 'people[{index}].roles': {role} may not be combined with "
                    f"{clash} in one organisation (seed-000 §1.7)",
                )
            held.add(KnownRole(role))


def _check_branding(path: Path, declared: TenantFile) -> None:
    ratio = contrast_with_white(declared.branding.primary_color)
    if ratio < MINIMUM_CONTRAST:
        raise TenantFileError(
            path,
            f"field 'branding.primary_color': {declared.branding.primary_color} has a contrast of {ratio:.2f}:1 "
            f"with white; text on the reporting point needs at least {MINIMUM_CONTRAST}:1 (WCAG 2.1 AA)",
        )


def _check_policy_documents(path: Path, declared: TenantFile) -> None:
    for index, document in enumerate(declared.policy_documents):
        if (document.url is None) == (document.text is None):
            raise TenantFileError(path, f"field 'policy_documents[{index}]': give exactly one of 'url' or 'text'")


def _check_procedure(path: Path, declared: TenantFile) -> None:
    if declared.procedure.terms is None:
        return
    try:
        check_terms(declared.procedure.terms)
    except LooserThanStatute as looser:
        raise TenantFileError(path, f"field 'procedure.terms.{looser.term}': {looser}") from None


def _check_tenant(path: Path, declared: TenantFile) -> None:
    _check_people(path, declared)
    _check_branding(path, declared)
    _check_policy_documents(path, declared)
    _check_procedure(path, declared)


def load_branch_tree(folder: Path) -> BranchTree:
    """Read and validate one branch folder; raise TenantFileError for the first problem found."""
    branch_path = folder / "branch.yaml"
    if not branch_path.is_file():
        raise TenantFileError(branch_path, "missing: every branch folder has a branch.yaml")
    branch: BranchFile = _load(branch_path, BranchFile)
    _check_tenant(branch_path, branch)
    members: list[MemberFile] = []
    seen = {branch.slug: branch_path}
    for member_path in sorted((folder / "members").glob("*.y*ml")):
        member: MemberFile = _load(member_path, MemberFile)
        if member_path.stem != member.slug:
            raise TenantFileError(
                member_path, f"field 'slug': '{member.slug}' must equal the file name '{member_path.stem}'"
            )
        if member.slug in seen:
            raise TenantFileError(member_path, f"field 'slug': '{member.slug}' is already used by {seen[member.slug]}")
        if len(set(member.uses_branch_services)) != len(member.uses_branch_services):
            raise TenantFileError(member_path, "field 'uses_branch_services': a service is listed twice")
        _check_tenant(member_path, member)
        _check_retention(member_path, member, branch)
        if member.procedure.terms is None and branch.procedure.terms is not None:
            member = msgspec.structs.replace(member, procedure=branch.procedure)
        seen[member.slug] = member_path
        members.append(member)
    return BranchTree(branch, tuple(members), seen)


def roles_per_member(tree: BranchTree) -> list[tuple[str, list[str], list[str]]]:
    """The branch, then each member: its display name, the roles its own people hold (with a count where
    several hold one) and the branch services it uses. For ``meldpunt demo``'s banner: who there is,
    without every name."""
    summary = []
    for member in (tree.branch, *tree.members):
        counts: dict[str, int] = {}
        for person in member.people:
            for role in person.roles:
                counts[role] = counts.get(role, 0) + 1
        own = [f"{role}\u00a0×{count}" if count > 1 else role for role, count in sorted(counts.items())]
        services: list[str] = sorted(member.uses_branch_services) if isinstance(member, MemberFile) else []
        summary.append((member.display_name, own, services))
    return summary
