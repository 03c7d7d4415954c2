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

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="lower-case letters, digits, -")]
Colour = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$", description="a colour like #1d4e89")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SectorCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9.]{1,16}$", description="an SBI code such as 86")]


class Branding(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How the reporting point looks in this organisation's name."""

    primary_color: Colour = "#1d4e89"
    accent_color: Colour = "#f2a900"
    logo_text: Text | None = None
    welcome: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


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


class Person(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Someone who signs in here: their subject at the identity provider and their roles in this tenant.

    In the branch file, a person with a shared role (adviser, process guardian, committee) also holds it
    in every member that uses that branch service.
    """

    subject: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    name: Text
    roles: tuple[Role, ...]
    email: Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None


class RetentionRule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Destroy records of a class this many days after the trigger (the seeds set no periods: seed-000 §0.1)."""

    after: Trigger
    days: Annotated[int, msgspec.Meta(ge=1, le=36_500)]


class TenantFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    slug: Slug
    display_name: Text
    sector_code: SectorCode
    locale: Literal["nl", "en"] = "nl"
    fte: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None
    branding: Branding = Branding()
    identity_provider: IdentityProvider = IdentityProvider()
    people: tuple[Person, ...] = ()
    # In the branch file: defaults for every member. In a member file: only tighter than the branch's.
    retention: dict[RecordClass, RetentionRule] = {}
    # Procedure terms and settings; the case-handling issue gives this a schema.
    procedure: dict[str, Any] = {}


class BranchFile(TenantFile, frozen=True, kw_only=True):
    """The branch: the tenant that offers shared professionals to its members."""


class MemberFile(TenantFile, frozen=True, kw_only=True):
    """A member organisation; it may use the branch's shared services instead of its own."""

    fte: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
    uses_branch_services: tuple[Literal["advisers", "complaints_committee", "process_guardians"], ...] = ()


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


def load_branch_tree(folder: Path) -> BranchTree:
    """Read and validate one branch folder; raise TenantFileError for the first problem found."""
    branch_path = folder / "branch.yaml"
    if not branch_path.is_file():
        raise TenantFileError(branch_path, "missing: every branch folder has a branch.yaml")
    branch: BranchFile = _load(branch_path, BranchFile)
    _check_people(branch_path, branch)
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
        _check_people(member_path, member)
        _check_retention(member_path, member, branch)
        seen[member.slug] = member_path
        members.append(member)
    return BranchTree(branch, tuple(members), seen)
