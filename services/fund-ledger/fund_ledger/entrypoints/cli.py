"""Command line: `serve` (default), `migrate`, `replay`, `verify` (exit 1 on a broken invariant), `audit-pack`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from xinyidai_shared.db import Database, with_credentials
from xinyidai_shared.runtime import prepare_database

from ..app import spec
from ..config import Settings
from ..service_layer.audit import build_audit_pack, violations
from .audit_files import write_pack

async def _with_db(settings: Settings, work):  # noqa: ANN001, ANN202
    db = Database(with_credentials(settings.database_url, password=settings.database_password))
    try:
        await prepare_database(spec, settings, db)
        async with db.read_session() as session:
            return await work(session)
    finally:
        await db.dispose()


def run_verify(settings: Settings) -> int:
    """Print every violation; 0 when the books are sound, 1 otherwise."""
    problems = asyncio.run(_with_db(settings, violations))
    for problem in problems:
        print(f"VIOLATION: {problem}")
    print("books verified: ok" if not problems else f"books verified: {len(problems)} violation(s)")
    return 0 if not problems else 1


def run_audit_pack(settings: Settings, year: int, out: Path) -> int:
    """Write the year's statement, journal CSV and PDF into ``out``."""

    async def build(session):  # noqa: ANN001, ANN202
        return await build_audit_pack(session, year)

    pack = asyncio.run(_with_db(settings, build))
    for path in write_pack(pack, out):
        print(path)
    return 0 if not pack.statement["violations"] else 1


def main(argv: list[str] | None = None) -> int:
    """Shared commands (serve, migrate, replay) plus fund-ledger's verify and audit-pack."""
    from xinyidai_shared.cli import run_cli

    from ..app import create_app, spec

    def pack_args(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True)

    return run_cli(
        spec=spec,
        settings_factory=Settings,
        app_factory=create_app,
        extra={
            "verify": (lambda parser: None, lambda args, s: run_verify(s)),
            "audit-pack": (pack_args, lambda args, s: run_audit_pack(s, args.year, args.out)),
        },
        argv=argv,
    )
