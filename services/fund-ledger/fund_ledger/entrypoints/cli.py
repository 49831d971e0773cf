"""Command line: `serve` (default), `verify` (exit 1 on any broken invariant), `audit-pack --year --out`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head

from ..config import Settings
from ..service_layer.audit import build_audit_pack, violations
from .audit_files import write_pack

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


async def _with_db(settings: Settings, work):  # noqa: ANN001, ANN202
    db = Database(settings.database_url)
    try:
        await upgrade_to_head(db, MIGRATIONS)
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


def serve(settings: Settings) -> int:
    """Run the HTTP service with uvicorn on the settings' host and port."""
    import uvicorn

    from ..app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fund_ledger", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP service (default)")
    sub.add_parser("verify", help="recompute balances from the journal; exit 1 on any violation")
    pack = sub.add_parser("audit-pack", help="write the yearly audit pack (statement, CSV journal, PDF)")
    pack.add_argument("--year", type=int, required=True)
    pack.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "verify":
        return run_verify(settings)
    if args.command == "audit-pack":
        return run_audit_pack(settings, args.year, args.out)
    return serve(settings)
