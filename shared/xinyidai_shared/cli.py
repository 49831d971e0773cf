"""The command line every service shares: serve (default), migrate, replay; services add their own."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from .relay import kafka_options, make_producer, replay
from .runtime import Runtime, ServiceSpec, migrate
from .settings import ServiceSettings

Command = Callable[[argparse.Namespace, ServiceSettings], int]


def _serve(app_factory: Callable[[ServiceSettings], Any], settings: ServiceSettings) -> int:
    import uvicorn

    uvicorn.run(app_factory(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


def _healthcheck(settings: ServiceSettings) -> int:
    """Exit 0 when the service on this machine answers /healthz (the image's HEALTHCHECK)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


async def _migrate(spec: ServiceSpec, settings: ServiceSettings) -> int:
    await migrate(spec, settings)
    granted = f"; {settings.database_app_role} granted its rights" if settings.database_app_role else ""
    print(f"{spec.name}: database at head{granted}")
    return 0


async def _replay(spec: ServiceSpec, settings: ServiceSettings, seq_from: int, seq_to: int) -> int:
    if not settings.kafka_bootstrap:
        print("replay needs KAFKA_BOOTSTRAP", file=sys.stderr)
        return 2
    runtime = Runtime(spec, settings)
    producer = make_producer(settings.kafka_bootstrap, **kafka_options(settings))
    await producer.start()
    try:
        count = await replay(runtime.db, spec.tables, producer, seq_from=seq_from, seq_to=seq_to)
    finally:
        await producer.stop()
        await runtime.db.dispose()
    print(f"{spec.name}: republished {count} events (seq {seq_from}..{seq_to})")
    return 0


def run_cli(
    *,
    spec: ServiceSpec,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], Any],
    extra: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Command]] | None = None,
    argv: list[str] | None = None,
) -> int:
    """Parse argv and run a command; ``extra`` maps name -> (add arguments, run)."""
    parser = argparse.ArgumentParser(prog=f"python -m {spec.name.replace('-', '_')}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP service, relay and consumers (default)")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("healthcheck", help="exit 0 when the local service answers /healthz")
    rp = sub.add_parser("replay", help="republish outbox events by sequence range")
    rp.add_argument("--from", dest="seq_from", type=int, required=True)
    rp.add_argument("--to", dest="seq_to", type=int, required=True)
    for name, (add_args, _) in (extra or {}).items():
        add_args(sub.add_parser(name))
    args = parser.parse_args(argv)
    try:
        settings = settings_factory()
    except ValidationError as exc:
        # One line per refused setting, not a traceback: the operator fixes the environment and retries.
        reasons = "\n".join(f"  - {error['msg'].removeprefix('Value error, ')}" for error in exc.errors())
        print(f"{spec.name}: refusing to start with these settings:\n{reasons}", file=sys.stderr)
        return 2
    command = args.command or "serve"
    if command == "serve":
        return _serve(app_factory, settings)
    if command == "healthcheck":
        return _healthcheck(settings)
    if command == "migrate":
        return asyncio.run(_migrate(spec, settings))
    if command == "replay":
        return asyncio.run(_replay(spec, settings, args.seq_from, args.seq_to))
    return extra[command][1](args, settings)
