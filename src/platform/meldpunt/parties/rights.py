"""The rights of a party in the portal (seed-000 H6 Stap 5, the same for reporter and accused; AVG art. 12–15
and 23), as message ids of the catalogues."""

from __future__ import annotations

from meldpunt.catalogues import text

RIGHTS = tuple(f"party.right.{number}" for number in range(1, 9))


def rights_in(language: str) -> list[str]:
    return [text(language, message_id) for message_id in RIGHTS]
