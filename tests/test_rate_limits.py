"""Rate limits keyed by the caller's identity (public callers by address), per role class, and shared by
every replica of a service: the counters live in the service's database."""

from __future__ import annotations


from claims.app import create_app
from claims.config import Settings
from xinyidai_shared.perimeter import role_class
from xinyidai_shared.testing import TEST_SECRET, app_client, auth

LIMITS = {"system": 3, "officer": 2, "enterprise": 1, "public": 2}


def _replica(db_url: str):  # noqa: ANN202 - a FastAPI app
    return create_app(Settings(database_url=db_url, auth_secret=TEST_SECRET, log_json=False, rate_limits_per_minute=LIMITS))


async def test_a_callers_budget_is_shared_by_two_replicas_and_other_callers_keep_theirs(db_url: str) -> None:
    bank_alice = auth("bank", "bank-a", subject="core-system-1")
    async with app_client(_replica(db_url)) as first, app_client(_replica(db_url)) as second:
        answers = [(await client.get("/v1/loans", headers=bank_alice)).status_code for client in (first, second, first, second)]
        assert answers == [200, 200, 200, 429]  # three a minute for a system, whichever replica answers
        refused = await second.get("/v1/loans", headers=bank_alice)
        assert refused.json()["code"] == "RATE_LIMITED" and int(refused.headers["retry-after"]) >= 1
        assert (await first.get("/v1/loans", headers=auth("bank", "bank-b"))).status_code == 200  # another bank
        officer = auth("leading_group_office", "lg-office", subject="lg-1")
        assert [(await first.get("/v1/claims", headers=officer)).status_code for _ in range(3)] == [200, 200, 429]
        assert (await second.get("/v1/claims", headers=auth("leading_group_office", "lg-office", subject="lg-2"))).status_code == 200
        assert [(await second.get("/v1/loans")).status_code for _ in range(3)] == [401, 401, 429]  # anonymous: by address
        assert (await first.get("/healthz")).status_code == 200  # probes are never limited


def test_role_classes() -> None:
    from xinyidai_shared.auth import Principal, Role

    assert role_class(None) == "public"
    assert role_class(Principal("bank-a", Role.BANK)) == "system"
    assert role_class(Principal("water-ly", Role.PROVIDER)) == "system"
    assert role_class(Principal("91211382MA0Y8G8L7T", Role.ENTERPRISE)) == "enterprise"
    assert role_class(Principal("czj", Role.FINANCE_BUREAU)) == "officer"
