"""Events prove who sent them: through the real broker, a forged ClaimApproved pays nothing, and a
genuine one moved to another topic is refused; each refusal is parked with its reason and counted."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from claims.app import create_app as create_claims
from claims.config import Settings as ClaimsSettings
from fund_ledger.adapters.tables import compensation
from fund_ledger.app import create_app as create_fund
from fund_ledger.config import Settings as FundSettings
from xinyidai_shared.events import TOPICS, ClaimApproved, Envelope, envelope_for
from xinyidai_shared.relay import ensure_topics, make_producer
from xinyidai_shared.signing import Signer, canonical
from xinyidai_shared.testing import TEST_SECRET, app_client, auth, eventually, signed, signer_for

pytestmark = pytest.mark.asyncio
CZJ = auth("finance_bureau", "czj", subject="czj-wang")
CHECKER = auth("finance_bureau", "czj", subject="czj-li")
CLAIMS_TOPIC = TOPICS["claims"]


def _approval(claim_id: str) -> Envelope:
    return envelope_for(ClaimApproved(
        claim_id=claim_id, loan_id=f"loan-{claim_id}", bank_id="bank-icbc-ly", uscc="91211382MA0Y8G8L7T",
        principal_at_loss_fen=1_000_000_00, ratio_bp=3000, per_loan_cap_fen=500_000_00, bank_cap_fen=2_000_000_00,
        covered_principal_fen=1_000_000_00, policy_profile="measures", approved_at=datetime(2026, 3, 1, tzinfo=UTC),
    ))


def _forgeries(run: str) -> dict[str, bytes]:
    """One ClaimApproved per way to forge it, each for its own claim (so any accepted one would pay)."""
    tampered = orjson.loads(signed(_approval(f"clm-tampered-{run}")))
    tampered["payload"]["principal_at_loss_fen"] = 9_000_000_00  # the genuine signature no longer covers it
    impostor = Ed25519PrivateKey.generate()
    borrowed_kid = orjson.loads(signed(_approval(f"clm-borrowed-kid-{run}")))
    body = {k: v for k, v in borrowed_kid.items() if k != "signature"}
    # An intruder's own signature presented under the claims key id.
    forged_sig = orjson.loads(Signer("claims", impostor).sign(CLAIMS_TOPIC, body))["signature"]["sig"]
    borrowed_kid["signature"]["sig"] = forged_sig
    return {
        "EVENT_UNSIGNED": _approval(f"clm-unsigned-{run}").model_dump_json().encode(),
        "EVENT_KEY_UNKNOWN": Signer("claims", impostor).sign(CLAIMS_TOPIC, _approval(f"clm-unknown-key-{run}").model_dump(mode="json")),
        "EVENT_SIGNATURE_INVALID": canonical(tampered),
        "EVENT_SIGNATURE_INVALID ": canonical(borrowed_kid),
        # Another service's real key cannot speak for claims.
        "EVENT_SIGNER_MISMATCH": signer_for("whitelist").sign(CLAIMS_TOPIC, _approval(f"clm-by-whitelist-{run}").model_dump(mode="json")),
    }


async def _send(bootstrap: str, messages: list[tuple[str, bytes]]) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        for topic, value in messages:
            await producer.send_and_wait(topic, value, key=b"loan-forgery")
    finally:
        await producer.stop()


async def _dead_letters(app, run: str) -> list[tuple[str, str]]:  # noqa: ANN001 - a FastAPI app
    """(topic, reason) of the parked messages of this run (the session's broker holds other tests' events)."""
    runtime = app.state.runtime
    table = runtime.spec.tables.dead_letter
    async with runtime.db.read_session() as session:
        rows = (await session.execute(select(table.c.topic, table.c.reason, table.c.raw))).all()
    return [(r.topic, r.reason) for r in rows if run in r.raw]


async def _compensations(app, run: str) -> dict[str, tuple[str, int]]:  # noqa: ANN001
    """claim id -> (status, amount in fen) of this run's claims in fund-ledger's books."""
    table = compensation
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(table.c.claim_id, table.c.status, table.c.amount_fen))).all()
    return {r.claim_id: (r.status, r.amount_fen) for r in rows if run in r.claim_id}


async def _deposit(client, amount: str) -> None:  # noqa: ANN001
    """Initial capital: declared by one finance-bureau officer, confirmed by a second."""
    body = {"reference": f"cap-{uuid.uuid4().hex[:6]}", "amount": amount}
    declared = await client.post("/v1/deposits/initial-capital", json=body, headers=CZJ)
    assert declared.status_code == 201, declared.text
    confirmed = await client.post(f"/v1/transfers/{declared.json()['id']}/confirmation", json={}, headers=CHECKER)
    assert confirmed.status_code == 200, confirmed.text


async def _kafka_ready(app) -> bool:  # noqa: ANN001
    return app.state.runtime.consumer is not None


async def test_forged_claim_approved_is_refused_parked_and_counted_and_only_the_genuine_one_pays(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    fund = create_fund(FundSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'fund.db'}", kafka_bootstrap=kafka_bootstrap,
                                    auth_secret=TEST_SECRET, relay_poll_interval_s=0.05, log_json=False))
    await ensure_topics(kafka_bootstrap, [CLAIMS_TOPIC], 3)
    async with app_client(fund) as client:
        await _deposit(client, "10000000.00")
        await eventually(lambda: _kafka_ready(fund), timeout_s=30)
        run = uuid.uuid4().hex[:8]
        forgeries = _forgeries(run)
        genuine = _approval(f"clm-genuine-{run}")
        # Forgeries first, on the same partition: had any been accepted, it would have paid before the genuine one.
        await _send(kafka_bootstrap, [(CLAIMS_TOPIC, value) for value in forgeries.values()] + [(CLAIMS_TOPIC, signed(genuine))])

        async def settled() -> bool:
            return bool(await _compensations(fund, run)) and len(await _dead_letters(fund, run)) >= len(forgeries)

        await eventually(settled, timeout_s=30)
        assert await _compensations(fund, run) == {f"clm-genuine-{run}": ("paid", 300_000_00)}
        reasons = sorted(reason.split(":", 1)[0] for _, reason in await _dead_letters(fund, run))
        assert reasons == sorted(code.strip() for code in forgeries)
        refused = fund.state.runtime.consumer.refused
        assert all(refused[code] >= n for code, n in Counter(code.strip() for code in forgeries).items())


async def test_a_genuine_claim_approved_republished_on_another_topic_is_refused_with_no_payout(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    url = lambda name: f"sqlite+aiosqlite:///{tmp_path / name}"  # noqa: E731
    fund = create_fund(FundSettings(database_url=url("fund.db"), kafka_bootstrap=kafka_bootstrap, auth_secret=TEST_SECRET,
                                    relay_poll_interval_s=0.05, log_json=False))
    claims = create_claims(ClaimsSettings(database_url=url("claims.db"), kafka_bootstrap=kafka_bootstrap, auth_secret=TEST_SECRET,
                                          relay_poll_interval_s=0.05, log_json=False))
    await ensure_topics(kafka_bootstrap, [TOPICS[s] for s in ("claims", "whitelist", "credit-data")], 3)
    async with app_client(fund) as fund_client, app_client(claims):
        await _deposit(fund_client, "10000000.00")
        await eventually(lambda: _kafka_ready(fund), timeout_s=30)
        await eventually(lambda: _kafka_ready(claims), timeout_s=30)
        run = uuid.uuid4().hex[:8]
        genuine = signed(_approval(f"clm-moved-{run}"))  # signed by claims, for the claims topic
        moved = [(TOPICS["whitelist"], genuine), (TOPICS["credit-data"], genuine)]
        await _send(kafka_bootstrap, moved)

        async def both_parked() -> bool:
            return len(await _dead_letters(claims, run)) >= 2

        await eventually(both_parked, timeout_s=30)
        parked = await _dead_letters(claims, run)
        assert sorted(topic for topic, _ in parked) == sorted(topic for topic, _ in moved)
        assert all(reason.startswith("EVENT_WRONG_TOPIC: ClaimApproved belongs on xyd.claims.events") for _, reason in parked)
        assert claims.state.runtime.consumer.refused["EVENT_WRONG_TOPIC"] >= 2
        assert await _compensations(fund, run) == {}  # fund-ledger reads only the claims topic: nothing reached it
