"""One way to make a write safe to repeat (xinyidai_shared.idempotency), used by every bank and provider write."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts

from tools.stack import SERVICES, declared_roles, depends_on, service_app
from xinyidai_shared.auth import Role

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE_WRITERS = {Role.BANK.value, Role.PROVIDER.value}


def test_every_write_a_bank_or_provider_calls_goes_through_the_shared_guard() -> None:
    unguarded, checked = [], 0
    for service in SERVICES:
        for context in iter_route_contexts(service_app(service).routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or "POST" not in route.methods:
                continue  # PUT and DELETE are idempotent by their own meaning
            if (declared_roles(route.dependant) or set()) & OUTSIDE_WRITERS:
                checked += 1
                if not depends_on(route.dependant, "idempotent_write"):
                    unguarded.append(f"{service} {context.path}")
    assert checked >= 15, f"only {checked} bank or provider writes found; the walk is broken"
    assert unguarded == [], f"writes by banks or providers without the shared idempotency guard: {unguarded}"


def test_no_code_outside_the_shared_guard_keeps_idempotency_records() -> None:
    """The stored answers live in one table that only xinyidai_shared.idempotency reads and writes."""
    others = []
    for path in sorted((ROOT / "services").glob("*/*/**/*.py")) + sorted((ROOT / "shared" / "xinyidai_shared").glob("*.py")):
        if "migrations" in path.parts or path.name in {"idempotency.py", "tables.py", "migrations.py"}:
            continue
        text = path.read_text()
        if re.search(r"\.idempotency\b(?!\s+import)|idempotency_key\b|request_hash|idempotent_(replay|store)", text):
            others.append(str(path.relative_to(ROOT)))
    assert others == [], f"idempotency kept outside xinyidai_shared.idempotency: {others}"
