"""Start the whole system as real processes (broker + four uvicorn services) for tests, demo and bench."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from xinyidai_shared.testing import Broker, free_port

SERVICES = {"credit-data": "credit_data", "whitelist": "whitelist", "fund-ledger": "fund_ledger", "claims": "claims"}
DEFAULT_PORTS = {"credit-data": 8001, "whitelist": 8002, "fund-ledger": 8003, "claims": 8004}


def env_prefix(service: str) -> str:
    return service.upper().replace("-", "_") + "_"


def service_app(service: str):  # noqa: ANN201 - a FastAPI app
    """A service's app in dev mode on an in-memory database, built but not started: for reading its routes."""
    package = SERVICES[service]
    config = __import__(f"{package}.config", fromlist=["Settings"])
    app_module = __import__(f"{package}.app", fromlist=["create_app"])
    return app_module.create_app(config.Settings(dev_mode=True, database_url="sqlite+aiosqlite:///:memory:"))


def declared_roles(dependant) -> set[str] | None:  # noqa: ANN001 - a FastAPI Dependant
    """The roles a route's ``require(...)`` (or a dependency like it) admits; None when it asks for none."""
    roles = getattr(dependant.call, "allowed_roles", None)
    if roles is not None:
        return set(roles)
    for sub in dependant.dependencies:
        found = declared_roles(sub)
        if found is not None:
            return found
    return None


def depends_on(dependant, marker: str) -> bool:  # noqa: ANN001 - a FastAPI Dependant
    """Whether a route depends, at any depth, on a dependency carrying ``marker`` (e.g. ``public_endpoint``)."""
    if getattr(dependant.call, marker, False):
        return True
    return any(depends_on(sub, marker) for sub in dependant.dependencies)


class Stack:
    """Broker and services on free loopback ports, SQLite files in ``workdir``, dev mode (demo tokens)."""

    def __init__(
        self,
        workdir: Path,
        *,
        extra_env: dict[str, str] | None = None,
        database_urls: dict[str, str] | None = None,
        console: bool = False,
    ) -> None:
        self.workdir = workdir
        self.broker = Broker()
        self.urls: dict[str, str] = {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.database_urls = {s: f"sqlite+aiosqlite:///{workdir / s}.db" for s in SERVICES} | (database_urls or {})
        for service, package in SERVICES.items():
            port = free_port()
            prefix = env_prefix(service)
            env = {
                **os.environ,
                f"{prefix}DEV_MODE": "true",
                f"{prefix}PORT": str(port),
                f"{prefix}DATABASE_URL": self.database_urls[service],
                f"{prefix}KAFKA_BOOTSTRAP": self.broker.bootstrap,
                f"{prefix}NOTICE_WORKING_DAYS": "0",
                f"{prefix}LOG_LEVEL": "WARNING",
                # Keys made at first start, public halves shared in one folder, as under `make run`.
                "XYD_EVENT_KEYS_DIR": str(workdir / "keys"),
                **(extra_env or {}),
            }
            log = open(workdir / f"{service}.log", "wb")  # noqa: SIM115 - closed with the process
            self.procs[service] = subprocess.Popen([sys.executable, "-m", package], env=env, stdout=log, stderr=subprocess.STDOUT)
            self.urls[service] = f"http://127.0.0.1:{port}"
        if console:
            self._start_console(extra_env or {})

    def _start_console(self, extra_env: dict[str, str]) -> None:
        """The web console in front of the services (dev sign-in, its own SQLite file)."""
        port = free_port()
        env = {
            **os.environ,
            "CONSOLE_DEV_MODE": "true",
            "CONSOLE_PORT": str(port),
            "CONSOLE_DATABASE_URL": f"sqlite+aiosqlite:///{self.workdir / 'console'}.db",
            "CONSOLE_LOG_LEVEL": "WARNING",
            **{f"CONSOLE_{s.upper().replace('-', '_')}_URL": url for s, url in self.urls.items()},
            **extra_env,
        }
        log = open(self.workdir / "console.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs["console"] = subprocess.Popen([sys.executable, "-m", "console"], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.urls["console"] = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        """Wait until every service answers /readyz with 200; return the seconds it took."""
        start = time.monotonic()
        pending = set(self.urls)
        while pending and time.monotonic() - start < timeout_s:
            for service in list(pending):
                if self.procs[service].poll() is not None:
                    raise RuntimeError(f"{service} exited early:\n{self.log(service)}")
                try:
                    if httpx.get(self.urls[service] + "/readyz", timeout=2).status_code == 200:
                        pending.discard(service)
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        if pending:
            raise TimeoutError(f"not ready after {timeout_s}s: {sorted(pending)}")
        return time.monotonic() - start

    def query(self, service: str, sql: str) -> list[tuple]:
        """Rows of a read-only SQL query on a service's database (SQLite file or PostgreSQL)."""
        url = self.database_urls[service]
        if url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(url.split("///", 1)[1]) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(url.replace("postgresql+asyncpg://", "postgresql://")) as conn:
            return conn.execute(sql).fetchall()

    def log(self, service: str) -> str:
        return (self.workdir / f"{service}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.broker.stop()
