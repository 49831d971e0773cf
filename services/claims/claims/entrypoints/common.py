"""What every claims route shares: its dependencies and the rules of who may act for which bank."""

from __future__ import annotations

from fastapi import Request
from xinyidai_shared.auth import Principal, Role
from xinyidai_shared.errors import Forbidden

from claims.service_layer.deps import Deps

def deps_of(request: Request) -> Deps:
    return request.app.state.deps


def own_bank(principal: Principal, bank_id: str) -> None:
    """A bank acts only for itself."""
    if principal.role is Role.BANK and principal.org_id != bank_id:
        raise Forbidden("NOT_YOUR_BANK", f"{principal.org_id} may not act for {bank_id}")


def bank_scope(principal: Principal) -> str | None:
    """The bank a caller is limited to (its own), or None for officers who see every bank."""
    return principal.org_id if principal.role is Role.BANK else None
