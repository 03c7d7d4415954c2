"""How a release's tables link: when they form a cycle (category × size, size × setting, setting × category), the
attacker also knows that one table of whole numbers ≥ 0 crossing all their dimensions lies behind them, which
pins cells that the margins alone do not. For tables linked as a tree this adds nothing and is left out."""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from meldpunt.disclosure.tables import TableSpec

# The joint table of a cycle becomes variables of the audit; beyond this many cells the audit would be slow, so
# such a table set is refused: choose tables that link as a tree (each pair shares at most one path).
JOINT_CELL_LIMIT = 4000


def linked_as_tree(edges: Sequence[frozenset[str]]) -> bool:
    """GYO reduction: drop dimensions found in one table only and tables inside another; a tree reduces to one."""
    left = [set(edge) for edge in edges]
    changed = True
    while changed and len(left) > 1:
        changed = False
        for edge in left:
            for dim in [d for d in edge if sum(d in other for other in left) == 1]:
                edge.discard(dim)
                changed = True
        inside = next((i for i, e in enumerate(left) if any(j != i and e <= f for j, f in enumerate(left))), None)
        if inside is not None:
            left.pop(inside)
            changed = True
    return len(left) <= 1


def cyclic_joints(specs: Sequence[TableSpec]) -> list[TableSpec]:
    """For each group of tables linked by shared dimensions in a cycle, the joint table of all their dimensions."""
    codes = {dim: values for spec in specs for dim, values in zip(spec.dims, spec.codes, strict=True)}
    groups: list[tuple[set[str], list[frozenset[str]]]] = []
    for spec in specs:
        dims = set(spec.dims)
        touching = [group for group in groups if group[0] & dims]
        merged = (dims.union(*(g[0] for g in touching)), [frozenset(dims)] + [e for g in touching for e in g[1]])
        groups = [group for group in groups if group not in touching] + [merged]
    joints = []
    for dims, edges in groups:
        if not linked_as_tree(edges):
            ordered = tuple(sorted(dims))
            if prod(len(codes[d]) + 1 for d in ordered) > JOINT_CELL_LIMIT:
                raise ValueError(f"tables over {ordered} link in a cycle with too many codes to audit exactly")
            joints.append(TableSpec("joint:" + "×".join(ordered), ordered, tuple(codes[d] for d in ordered)))
    return joints
