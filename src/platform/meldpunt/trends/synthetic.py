"""Synthetic history for the demo and the benchmarks (issue 16: "seed the demo with synthetic history, marked as
such"): facts of invented members over past quarters, drawn from a seeded generator so that the same seed gives
the same facts. Every synthetic fact says so (``dimensions["synthetic"]``) and its member keys are marked too;
nothing here comes from a real case."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

from meldpunt.intake.schemas import AccusedRole, Category, ReporterRole, Setting
from meldpunt.intake.taxonomy import CONTEXT_FACTORS, STRUCTURAL_RISKS
from meldpunt.trends.facts import size_class

CATEGORIES: tuple[str, ...] = get_args(Category)
RELATIONS: tuple[str, ...] = get_args(ReporterRole)
ACCUSED: tuple[str, ...] = get_args(AccusedRole)
SETTINGS: tuple[str, ...] = get_args(Setting)
ROUTES = ("decision_panel", "adviser_only", "complaints_committee", "no_action")
FINDINGS = ("well_founded", "partly_well_founded", "not_well_founded", "not_established")
ADVICE = ("well_founded", "partly", "not_well_founded", "not_established")  # a complaints committee's
# Heavier weights first: most reports are about harassment and bullying at the workplace.
CATEGORY_WEIGHTS = (5, 3, 4, 2, 1, 1)
SETTING_WEIGHTS = (6, 2, 1, 2, 1, 1)


@dataclass(frozen=True)
class SyntheticMember:
    key: str
    fte: int
    sector_code: str


def synthetic_members(branch_id: uuid.UUID, count: int, sector_code: str, seed: int = 7) -> list[SyntheticMember]:
    """``count`` invented members of the branch, of mixed sizes (marked: their keys start with ``syn``)."""
    draw = random.Random(f"{branch_id}:{seed}")  # noqa: S311 (demo data, not a secret)
    sizes = (4, 8, 15, 30, 45, 80, 120, 200, 400, 900)
    return [
        SyntheticMember(
            "syn" + hashlib.sha256(f"{branch_id}:{seed}:{n}".encode()).hexdigest()[:29],
            draw.choice(sizes),
            sector_code,
        )
        for n in range(count)
    ]


# Where a branch keeps the FTE of its invented members (in its procedure, beside its disclosure settings).
WORKFORCE = "synthetic_workforce"


def with_workforce(procedure: dict[str, Any] | None, members: list[SyntheticMember]) -> dict[str, Any]:
    """The branch's procedure with the FTE of its invented members recorded: they exist only in their facts, and
    a release's counts per 100 FTE count them as members."""
    return {**(procedure or {}), WORKFORCE: sorted(member.fte for member in members)}


def recorded_workforce(procedure: dict[str, Any] | None) -> list[int]:
    """The FTE of the branch's invented members, one a member (none outside the demo and the benchmarks)."""
    return [int(fte) for fte in (procedure or {}).get(WORKFORCE) or ()]


def kept_workforce(current: dict[str, Any] | None, declared: dict[str, Any]) -> dict[str, Any]:
    """A declared procedure that replaces the current one, keeping the invented members' FTE recorded in it (the
    tenants file does not know them)."""
    recorded = (current or {}).get(WORKFORCE)
    return declared if recorded is None else {**declared, WORKFORCE: recorded}


def _dimensions(draw: random.Random, milestone: str) -> dict[str, Any]:
    route = draw.choice(ROUTES)
    coded: dict[str, Any] = {
        "synthetic": True,
        "kind": draw.choices(("report", "signal", "complaint"), (6, 2, 1))[0],
        "category": draw.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
        "anonymous": draw.random() < 0.3,
        "relation": draw.choices(RELATIONS, (8, 1, 2, 1, 1, 0, 1, 1, 1))[0],
        "accused": draw.choice(ACCUSED),
        "setting": draw.choices(SETTINGS, SETTING_WEIGHTS)[0],
        "route": route if milestone != "registered" else None,
        "days": draw.choice(("under_2_weeks", "2_to_6_weeks", "6_to_13_weeks", "13_to_26_weeks")),
        "power_difference": draw.choice(("none", "formal", "informal", None)),
        "contract_form": draw.choice(("permanent", "temporary", "agency", "intern_or_trainee", None)),
    }
    if milestone in ("decided", "closed"):
        coded["finding"] = draw.choice(FINDINGS)
    if milestone == "advised":
        coded["kind"], coded["finding"] = "complaint", draw.choice(ADVICE)
    return coded


def synthetic_facts(
    branch_id: uuid.UUID, members: list[SyntheticMember], quarters: list[str], per_quarter: int, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Rows for ``trend_facts``: ``per_quarter`` cases a quarter spread over ``members`` (larger ones report more),
    each registered, most routed, some decided and closed, and some a complaint a committee advised on (drawn
    apart, so that the other facts stay what they were)."""
    draw = random.Random(f"{branch_id}:{seed}:facts")  # noqa: S311 (demo data)
    complaints = random.Random(f"{branch_id}:{seed}:complaints")  # noqa: S311 (demo data)
    weights = [member.fte**0.7 for member in members]
    for quarter in quarters:
        for n in range(per_quarter):
            member = draw.choices(members, weights)[0]
            milestones = ["registered", *(["routed"] if draw.random() < 0.8 else [])]
            milestones += ["decided", "closed"] if "routed" in milestones and draw.random() < 0.5 else []
            risks = sorted(draw.sample(STRUCTURAL_RISKS, draw.randint(0, 2)) + draw.sample(CONTEXT_FACTORS, 1))
            advised = complaints.random() < 0.25
            for milestone in [*milestones, *(["advised"] if advised else [])]:
                key = hashlib.sha256(f"{branch_id}:{seed}:{quarter}:{n}:{milestone}".encode()).digest()
                yield {
                    "tenant_id": branch_id,
                    "id": uuid.UUID(bytes=key[:16]),
                    "fact_key": key,
                    "member_key": member.key,
                    "milestone": milestone,
                    "quarter": quarter,
                    "size_class": size_class(member.fte),
                    "sector_code": member.sector_code,
                    "fte": member.fte,
                    "dimensions": _dimensions(complaints if milestone == "advised" else draw, milestone),
                    "risk_factors": risks,
                }


def past_quarters(current: str, count: int) -> list[str]:
    """The ``count`` quarters before ``current`` ("2026-Q4"), oldest first."""
    year, quarter = int(current[:4]), int(current[-1])
    found = []
    for _ in range(count):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        found.append(f"{year}-Q{quarter}")
    return found[::-1]
