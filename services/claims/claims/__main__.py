"""``python -m claims``: serve (default), migrate or replay, with CLAIMS_* settings."""

from __future__ import annotations

import sys

from xinyidai_shared.cli import run_cli

from claims.app import create_app, spec
from claims.config import Settings


def main() -> int:
    return run_cli(spec=spec, settings_factory=Settings, app_factory=create_app)


if __name__ == "__main__":
    sys.exit(main())
