"""Async database access: SQLite by default (WAL, BEGIN IMMEDIATE for writes), PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC
from pathlib import Path

from sqlalchemy import DateTime, MetaData, TypeDecorator, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlalchemy.orm import registry


def service_base(name: str) -> type[SQLModel]:
    """A SQLModel base with its own metadata, so each service's tables stay in its own database."""
    reg = registry(metadata=MetaData())
    return type(f"{name}Table", (SQLModel,), {"__module__": __name__}, registry=reg)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def with_credentials(url: str, *, user: str = "", password: str = "") -> str:
    """``url`` with the user and/or password put in (they come from secrets, never from the URL setting)."""
    if is_sqlite(url) or not (user or password):
        return url
    parsed = make_url(url)
    if user:
        parsed = parsed.set(username=user)
    if password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


def masked(url: str) -> str:
    """``url`` fit for a log line: the password replaced by ***."""
    return url if is_sqlite(url) else make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001 - driver objects
        # pysqlite's own transaction handling is switched off so that we decide how transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        # Writers take the write lock up front: a deferred BEGIN lets two read-check-write transactions
        # both read, and SQLite then either loses one update or fails it late with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One service's database: a write engine and a read engine (the same one on PostgreSQL)."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        if is_sqlite(url):
            _ensure_parent(url)
            self.engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
            self.read_engine = self.engine
        # SQLite has one writer at a time. Queue this process's writers on an asyncio lock: SQLite's own
        # busy handler sleep-polls in naps of up to 100 ms, which turned 32 concurrent writers into
        # 900 ms tails. PostgreSQL takes row locks and needs no gate.
        self.writer_gate: contextlib.AbstractAsyncContextManager = (
            asyncio.Lock() if is_sqlite(url) else contextlib.nullcontext()
        )
        self._write_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    def write_session(self) -> AsyncSession:
        """A session whose transactions begin as writers (BEGIN IMMEDIATE on SQLite); hold ``writer_gate``."""
        return self._write_sessions()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A write session inside the writer gate; the caller commits, leaving without a commit rolls back."""
        async with self.writer_gate, self._write_sessions() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; it never commits."""
        async with self._read_sessions() as session:
            yield session

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def create_all(self, metadata: MetaData) -> None:
        """Create tables straight from metadata (benchmarks and scratch tools; services use migrations)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def _ensure_parent(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith(":"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


class UtcDateTime(TypeDecorator):
    """Aware UTC instants on every database: SQLite keeps no zone, so we normalise on the way in and out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
