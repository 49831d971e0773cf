"""Authentication rules that hold across the whole system."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tools.stack import SERVICES, declared_roles, depends_on, env_prefix, service_app
from xinyidai_shared.auth import OUTSIDE_CALLERS, ROLE_GROUPS, Role, Unauthenticated, issue_token, verify_token
from xinyidai_shared.devorgs import dev_tokens
from xinyidai_shared.settings import DEV_AUTH_SECRET
from xinyidai_shared.testing import TEST_SECRET

PUBLIC_PATHS = {"/healthz", "/readyz"}


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_endpoint_declares_its_roles_or_is_explicitly_public(service: str) -> None:
    undeclared, checked = [], 0
    # Included routers are walked through their route contexts, so prefixes are part of the paths.
    for context in iter_route_contexts(service_app(service).routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        checked += 1
        public = context.path in PUBLIC_PATHS or "/public" in context.path or depends_on(route.dependant, "public_endpoint")
        roles = declared_roles(route.dependant)
        if public:
            assert roles is None, f"{service} {context.path} is public but asks for roles {roles}"
        elif roles is None:
            undeclared.append(f"{sorted(route.methods)} {context.path}")
    assert checked >= 10, f"{service}: only {checked} endpoints found; the walk is broken"
    assert undeclared == [], f"{service}: endpoints without declared roles: {undeclared}"


@pytest.mark.parametrize("service", list(SERVICES))
def test_service_refuses_to_start_outside_dev_mode_with_the_dev_secret_or_a_weak_one(service: str) -> None:
    config = __import__(f"{SERVICES[service]}.config", fromlist=["Settings"])
    # pydantic reports our UnsafeConfiguration inside its ValidationError (both are ValueErrors).
    with pytest.raises(ValueError, match="dev secret is refused outside dev mode"):
        config.Settings(dev_mode=False, auth_secret=DEV_AUTH_SECRET)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        config.Settings(dev_mode=False, auth_secret="short")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        config.Settings(dev_mode=False, auth_secret="")
    assert config.Settings(dev_mode=False, auth_secret=TEST_SECRET).auth_secret == TEST_SECRET


def test_dev_tokens_do_not_verify_against_a_production_secret() -> None:
    for token in dev_tokens().values():
        with pytest.raises(Unauthenticated):
            verify_token(TEST_SECRET, token)


def test_forged_expired_and_revoked_tokens_are_refused() -> None:
    good = issue_token(TEST_SECRET, org_id="bank-a", role=Role.BANK)
    assert verify_token(TEST_SECRET, good).org_id == "bank-a"
    head, body, sig = good.split(".")
    forged_body = issue_token(TEST_SECRET, org_id="bank-b", role=Role.BANK).split(".")[1]
    with pytest.raises(Unauthenticated, match="TOKEN_INVALID"):
        verify_token(TEST_SECRET, f"{head}.{forged_body}.{sig}")
    expired = issue_token(TEST_SECRET, org_id="bank-a", role=Role.BANK, ttl_s=1, issued_at=int(time.time()) - 10)
    with pytest.raises(Unauthenticated, match="TOKEN_EXPIRED"):
        verify_token(TEST_SECRET, expired)
    jti = verify_token(TEST_SECRET, good).token_id
    with pytest.raises(Unauthenticated, match="TOKEN_REVOKED"):
        verify_token(TEST_SECRET, good, revoked=frozenset({jti}))


def _officer_roles(roles: set[str]) -> frozenset[Role]:
    return frozenset(Role(r) for r in roles) - OUTSIDE_CALLERS


@pytest.mark.parametrize("service", list(SERVICES))
def test_officer_roles_of_every_endpoint_are_one_role_or_a_shared_group(service: str) -> None:
    groups = set(ROLE_GROUPS.values())
    stray = []
    for context in iter_route_contexts(service_app(service).routes):
        route = context.original_route
        roles = declared_roles(route.dependant) if isinstance(route, APIRoute) else None
        if roles is None:
            continue
        officers = _officer_roles(roles)
        if len(officers) > 1 and officers not in groups:
            stray.append(f"{sorted(route.methods)} {context.path}: {sorted(officers)}")
    assert stray == [], f"{service}: officer roles listed outside xinyidai_shared.auth's groups: {stray}"


def test_no_module_outside_the_shared_auth_lists_roles_of_its_own() -> None:
    """Role groups are defined once: a tuple, list or set of two or more roles anywhere else is a second copy."""
    copies = []
    for path in sorted(Path("services").glob("*/*/**/*.py")) + sorted(Path("shared/xinyidai_shared").glob("*.py")):
        if path.name == "auth.py" and path.parent.name == "xinyidai_shared":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                members = [e for e in node.elts if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name)
                           and e.value.id == "Role"]
                if len(members) >= 2:
                    copies.append(f"{path}:{node.lineno}")
    assert copies == [], f"role collections defined outside xinyidai_shared.auth: {copies}"


@pytest.mark.parametrize("service", ["whitelist", "claims"])
def test_a_notice_shorter_than_the_legal_floor_is_refused_outside_dev_mode(service: str) -> None:
    config = __import__(f"{SERVICES[service]}.config", fromlist=["Settings"])
    setting = f"{env_prefix(service)}NOTICE_WORKING_DAYS"
    for days in (0, 4):
        with pytest.raises(ValueError, match=f"{setting}={days} shortens .* below 5 working days"):
            config.Settings(dev_mode=False, auth_secret=TEST_SECRET, notice_working_days=days)
    assert config.Settings(dev_mode=False, auth_secret=TEST_SECRET, notice_working_days=5).notice_working_days == 5
    assert config.Settings(dev_mode=True, notice_working_days=0).notice_working_days == 0  # the demo's compressed time


def test_a_service_started_with_a_zero_day_notice_outside_dev_mode_exits_with_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_")}
    env |= {"CLAIMS_AUTH_SECRET": TEST_SECRET, "CLAIMS_NOTICE_WORKING_DAYS": "0",
            "CLAIMS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'claims.db'}"}
    done = subprocess.run([sys.executable, "-m", "claims"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "claims: refusing to start" in done.stderr
    assert "CLAIMS_NOTICE_WORKING_DAYS=0 shortens the art.17 public notice of approved claims below 5 working days" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "claims.db").exists()  # refused before touching anything
