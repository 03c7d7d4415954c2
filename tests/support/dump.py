"""Searching the whole database for strings, past row-level security, as an attacker with a dump would."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def where_stored(superuser_url: str, markers: Iterable[str], tenant_id: uuid.UUID | None = None) -> list[str]:
    """``table.column`` (or ``table``) for every place a marker is stored: each row as text, and each binary
    column byte for byte. With ``tenant_id``, tables that have a ``tenant_id`` are searched in that tenant's
    rows only (other tests' tenants may hold the same closed-list words, e.g. in an adviser's signal)."""
    markers = list(markers)
    engine = create_async_engine(superuser_url)
    found: list[str] = []
    try:
        async with engine.connect() as connection:
            columns = (
                await connection.execute(
                    text(
                        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
                        "JOIN pg_tables t ON t.tablename = c.table_name AND t.schemaname = 'public' "
                        "WHERE c.table_schema = 'public'"
                    )
                )
            ).all()
            tables: dict[str, list[tuple[str, str]]] = {}
            for table, column, data_type in columns:
                tables.setdefault(table, []).append((column, data_type))
            for table, table_columns in tables.items():
                scoped = tenant_id is not None and any(column == "tenant_id" for column, _ in table_columns)
                where = " WHERE t.tenant_id = :tenant" if scoped else ""
                values = {"tenant": tenant_id} if scoped else {}
                rows = (await connection.execute(text(f'SELECT t::text FROM "{table}" t{where}'), values)).scalars()
                found += [table for row in rows for marker in markers if marker in row]
                for column, data_type in table_columns:
                    if data_type != "bytea":
                        continue
                    for marker in markers:
                        hits = await connection.execute(
                            text(
                                f'SELECT count(*) FROM "{table}" t{where} {"AND" if where else "WHERE"} '
                                f'position(:m IN t."{column}") > 0'
                            ),
                            {**values, "m": marker.encode()},
                        )
                        if hits.scalar_one():
                            found.append(f"{table}.{column}")
    finally:
        await engine.dispose()
    return found
