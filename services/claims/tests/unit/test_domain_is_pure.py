"""Invariant: the domain does no I/O, so nothing under claims/domain imports a framework or driver."""

import ast
from pathlib import Path

FORBIDDEN = {"fastapi", "sqlalchemy", "sqlmodel", "aiokafka", "httpx", "pydantic_settings", "starlette", "asyncpg", "aiosqlite"}
DOMAIN = Path(__file__).resolve().parents[2] / "claims" / "domain"


def test_domain_modules_import_no_framework_or_io_library():
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert len(list(DOMAIN.glob("*.py"))) > 5
    assert offenders == []
