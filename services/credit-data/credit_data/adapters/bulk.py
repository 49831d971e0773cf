"""Fast bulk inserts below the ORM: plain ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

The feed path inserts up to millions of rows; SQLAlchemy's per-row parameter processing costs more than
the database work there, so rows go to the driver as tuples in the representation the column types would
have produced (SQLite: ISO dates, naive-UTC timestamps as SQLAlchemy writes them).
Both run on the unit of work's own connection, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Date, Table
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.db import UtcDateTime


def _sqlite_converters(table: Table, columns: Sequence[str]) -> list[tuple[int, Any]]:
    """(position, converter) for the columns whose Python values SQLite would not store as SQLAlchemy does."""
    converters: list[tuple[int, Any]] = []
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, UtcDateTime):
            converters.append((position, lambda v: None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")))
        elif isinstance(column_type, Date):
            converters.append((position, lambda v: None if v is None else v.isoformat()))
    return converters


async def insert_rows(session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(table.name, records=rows, columns=list(columns))  # type: ignore[union-attr]
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    converters = _sqlite_converters(table, columns)
    if converters:
        converted = []
        for row in rows:
            values = list(row)
            for position, convert in converters:
                values[position] = convert(values[position])
            converted.append(tuple(values))
        rows = converted
    await connection.exec_driver_sql(sql, rows)  # type: ignore[arg-type]
