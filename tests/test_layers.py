"""Routes and event handlers stay thin: every query lives in a service's adapters (its repositories)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Annotating a parameter with the session type is allowed; building or running SQL is not.
TYPES_ONLY = {("sqlalchemy.ext.asyncio", "AsyncSession")}
RUNNERS = {"execute", "exec_driver_sql"}


def _sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [f"imports {node.module}.{a.name}" for a in node.names if (node.module, a.name) not in TYPES_ONLY]
        elif isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS:
            found.append(f"calls .{node.func.attr}() on line {node.lineno}")
    return found


def test_no_route_or_event_handler_module_builds_or_runs_sql() -> None:
    modules = sorted(ROOT.glob("services/*/*/entrypoints/*.py"))
    assert len(modules) >= 20, "the entrypoints of the four services were not found"
    offenders = {str(p.relative_to(ROOT)): found for p in modules if (found := _sql_in(p))}
    assert offenders == {}, f"SQL in routes or handlers (move it into the service's adapters): {offenders}"


def test_credit_data_service_layer_reaches_the_database_only_through_its_repositories() -> None:
    modules = sorted(ROOT.glob("services/credit-data/credit_data/service_layer/*.py"))
    offenders = {str(p.relative_to(ROOT)): found for p in modules if (found := _sql_in(p))}
    assert offenders == {}, f"SQL in credit-data's service layer: {offenders}"
