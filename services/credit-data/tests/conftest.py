"""Fixtures of credit-data's tests: the shared plugin's real broker / PostgreSQL, plus service clients."""

from __future__ import annotations

import sys
from pathlib import Path

# The tests import their helpers as the package ``cdtests`` regardless of how pytest imports this file.
sys.path.insert(0, str(Path(__file__).parent.parent))

from xinyidai_shared.testing import db_url, kafka_bootstrap, pg_server, pg_url, sqlite_url  # noqa: E402,F401
