"""Phase 2 pages (placeholder, filled in below)."""

from __future__ import annotations

ROUTES: tuple[type, ...] = ()
