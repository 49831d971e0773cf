"""Re-rate-all, loan events' effects, dishonesty expiry, job resume and the migration matching the tables."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import orjson
import pytest
from sqlalchemy import insert, select, update

from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.events import LoanCured, LoanOverdue, LoanRegistered, LoanRepaid, envelope_for
from xinyidai_shared.migrations import schema_drift
from xinyidai_shared.testing import eventually

from credit_data.adapters.tables import job, loan_exposure, metadata, rating
from credit_data.entrypoints.consumers import HANDLERS
from credit_data.service_layer.dishonesty import expire_records

from .helpers import DEPT, OFFICE, WATER, new_uscc, outbox_events, push_demo, running, water

pytestmark = pytest.mark.asyncio


async def test_migrations_create_exactly_the_declared_tables(db_url, tmp_path):
    async with running(db_url, tmp_path) as client:
        assert await schema_drift(client.app.state.runtime.db, metadata) == []


async def test_rerate_all_moves_ratings_of_an_old_model_version_to_the_current_one(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await push_demo(client, uscc)
        runtime = client.app.state.runtime
        async with runtime.uow() as uow:  # pretend the rating was made by last year's scorecard
            await uow.session.execute(update(rating).where(rating.c.uscc == uscc).values(model_version="scorecard-2025.9"))
            await uow.commit()
        started = await client.post("/v1/ratings/rerate-all", headers=OFFICE)
        assert started.status_code == 202
        assert (await client.post("/v1/ratings/rerate-all", headers=WATER)).status_code == 403

        async def done() -> bool:
            return (await client.get(f"/v1/feeds/jobs/{started.json()['id']}", headers=OFFICE)).json()["status"] == "done"

        await eventually(done)
        history = (await client.get(f"/v1/enterprises/{uscc}/ratings", headers=OFFICE)).json()
        assert history[-1]["model_version"] == "scorecard-2026.1" and history[-2]["model_version"] == "scorecard-2025.9"
        assert history[-2]["valid_to"] == history[-1]["valid_from"]


def _loan(uscc: str, loan_id: str) -> dict:
    return {"loan_id": loan_id, "bank_id": "bank-icbc-ly", "uscc": uscc}


async def _handle(runtime, payload) -> None:  # noqa: ANN001
    async with runtime.uow() as uow:
        await HANDLERS[payload.type](uow, payload, envelope_for(payload))
        await uow.commit()


async def test_overdue_loan_lowers_the_rating_and_settlement_ends_the_exposure(sqlite_url, tmp_path):
    uscc, loan_id = new_uscc(), f"L-{uuid.uuid4().hex[:6]}"
    async with running(sqlite_url, tmp_path) as client:
        runtime = client.app.state.runtime
        await push_demo(client, uscc)
        before = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        await _handle(runtime, LoanRegistered(
            **_loan(uscc, loan_id), bank_loan_no="B1", principal_fen=10_000_000, annual_rate_bp=400,
            issued_on=date(2026, 1, 1), matures_on=date(2027, 1, 1), covered=True, first_loan=True, policy_profile="measures",
        ))  # fmt: skip
        await _handle(runtime, LoanOverdue(**_loan(uscc, loan_id), days_past_due=40, overdue_principal_fen=100, as_of=date(2026, 11, 1)))
        after = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert after["score"] == before["score"] - 100 and "LOAN_OVERDUE" in after["reason_codes"]
        await _handle(runtime, LoanRepaid(**_loan(uscc, loan_id), amount_fen=10_000_000, outstanding_fen=0, settled=True, repaid_on=date(2026, 11, 5)))
        async with runtime.db.read_session() as session:
            exposure = (await session.execute(select(loan_exposure).where(loan_exposure.c.loan_id == loan_id))).one()
        assert not exposure.active


async def test_a_cured_loan_lifts_the_overdue_penalty_at_once(sqlite_url, tmp_path):
    """Invariant: the −100 for an overdue loan lasts while it is overdue, not until settlement."""
    uscc, loan_id = new_uscc(), f"L-{uuid.uuid4().hex[:6]}"
    async with running(sqlite_url, tmp_path) as client:
        runtime = client.app.state.runtime
        await push_demo(client, uscc)
        before = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        await _handle(runtime, LoanOverdue(**_loan(uscc, loan_id), days_past_due=40, overdue_principal_fen=100, as_of=date(2026, 11, 1)))
        overdue = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert overdue["score"] == before["score"] - 100 and not overdue["lends"]
        await _handle(runtime, LoanCured(**_loan(uscc, loan_id), previous_days_past_due=40, cured_on=date(2026, 11, 20)))
        cured = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert (cured["score"], cured["grade"], cured["lends"]) == (before["score"], before["grade"], True)
        assert "LOAN_OVERDUE" not in cured["reason_codes"]
        grades = [e.payload["grade"] for e in await outbox_events(client, "CreditRatingChanged", uscc)]
        assert grades[-2:] == [overdue["grade"], before["grade"]]  # whitelist hears of the recovery


async def test_a_record_binds_through_its_expiry_date_and_is_removed_from_the_day_after(sqlite_url, tmp_path):
    """Invariant: the expiry date is the last day in force, on the public list and in the rating alike."""
    uscc = new_uscc()
    today = today_shanghai()
    body = {"uscc": uscc, "reference": "R-10", "reason": "欠缴罚款", "started_on": (today - timedelta(days=10)).isoformat(),
            "expires_on": today.isoformat()}  # fmt: skip
    async with running(sqlite_url, tmp_path) as client:
        await push_demo(client, uscc)
        assert (await client.post("/v1/dishonesty-records", json=body, headers=DEPT)).status_code == 201
        assert uscc in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        rating = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert "DISHONESTY_RECORD" in rating["reason_codes"] and not rating["lends"]
        runtime = client.app.state.runtime
        assert await expire_records(runtime, today=today, now=utcnow()) == 0
        assert await expire_records(runtime, today=today + timedelta(days=1), now=utcnow()) == 1
        assert await expire_records(runtime, today=today + timedelta(days=2), now=utcnow()) == 0
        (removed,) = await outbox_events(client, "DishonestyRemoved", uscc)
        assert (removed.payload["reason"], removed.payload["removed_on"]) == ("expired", (today + timedelta(days=1)).isoformat())


async def test_interrupted_job_resumes_after_its_last_committed_line(sqlite_url, tmp_path):
    uscc = new_uscc()
    lines = b"".join(orjson.dumps(water(uscc, ago)) + b"\n" for ago in range(1, 7))
    path = tmp_path / "left-over.ndjson"
    path.write_bytes(lines)
    job_id = str(uuid.uuid4())
    values = {
        "id": job_id, "kind": "feed", "org_id": "water-ly", "sources": "water", "format": "ndjson", "encoding": "utf-8",
        "file_path": str(path), "size_bytes": len(lines), "status": "running", "lines_done": 4, "accepted": 4,
        "unchanged": 0, "superseded": 0, "rejected": 0, "rated": 0, "created_at": utcnow(),
    }  # fmt: skip
    async with running(sqlite_url, tmp_path, job_poll_interval_s=3600) as client:
        runtime = client.app.state.runtime
        async with runtime.uow() as uow:
            await uow.session.execute(insert(job).values(values))
            await uow.commit()
    # The process stopped with the job "running"; a new one puts it back in the queue and finishes it.
    async with running(sqlite_url, tmp_path) as client:
        async def done() -> bool:
            return (await client.get(f"/v1/feeds/jobs/{job_id}", headers=WATER)).json()["status"] == "done"

        await eventually(done)
        state = (await client.get(f"/v1/feeds/jobs/{job_id}", headers=WATER)).json()
        assert (state["accepted"], state["lines_done"]) == (6, 6)
        profile = (await client.get(f"/v1/enterprises/{uscc}/profile", headers=OFFICE)).json()
        assert profile["sources"]["water"]["months_covered"] == 2  # lines 1-4 were "already done" before
        assert not path.exists()


async def test_daily_rules_rerate_everyone_and_remember_their_last_run(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path, daily_interval_s=0.3) as client:
        await push_demo(client, uscc)
        runtime = client.app.state.runtime

        async def ran_with_our_enterprise() -> bool:
            async with runtime.db.read_session() as session:
                rated = (await session.execute(select(job.c.rated).where(job.c.kind == "daily"))).scalars().all()
            return any(n >= 1 for n in rated)

        await eventually(ran_with_our_enterprise, timeout_s=20)
