"""The domain does no I/O: no framework, database, broker or HTTP imports under fund_ledger/domain."""

import ast
from pathlib import Path

import fund_ledger.domain

FORBIDDEN = {"fastapi", "sqlalchemy", "sqlmodel", "aiokafka", "httpx", "pydantic_settings", "asyncpg", "aiosqlite"}


def test_domain_modules_import_no_io_library():
    offenders = []
    for path in Path(fund_ledger.domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
