"""`python -m console` serves the console (default) or applies its migrations (`migrate`)."""

from __future__ import annotations

import argparse
import asyncio

from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head

from .app import create_app, spec
from .config import Settings


async def _migrate(settings: Settings) -> None:
    db = Database(settings.database_url)
    await upgrade_to_head(db, spec.migrations)
    await db.dispose()
    print("console: database at head")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    import uvicorn

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
