"""The domain does no I/O: no web, database, broker or HTTP-client imports under whitelist/domain."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"fastapi", "sqlalchemy", "sqlmodel", "aiokafka", "httpx", "pydantic_settings", "starlette"}
DOMAIN = Path(__file__).resolve().parents[2] / "whitelist" / "domain"


def test_domain_modules_import_no_framework_or_io_library() -> None:
    offenders = []
    for module in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{module.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(DOMAIN.glob("*.py"))) >= 5
