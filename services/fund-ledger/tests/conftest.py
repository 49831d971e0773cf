"""Fixtures of fund-ledger's tests: a real database per test, units of work, event builders."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.events import ClaimApproved, ClawbackOrdered, InterestIncomeReported, RecoveryReported, envelope_for
from xinyidai_shared.testing import TEST_SECRET  # noqa: F401 - re-exported for the tests
from xinyidai_shared.uow import UnitOfWork

from fund_ledger.adapters.tables import messaging
from fund_ledger.app import MIGRATIONS
from fund_ledger.domain.policy import profile_named
from fund_ledger.domain.accounts import TransferStatus
from fund_ledger.service_layer.audit import violations
from fund_ledger.service_layer.confirmations import confirm
from fund_ledger.service_layer.money_in import Officer, declare_initial_capital, declare_payment
from fund_ledger.service_layer.rules import LedgerRules

YUAN = 100
RULES = LedgerRules(profile=profile_named("measures"), threshold_fen=1_000_000 * YUAN)
_seq = itertools.count()
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest_asyncio.fixture
async def db(db_url):
    """A migrated database, once on SQLite and once on PostgreSQL (the shared plugin's ``db_url``)."""
    database = Database(db_url)
    await upgrade_to_head(database, MIGRATIONS)
    yield database
    # Done-when of issue 5: `verify` passes after every test's own scenario.
    async with database.read_session() as session:
        problems = await violations(session)
    await database.dispose()
    assert problems == [], f"books do not verify after this test: {problems}"


@pytest.fixture
def uow_factory(db):
    return lambda: UnitOfWork(db, messaging, "fund-ledger")


# Two officers of the finance bureau: one declares, the other confirms (no one alone makes cash).
MAKER = Officer("czj", "czj/wang")
CHECKER = "czj/li"


async def deposit_capital(uow, amount_fen, reference="cap"):
    """Initial capital declared by one officer and confirmed by another, in one unit of work."""
    declared, _ = await declare_initial_capital(uow, reference=reference, amount_fen=amount_fen, by=MAKER)
    if declared.status is TransferStatus.PENDING:
        await confirm(uow, transfer_id=declared.id, by=CHECKER, rules=RULES)
    return declared


async def pay_due(uow, due_id, amount_fen, reference):
    """A payment of a due declared and confirmed (what a bank statement or a second officer does)."""
    declared, _ = await declare_payment(uow, due_id=due_id, reference=reference, amount_fen=amount_fen, by=MAKER,
                                        payer_bank_id=None)
    if declared.status is TransferStatus.PENDING:
        await confirm(uow, transfer_id=declared.id, by=CHECKER, rules=RULES)
    return declared


def approved(claim_id=None, *, bank_id="bank-a", principal_fen=1_000_000 * YUAN, ratio_bp=3000,
             per_loan_cap_fen=500_000 * YUAN, bank_cap_fen=2_000_000 * YUAN, minute=None):
    n = next(_seq)
    claim_id = claim_id or f"clm-{uuid.uuid4().hex[:10]}"
    return ClaimApproved(
        claim_id=claim_id, loan_id=f"loan-{claim_id}", bank_id=bank_id, uscc="91211382MA0Y8G8L7T",
        principal_at_loss_fen=principal_fen, ratio_bp=ratio_bp, per_loan_cap_fen=per_loan_cap_fen,
        bank_cap_fen=bank_cap_fen, covered_principal_fen=principal_fen, policy_profile="measures",
        approved_at=T0 + timedelta(minutes=n if minute is None else minute),
    )


def recovered(claim_id, recovery_id=None, *, bank_id="bank-a", recovered_fen=0, costs_fen=0):
    return RecoveryReported(
        claim_id=claim_id, loan_id=f"loan-{claim_id}", bank_id=bank_id, uscc="91211382MA0Y8G8L7T",
        recovery_id=recovery_id or f"rec-{uuid.uuid4().hex[:8]}", recovered_fen=recovered_fen, costs_fen=costs_fen,
        reported_on=T0.date(),
    )


def clawback(bank_id="bank-a", clawback_id=None):
    return ClawbackOrdered(clawback_id=clawback_id or f"cb-{uuid.uuid4().hex[:8]}", bank_id=bank_id,
                           reason="forged loan documents", ordered_at=T0)


def interest(bank_id="bank-a", income_fen=1_000_000, report_id=None):
    return InterestIncomeReported(report_id=report_id or f"ir-{uuid.uuid4().hex[:8]}", bank_id=bank_id, year=2026,
                                  interest_income_fen=income_fen)


def wrap(payload):
    return envelope_for(payload)


@pytest_asyncio.fixture
async def api(db_url):
    """The real app on a fresh database, SQLite and PostgreSQL (migrations applied by its lifespan), no broker."""
    import httpx
    from xinyidai_shared.auth import issue_token

    from fund_ledger.app import create_app
    from fund_ledger.config import Settings

    settings = Settings(dev_mode=True, database_url=db_url, kafka_bootstrap="", log_json=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fund") as client:
            client.app = app

            def as_org(org_id: str, role: str, subject: str = "") -> dict:
                token = issue_token(settings.auth_secret, org_id=org_id, role=role, subject=subject)
                return {"Authorization": f"Bearer {token}"}

            client.as_org = as_org
            yield client
        async with app.state.runtime.db.read_session() as session:
            problems = await violations(session)
    assert problems == [], f"books do not verify after this test: {problems}"
