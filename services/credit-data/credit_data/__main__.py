"""``python -m credit_data [serve|migrate|replay|rerate-all]``."""

from __future__ import annotations

import argparse
import asyncio

from xinyidai_shared.cli import run_cli
from xinyidai_shared.runtime import Runtime, prepare_database

from .app import create_app, spec
from .config import Settings
from .service_layer.jobs import run_rerate_job


def _rerate_all(_args: argparse.Namespace, settings: Settings) -> int:  # type: ignore[override]
    async def _run() -> int:
        runtime = Runtime(spec, settings)
        await prepare_database(spec, settings, runtime.db)
        try:
            return await run_rerate_job(runtime, None)
        finally:
            await runtime.db.dispose()

    print(f"credit-data: re-rated {asyncio.run(_run())} enterprises")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the credit-data command line."""
    settings = Settings()
    return run_cli(
        spec=spec,
        settings_factory=lambda: settings,
        app_factory=create_app,  # type: ignore[arg-type]
        extra={"rerate-all": (lambda _parser: None, _rerate_all)},  # type: ignore[dict-item]
        argv=argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
