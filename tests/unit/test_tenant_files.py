"""Tenant files: an error names the file, the field and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from meldpunt.provisioning.files import TenantFileError, load_branch_tree

BRANCH = "slug: branche\ndisplay_name: Branche\nsector_code: '88'\n"


def write_tree(root: Path, branch: str = BRANCH, **members: str) -> Path:
    (root / "members").mkdir(parents=True)
    (root / "branch.yaml").write_text(branch)
    for name, body in members.items():
        (root / "members" / f"{name}.yaml").write_text(body)
    return root


def error_of(root: Path) -> str:
    with pytest.raises(TenantFileError) as error:
        load_branch_tree(root)
    return str(error.value)


def test_the_shipped_demo_tree_is_valid(repo_root: Path) -> None:
    tree = load_branch_tree(repo_root / "tenants" / "demo")
    sizes = sorted(member.fte for member in tree.members)
    assert sizes == [8, 60, 400]
    smallest = min(tree.members, key=lambda member: member.fte)
    assert set(smallest.uses_branch_services) == {"advisers", "complaints_committee", "mediators", "process_guardians"}


def test_a_missing_required_field_is_named(tmp_path: Path) -> None:
    root = write_tree(tmp_path, lid="slug: lid\ndisplay_name: Lid\nsector_code: '88'\n")
    assert error_of(root) == f"{root}/members/lid.yaml: field 'fte': required but missing"


def test_an_unknown_field_is_named(tmp_path: Path) -> None:
    root = write_tree(tmp_path, BRANCH + "colour: blue\n")
    assert "branch.yaml: field" in error_of(root) and "colour" in error_of(root)


def test_an_unknown_branch_service_is_named(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        lid="slug: lid\ndisplay_name: Lid\nsector_code: '88'\nfte: 5\nuses_branch_services: [advisers, canteen]\n",
    )
    message = error_of(root)
    assert "lid.yaml: field 'uses_branch_services[1]'" in message and "canteen" in message


def test_a_bad_colour_in_branding_is_named(tmp_path: Path) -> None:
    root = write_tree(tmp_path, BRANCH + "branding:\n  primary_color: blue\n")
    assert "field 'branding.primary_color'" in error_of(root)


def test_the_file_name_must_match_the_slug(tmp_path: Path) -> None:
    root = write_tree(tmp_path, anders="slug: lid\ndisplay_name: Lid\nsector_code: '88'\nfte: 5\n")
    assert "anders.yaml: field 'slug': 'lid' must equal the file name 'anders'" in error_of(root)


def test_broken_yaml_is_reported_with_the_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path, "slug: [unclosed\n")
    assert error_of(root).startswith(f"{root}/branch.yaml: ")


def test_a_folder_without_branch_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "members").mkdir()
    assert "branch.yaml: missing" in error_of(tmp_path)


def test_the_demo_banner_lists_each_members_roles_and_services_without_every_name(repo_root: Path) -> None:
    from meldpunt.demo import _banner
    from meldpunt.provisioning.files import roles_per_member

    tree = load_branch_tree(repo_root / "tenants" / "demo")
    summary = {name: (own, services) for name, own, services in roles_per_member(tree)}
    own, services = summary["Kinderopvang Het Anker"]
    assert own[:2] == ["decision_maker\u00a0×2", "dpo"] and "line_manager\u00a0×3" in own and "tenant_admin" in own
    assert services == ["advisers", "complaints_committee", "mediators", "process_guardians"]
    assert "process_guardian\u00a0×2" in summary["Zorggroep Oost"][0] and summary["Zorggroep Oost"][1] == []
    banner = _banner(8000, "postgresql://demo", "/tmp", "redis://demo", repo_root, None, roles_per_member(tree))
    for tenant in (tree.branch, *tree.members):
        assert tenant.display_name in banner
        assert not [person.name for person in tenant.people if person.name in banner]
    assert max(len(line) for line in banner.splitlines()) <= 110


@pytest.mark.parametrize("roles", ["[adviser, mediator]", "[mediator, adviser]", "[adviser, investigator]"])
def test_the_adviser_is_never_the_mediator_or_investigator(tmp_path: Path, roles: str) -> None:
    root = write_tree(tmp_path, BRANCH + f"people:\n  - subject: x\n    name: X\n    roles: {roles}\n")
    assert "field 'people[0].roles'" in error_of(root) and "seed-000 §1.7" in error_of(root)


def test_a_member_may_use_the_branchs_mediators(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        BRANCH + "people:\n  - subject: m\n    name: M (MfN-registermediator)\n    roles: [mediator]\n",
        lid="slug: lid\ndisplay_name: Lid\nsector_code: '88'\nfte: 5\nuses_branch_services: [mediators]\n",
    )
    (member,) = load_branch_tree(root).members
    assert member.uses_branch_services == ("mediators",)
