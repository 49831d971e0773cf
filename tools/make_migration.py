"""Autogenerate the next Alembic migration for a service: `make migration svc=claims msg="add loans"`.

Creates the service's migrations folder on first use, upgrades a scratch SQLite database to head, and
writes a new revision from the difference between it and the service's table metadata.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path

from alembic import command

from xinyidai_shared.migrations import alembic_config

TEMPLATES = Path(importlib.import_module("xinyidai_shared").__file__).parent / "alembic_template"


def main(package: str, message: str) -> None:
    spec = importlib.import_module(f"{package}.app").spec
    location = Path(spec.migrations)
    (location / "versions").mkdir(parents=True, exist_ok=True)
    if not (location / "env.py").exists():
        text = (TEMPLATES / "env.py.tmpl").read_text().format(service=spec.name, package=package)
        (location / "env.py").write_text(text)
    shutil.copy(TEMPLATES / "script.py.mako", location / "script.py.mako")
    with tempfile.TemporaryDirectory() as scratch:
        cfg = alembic_config(location)
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{scratch}/scratch.db")
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1], " ".join(sys.argv[2:]) or "change")
