"""The compensation notice counts working days on the officers' calendar (from whitelist) and can be scheduled."""

from datetime import UTC, date, datetime

from xinyidai_shared.events import WorkingCalendarChanged

from .helpers import GROUP, LG, Clock, admit, bank_headers, build, deliver, loan_body, seed_good_standing, uscc
from xinyidai_shared.testing import app_client

MATERIALS = [{"kind": "art11_documents", "ref": "d1"}, {"kind": "loan_proof", "ref": "d2"}]
NEW_YEAR_2027 = WorkingCalendarChanged(day=date(2027, 1, 1), working=False, note="元旦", set_by="lg-office",
                                       set_at=datetime(2026, 12, 22, 1, tzinfo=UTC))


async def _approved_batch(app, client, bank: str) -> tuple[str, str]:  # noqa: ANN001
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, bank)
    loan = (await client.post("/v1/loans", headers=bank_headers(bank), json=loan_body(code, f"N-{code}"))).json()
    classified = await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=bank_headers(bank),
                                   json={"category": "loss", "as_of": "2026-12-01"})
    assert classified.status_code == 200, classified.text
    claim = (await client.post("/v1/claims", headers=bank_headers(bank), json={"loan_id": loan["loan_id"], "materials": MATERIALS})).json()
    await client.post(f"/v1/batches/{claim['batch_id']}/close", headers=LG)
    await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=LG, json={"decision": "pass"})
    approved = await client.post(f"/v1/claims/{claim['claim_id']}/approval", headers=GROUP, json={"decision": "approve"})
    assert approved.json()["state"] == "awaiting_notice", approved.text
    return claim["claim_id"], claim["batch_id"]


async def test_a_notice_scheduled_for_2026_12_28_runs_five_working_days_across_new_year_2027_by_the_override(sqlite_url):
    """Invariant: chinese-calendar does not know 2027; the officers' override table decides New Year's Day."""
    clock = Clock(datetime(2026, 12, 21, 2, tzinfo=UTC))  # Monday 21 December, Shanghai morning
    app = build(sqlite_url, clock, notice_working_days=5)
    async with app_client(app) as client:
        cid, bid = await _approved_batch(app, client, "bank-cal")
        past = await client.post(f"/v1/batches/{bid}/notice", headers=LG, json={"starts_on": "2026-12-20"})
        assert (past.status_code, past.json()["code"]) == (400, "NOTICE_START_IN_PAST")
        batch = (await client.post(f"/v1/batches/{bid}/notice", headers=LG, json={"starts_on": "2026-12-28"})).json()
        # Without an override 1 January 2027 (a Friday) falls back to a working day.
        assert (batch["notice_starts_on"], batch["notice_ends_on"]) == ("2026-12-28", "2027-01-01")
        await deliver(app, NEW_YEAR_2027)  # officers enter the holiday in whitelist: the running notice moves
        batch = next(b for b in (await client.get("/v1/batches", headers=LG)).json() if b["batch_id"] == bid)
        assert batch["notice_ends_on"] == "2027-01-04"  # Mon 28, Tue 29, Wed 30, Thu 31 December, Mon 4 January

        assert (await client.get("/v1/notices")).json() == []  # not public before its first day
        early = await client.post(f"/v1/claims/{cid}/objections", json={"text": "too early"})
        assert (early.status_code, early.json()["code"]) == (409, "NOT_ON_NOTICE")
        clock.now = datetime(2026, 12, 28, 2, tzinfo=UTC)
        public = (await client.get("/v1/notices")).json()
        assert [(n["claim_id"], n["notice_starts_on"], n["notice_ends_on"]) for n in public] == [(cid, "2026-12-28", "2027-01-04")]
        clock.now = datetime(2027, 1, 4, 2, tzinfo=UTC)
        still = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
        assert (still.status_code, still.json()["code"]) == (409, "NOTICE_NOT_OVER")
        clock.now = datetime(2027, 1, 5, 2, tzinfo=UTC)
        done = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
        assert done.status_code == 200 and done.json()["approved_claim_ids"] == [cid]


async def test_a_notice_started_after_the_override_arrived_counts_by_it_and_an_older_declaration_does_not_win(sqlite_url):
    clock = Clock(datetime(2026, 12, 28, 2, tzinfo=UTC))
    app = build(sqlite_url, clock, notice_working_days=5)
    async with app_client(app) as client:
        _, bid = await _approved_batch(app, client, "bank-cal2")
        await deliver(app, NEW_YEAR_2027)
        stale = WorkingCalendarChanged(day=date(2027, 1, 1), working=True, set_by="lg-office",
                                       set_at=datetime(2026, 12, 1, tzinfo=UTC))
        await deliver(app, stale)  # an older declaration arriving late changes nothing
        batch = (await client.post(f"/v1/batches/{bid}/notice", headers=LG)).json()
        assert (batch["notice_starts_on"], batch["notice_ends_on"]) == ("2026-12-28", "2027-01-04")
