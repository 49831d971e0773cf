"""The same behaviour on SQLite and on a real PostgreSQL: the skeleton, and races on natural keys."""

import asyncio

from sqlalchemy import func, select
from xinyidai_shared.testing import app_client

from claims.adapters.tables import loan as loan_table
from claims.adapters.tables import messaging

from .helpers import GROUP, LG, admit, bank_headers, build, loan_body, seed_good_standing, uscc
from .test_walking_skeleton import approved_claim


async def test_claim_reaches_approved_on_this_database(db_url, clock):
    app = build(db_url, clock)
    async with app_client(app) as client:
        cid, headers = await approved_claim(app, client, bank="bank-db")
        claim = (await client.get(f"/v1/claims/{cid}", headers=headers)).json()
        assert claim["state"] == "approved" and claim["approved_at"] is not None


async def test_concurrent_first_registrations_of_one_loan_number_make_one_loan(db_url, clock):
    app = build(db_url, clock)
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        await admit(client, "bank-race")
        body = loan_body(code, "RACE-1")
        answers = await asyncio.gather(*[client.post("/v1/loans", headers=bank_headers("bank-race"), json=body)
                                         for _ in range(8)])
        assert [a.status_code for a in answers] == [201] * 8, [a.json() for a in answers if a.status_code != 201]
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7
        assert len({a.json()["loan_id"] for a in answers}) == 1
        async with app.state.runtime.db.read_session() as session:
            loans = (await session.execute(select(func.count()).select_from(loan_table))).scalar_one()
            events = (await session.execute(select(func.count()).select_from(messaging.outbox).where(
                messaging.outbox.c.type == "LoanRegistered"))).scalar_one()
        assert (loans, events) == (1, 1)


async def test_concurrent_approvals_of_one_claim_approve_once(db_url, clock):
    app = build(db_url, clock)
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        await admit(client, "bank-appr")
        headers = bank_headers("bank-appr")
        loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, "AP-1"))).json()
        await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=headers,
                          json={"category": "loss", "as_of": "2027-06-30"})
        claim = (await client.post("/v1/claims", headers=headers, json={"loan_id": loan["loan_id"], "materials": [
            {"kind": "art11_documents", "ref": "d"}, {"kind": "loan_proof", "ref": "p"}]})).json()
        await client.post(f"/v1/batches/{claim['batch_id']}/close", headers=LG)
        await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=LG, json={"decision": "pass"})
        answers = await asyncio.gather(*[client.post(f"/v1/claims/{claim['claim_id']}/approval", headers=GROUP,
                                                     json={"decision": "approve"}) for _ in range(5)])
        assert sorted(a.status_code for a in answers) == [200] + [409] * 4
        steps = (await client.get(f"/v1/claims/{claim['claim_id']}", headers=LG)).json()["steps"]
        assert [s["step"] for s in steps] == ["preliminary_review", "approval"]


async def test_eligibility_inputs_read_every_history_in_one_query(db_url, clock):
    from datetime import date

    from xinyidai_shared.events import DishonestyRecorded, DishonestyRemoved, EnterpriseDelisted

    from claims.adapters import standing_repo

    from .helpers import deliver

    app = build(db_url, clock)
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        await deliver(app, DishonestyRecorded(uscc=code, record_id="D-1", source="court", reason="judgment unpaid",
                                              started_on=date(2026, 2, 1)))
        await deliver(app, DishonestyRemoved(uscc=code, record_id="D-1", reason="paid", removed_on=date(2026, 3, 1)))
        await deliver(app, EnterpriseDelisted(uscc=code, reason_code="R", reason="re-review", suspended=True,
                                              delisted_on=date(2026, 6, 1)))
        await admit(client, "bank-hist")
        await client.post("/v1/loans", headers=bank_headers("bank-hist"), json=loan_body(code, "H-1"))
        async with app.state.runtime.db.read_session() as session:
            history, earlier = await standing_repo.eligibility_inputs(session, code)
        assert earlier == 1
        assert history.standing_on(date(2026, 2, 15)).dishonesty_ids == ("D-1",)
        assert history.standing_on(date(2026, 3, 1)).dishonesty_ids == ()
        assert history.standing_on(date(2026, 5, 31)).listed and not history.standing_on(date(2026, 6, 1)).listed
        assert history.standing_on(date(2026, 3, 1)).grade == "A"


async def test_migrations_match_the_table_metadata(db_url):
    from xinyidai_shared.db import Database
    from xinyidai_shared.migrations import schema_drift, upgrade_to_head

    from claims.app import spec

    db = Database(db_url)
    try:
        await upgrade_to_head(db, spec.migrations)
        assert await schema_drift(db, spec.metadata) == []
    finally:
        await db.dispose()


async def test_claims_racing_to_open_the_next_batch_share_one(db_url, clock):
    app = build(db_url, clock)
    async with app_client(app) as client:
        loans = []
        for i in range(4):
            code = uscc()
            await seed_good_standing(app, code)
            await admit(client, f"bank-bt{i}")
            headers = bank_headers(f"bank-bt{i}")
            loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, f"BT-{i}"))).json()
            await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=headers,
                              json={"category": "loss", "as_of": "2027-06-30"})
            loans.append((headers, loan["loan_id"]))
        materials = [{"kind": "art11_documents", "ref": "d"}, {"kind": "loan_proof", "ref": "p"}]
        answers = await asyncio.gather(*[client.post("/v1/claims", headers=h, json={"loan_id": lid, "materials": materials})
                                         for h, lid in loans])
        assert [a.status_code for a in answers] == [201] * 4
        assert len({a.json()["batch_id"] for a in answers}) == 1
