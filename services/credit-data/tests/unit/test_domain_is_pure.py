"""Invariant: the domain does no I/O, so no framework, database, broker or HTTP module is imported there."""

from __future__ import annotations

import ast
from pathlib import Path

import credit_data.domain as domain

FORBIDDEN = ("fastapi", "sqlalchemy", "sqlmodel", "aiokafka", "httpx", "pydantic_settings", "starlette")


def test_domain_modules_import_no_io_frameworks():
    offenders = []
    for path in Path(domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
