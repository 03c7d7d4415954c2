"""``tenants apply``: idempotent, shows what it changes, writes nothing on a dry run or a bad file."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.provisioning.demo_trends import SYNTHETIC_MEMBERS, seed_demo_history
from meldpunt.provisioning.files import TenantFileError
from meldpunt.provisioning.services import TenantChange, apply_tenants_from_path
from meldpunt.settings import Settings
from meldpunt.tenancy.terms import terms_of
from meldpunt.trends.synthetic import recorded_workforce


def tenant_changes(changes: list[object]) -> list[str]:
    """The changes to tenants themselves (the people and grants they declare are tested elsewhere)."""
    return [str(change) for change in changes if isinstance(change, TenantChange)]


def branch_folder(tmp_path: Path, repo_root: Path) -> tuple[Path, dict[str, str]]:
    """A copy of tenants/demo with fresh random slugs, so tests never share tenants."""
    folder = tmp_path / "branch"
    shutil.copytree(repo_root / "tenants" / "demo", folder)
    suffix = secrets.token_hex(3)
    renames = {}
    for path in [folder / "branch.yaml", *sorted((folder / "members").glob("*.yaml"))]:
        old = path.stem if path.name != "branch.yaml" else "zorg-welzijn"
        new = f"{old}-{suffix}"
        renames[old] = new
        path.write_text(path.read_text().replace(f"slug: {old}", f"slug: {new}"))
        if path.name != "branch.yaml":
            path.rename(path.with_name(f"{new}.yaml"))
    return folder, renames


async def snapshot(engine: AsyncEngine, slugs: list[str]) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT slug, id, kind, branch_id, display_name, fte, sector_code, branch_services, branding, "
                "archived_at, updated_at FROM tenants WHERE slug = ANY (:s) ORDER BY slug"
            ),
            {"s": slugs},
        )
        return [tuple(row) for row in rows]


async def test_applying_twice_changes_nothing_the_second_time(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    first = await apply_tenants_from_path(settings, folder)
    assert sorted(tenant_changes(first)) == sorted(
        [f"create branch {slugs['zorg-welzijn']}"]
        + [f"create member {slugs[m]}" for m in ("de-linde", "het-anker", "zorggroep-oost")]
    )
    before = await snapshot(app_engine, list(slugs.values()))
    assert len(before) == 4
    second = await apply_tenants_from_path(settings, folder)
    assert second == []
    assert await snapshot(app_engine, list(slugs.values())) == before


async def test_the_demo_tree_records_sizes_services_and_the_branch(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    rows = {row[0]: row for row in await snapshot(app_engine, list(slugs.values()))}
    branch = rows[slugs["zorg-welzijn"]]
    smallest = rows[slugs["de-linde"]]
    assert branch[2] == "branch" and branch[3] is None
    assert {rows[slugs[m]][5] for m in ("de-linde", "het-anker", "zorggroep-oost")} == {8, 60, 400}
    assert smallest[3] == branch[1]
    assert sorted(smallest[7]) == ["advisers", "complaints_committee", "mediators", "process_guardians"]
    assert sorted(rows[slugs["het-anker"]][7]) == ["advisers", "complaints_committee", "mediators", "process_guardians"]
    assert rows[slugs["zorggroep-oost"]][7] == []


async def test_a_changed_field_is_reported_and_updated(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    member = folder / "members" / f"{slugs['het-anker']}.yaml"
    member.write_text(member.read_text().replace("fte: 60", "fte: 75"))
    changes = await apply_tenants_from_path(settings, folder)
    assert tenant_changes(changes) == [f"update member {slugs['het-anker']} (fte)"]
    rows = {row[0]: row for row in await snapshot(app_engine, [slugs["het-anker"]])}
    assert rows[slugs["het-anker"]][5] == 75


async def test_a_dry_run_writes_nothing(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    changes = await apply_tenants_from_path(settings, folder, dry_run=True)
    assert len(tenant_changes(changes)) == 4
    assert await snapshot(app_engine, list(slugs.values())) == []
    await apply_tenants_from_path(settings, folder)
    before = await snapshot(app_engine, list(slugs.values()))
    member = folder / "members" / f"{slugs['de-linde']}.yaml"
    member.write_text(member.read_text().replace("Thuiszorg De Linde", "Thuiszorg De Linde B.V."))
    changes = await apply_tenants_from_path(settings, folder, dry_run=True)
    assert tenant_changes(changes) == [f"update member {slugs['de-linde']} (display_name)"]
    assert await snapshot(app_engine, list(slugs.values())) == before


async def test_a_malformed_file_names_file_and_field_and_changes_nothing(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    bad = folder / "members" / f"{slugs['zorggroep-oost']}.yaml"
    bad.write_text(bad.read_text().replace("fte: 400", "fte: veel"))
    with pytest.raises(TenantFileError) as error:
        await apply_tenants_from_path(settings, folder)
    assert str(bad) in str(error.value)
    assert "field 'fte'" in str(error.value) and "Expected 'int'" in str(error.value)
    assert await snapshot(app_engine, list(slugs.values())) == []


async def test_a_removed_member_is_kept_unless_archiving_is_asked_and_never_deleted(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    removed = folder / "members" / f"{slugs['het-anker']}.yaml"
    kept_text = removed.read_text()
    removed.unlink()
    assert await apply_tenants_from_path(settings, folder) == []
    changes = await apply_tenants_from_path(settings, folder, archive_missing=True)
    assert tenant_changes(changes) == [f"archive member {slugs['het-anker']}"]
    assert all(slugs["het-anker"] in line for line in map(str, changes) if line.startswith("end grant"))
    rows = {row[0]: row for row in await snapshot(app_engine, list(slugs.values()))}
    assert len(rows) == 4 and rows[slugs["het-anker"]][9] is not None
    removed.write_text(kept_text)
    changes = await apply_tenants_from_path(settings, folder)
    assert tenant_changes(changes) == [f"restore member {slugs['het-anker']}"]


def test_the_command_prints_changes_and_names_a_bad_file(
    settings: Settings, tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from meldpunt.cli import main

    folder, slugs = branch_folder(tmp_path, repo_root)
    monkeypatch.setenv("MELDPUNT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MELDPUNT_LOG_LEVEL", "warning")
    runner = CliRunner()
    result = runner.invoke(main, ["tenants", "apply", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"would create member {slugs['de-linde']}" in result.output
    result = runner.invoke(main, ["tenants", "apply", str(folder)])
    assert result.exit_code == 0 and f"create branch {slugs['zorg-welzijn']}" in result.output
    result = runner.invoke(main, ["tenants", "apply", str(folder)])
    assert result.exit_code == 0 and result.output.strip() == "no changes"
    (folder / "branch.yaml").write_text("slug: Not A Slug\ndisplay_name: x\nsector_code: '88'\n")
    result = runner.invoke(main, ["tenants", "apply", str(folder)])
    assert result.exit_code == 1
    assert "branch.yaml: field 'slug'" in result.output


async def test_a_procedure_term_looser_than_the_statute_is_refused_and_a_member_inherits_the_branchs(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    branch_file = folder / "branch.yaml"
    original = branch_file.read_text()
    branch_file.write_text(original + "procedure:\n  terms:\n    inform_accused_days: 45\n")
    with pytest.raises(TenantFileError) as error:
        await apply_tenants_from_path(settings, folder)
    assert "field 'procedure.terms.inform_accused_days'" in str(error.value) and "31 days at most" in str(error.value)
    assert await snapshot(app_engine, list(slugs.values())) == []

    branch_file.write_text(original + "procedure:\n  terms:\n    acknowledge_days: 5\n    choice_days: 30\n")
    await apply_tenants_from_path(settings, folder)
    async with app_engine.connect() as connection:
        rows = dict(
            (
                await connection.execute(
                    text("SELECT slug, procedure FROM tenants WHERE slug = ANY(:slugs)"),
                    {"slugs": list(slugs.values())},
                )
            ).all()
        )
    # Zorggroep Oost has terms of its own (its complaints regulation's) and keeps them whole; the others
    # take the branch's.
    for name, slug in slugs.items():
        terms = terms_of(rows[slug])
        expected = (7, 42, 31) if name == "zorggroep-oost" else (5, 30, 31)
        assert (terms.acknowledge_days, terms.choice_days, terms.inform_accused_days) == expected, slug
    assert terms_of(rows[slugs["zorggroep-oost"]]).committee_advice_days == 56
    assert terms_of(rows[slugs["het-anker"]]).committee_advice_days is None


async def test_the_demo_branchs_invented_members_are_kept_when_its_file_is_applied_again(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    assert await seed_demo_history(settings, slugs["zorg-welzijn"]) > 0
    recorded = await procedure_of(app_engine, slugs["zorg-welzijn"])
    assert len(recorded_workforce(recorded)) == SYNTHETIC_MEMBERS
    assert tenant_changes(await apply_tenants_from_path(settings, folder)) == []  # not a change of the file
    branch_file = folder / "branch.yaml"
    branch_file.write_text(branch_file.read_text().replace("complaint_receipt_days: 7", "complaint_receipt_days: 6"))
    changes = tenant_changes(await apply_tenants_from_path(settings, folder))
    assert f"update branch {slugs['zorg-welzijn']} (procedure)" in changes  # (and the members that inherit it)
    changed = await procedure_of(app_engine, slugs["zorg-welzijn"])
    assert changed["terms"]["complaint_receipt_days"] == 6  # type: ignore[index]
    assert recorded_workforce(changed) == recorded_workforce(recorded)


async def procedure_of(engine: AsyncEngine, slug: str) -> dict[str, object]:
    async with engine.connect() as connection:
        found = await connection.execute(text("SELECT procedure FROM tenants WHERE slug = :s"), {"s": slug})
        return dict(found.scalar_one())
