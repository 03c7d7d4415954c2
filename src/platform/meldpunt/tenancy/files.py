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

from meldpunt.tenancy.models import BranchService

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
    """Placeholder for the OIDC settings (filled by the identity issue)."""

    issuer: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    email_domains: tuple[str, ...] = ()


class TenantFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    slug: Slug
    display_name: Text
    sector_code: SectorCode
    locale: Literal["nl", "en"] = "nl"
    fte: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | None = None
    branding: Branding = Branding()
    identity_provider: IdentityProvider = IdentityProvider()
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


def load_branch_tree(folder: Path) -> BranchTree:
    """Read and validate one branch folder; raise TenantFileError for the first problem found."""
    branch_path = folder / "branch.yaml"
    if not branch_path.is_file():
        raise TenantFileError(branch_path, "missing: every branch folder has a branch.yaml")
    branch: BranchFile = _load(branch_path, BranchFile)
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
        seen[member.slug] = member_path
        members.append(member)
    return BranchTree(branch, tuple(members), seen)


ALL_BRANCH_SERVICES = tuple(service.value for service in BranchService)
