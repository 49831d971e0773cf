"""``python -m whitelist``: serve (default), migrate or replay."""

from __future__ import annotations

import sys

from xinyidai_shared.cli import run_cli

from .app import create_app, spec
from .config import Settings


def main() -> None:
    """Run the whitelist command line."""
    sys.exit(run_cli(spec=spec, settings_factory=Settings, app_factory=create_app))


if __name__ == "__main__":
    main()
