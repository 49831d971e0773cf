"""The walking-skeleton slice: a provider pushes records, the enterprise is rated, the change is published."""

from __future__ import annotations

import pytest

from .helpers import OFFICE, TAX, WATER, new_uscc, outbox_events, push_demo, running, tax, water

pytestmark = pytest.mark.asyncio


async def test_first_push_rates_the_enterprise_and_publishes_the_change(db_url, tmp_path):
    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        response = await client.post("/v1/feeds/record", json=water(uscc, 1), headers=WATER)
        assert response.status_code == 201, response.text
        assert response.json()["outcome"] == "accepted"
        rating = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert rating["grade"] == "UNRATED" and rating["has_report"] is False
        (event,) = await outbox_events(client, "CreditRatingChanged", uscc)
        assert event.payload["grade"] == "UNRATED" and event.payload["previous_grade"] is None


async def test_twelve_months_of_water_and_tax_reach_a_lending_grade(db_url, tmp_path):
    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        rating = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert rating["grade"] in {"AAA", "AA", "A"} and rating["lends"] is True
        assert "UTILITY_PAID_ON_TIME" in rating["reason_codes"]
        events = await outbox_events(client, "CreditRatingChanged", uscc)
        assert events[-1].payload["grade"] == rating["grade"]
        assert events[-1].payload["has_report"] is True


async def test_invalid_check_character_is_refused_with_the_field_named(sqlite_url, tmp_path):
    uscc = new_uscc()
    bad = uscc[:17] + ("1" if uscc[17] != "1" else "2")
    async with running(sqlite_url, tmp_path) as client:
        response = await client.post("/v1/feeds/record", json=water(bad, 1), headers=WATER)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "USCC_INVALID" and response.json()["field"] == "uscc"
        assert await outbox_events(client, "CreditRatingChanged") == []


async def test_water_provider_pushing_tax_is_forbidden_and_nothing_is_written(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        response = await client.post("/v1/feeds/record", json=tax(uscc, 1), headers=WATER)
        assert response.status_code == 403
        assert response.json()["code"] == "SOURCE_NOT_ALLOWED"
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).status_code == 404


async def test_no_credential_is_401_and_a_bank_cannot_push(sqlite_url, tmp_path):
    from .helpers import ICBC

    async with running(sqlite_url, tmp_path) as client:
        assert (await client.post("/v1/feeds/record", json=water(new_uscc(), 1))).status_code == 401
        assert (await client.post("/v1/feeds/record", json=water(new_uscc(), 1), headers=ICBC)).status_code == 403


async def test_resend_is_unchanged_and_correction_supersedes_keeping_history(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        first = await client.post("/v1/feeds/record", json=water(uscc, 2), headers=WATER)
        again = await client.post("/v1/feeds/record", json=water(uscc, 2), headers=WATER)
        fixed = await client.post("/v1/feeds/record", json=water(uscc, 2, amount_due="400.00", amount_paid="400.00"), headers=WATER)
        assert (first.status_code, again.status_code, fixed.status_code) == (201, 200, 201)
        assert [r.json()["outcome"] for r in (first, again, fixed)] == ["accepted", "unchanged", "superseded"]
        rid = water(uscc, 2)["source_record_id"]
        history = (await client.get(f"/v1/feeds/records/{rid}/history", headers=WATER)).json()
        assert [(h["version"], h["amount_due"], h["consumption"]) for h in history] == [(1, "361.50", "120.500")]


async def test_batch_keeps_good_records_and_reports_each_bad_one(sqlite_url, tmp_path):
    uscc = new_uscc()
    records = [water(uscc, 1), water(uscc, 2, amount_due="-5"), water(uscc, 3, period="2099-01"), water(uscc, 4)]
    async with running(sqlite_url, tmp_path) as client:
        body = (await client.post("/v1/feeds/batch", json={"records": records}, headers=WATER)).json()
        assert (body["accepted"], body["rejected"]) == (2, 2)
        bad = [(r["index"], r["field"], r["code"]) for r in body["results"] if r["outcome"] == "rejected"]
        assert bad == [(1, "amount_due", "MONEY_INVALID"), (2, "period", "PERIOD_IN_FUTURE")]


async def test_records_with_padded_money_or_hidden_characters_in_identifiers_are_rejected_one_by_one(db_url, tmp_path):
    uscc = new_uscc()
    records = [
        water(uscc, 1, amount_due="361.50\n"), water(uscc, 2, amount_paid=" 361.50"),
        water(uscc, 3, source_record_id="W-3\x00"), water(uscc, 4, source_record_id="W-4\u202e"),
        water(uscc, 5, source_record_id="W 5"), water(uscc, 6, account_no="凌源\n水表"), water(uscc, 7, account_no="凌源 水表"),
    ]
    async with running(db_url, tmp_path) as client:
        body = (await client.post("/v1/feeds/batch", json={"records": records}, headers=WATER)).json()
        bad = [(r["index"], r["field"], r["code"]) for r in body["results"] if r["outcome"] == "rejected"]
        assert bad == [(0, "amount_due", "MONEY_INVALID"), (1, "amount_paid", "MONEY_INVALID"),
                       (2, "source_record_id", "FIELD_INVALID"), (3, "source_record_id", "FIELD_INVALID"),
                       (4, "source_record_id", "FIELD_INVALID"), (5, "account_no", "FIELD_INVALID")]
        assert body["accepted"] == 1  # a name-like account number keeps its inner space


async def test_rating_history_answers_the_rating_on_a_past_date(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await client.post("/v1/feeds/record", json=water(uscc, 1, source_record_id="early-meter"), headers=WATER)
        await push_demo(client, uscc)
        history = (await client.get(f"/v1/enterprises/{uscc}/ratings", headers=OFFICE)).json()
        assert history[0]["grade"] == "UNRATED" and history[0]["valid_to"] == history[1]["valid_from"]
        at_first = await client.get(f"/v1/enterprises/{uscc}/rating", params={"at": history[0]["valid_from"]}, headers=OFFICE)
        assert at_first.json()["grade"] == "UNRATED"
        before = await client.get(f"/v1/enterprises/{uscc}/rating", params={"on": "2020-01-01"}, headers=OFFICE)
        assert before.status_code == 404 and before.json()["code"] == "RATING_NOT_FOUND"


async def test_concurrent_pushes_for_one_enterprise_leave_exactly_one_rating_in_force(db_url, tmp_path):
    """Invariant: at any instant an enterprise has at most one rating in force."""
    import asyncio

    from sqlalchemy import func, select

    from credit_data.adapters.tables import rating

    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        pushes = [client.post("/v1/feeds/record", json=water(uscc, ago), headers=WATER) for ago in range(1, 9)]
        pushes += [client.post("/v1/feeds/record", json=tax(uscc, ago), headers=TAX) for ago in range(1, 9)]
        statuses = [r.status_code for r in await asyncio.gather(*pushes)]
        assert statuses == [201] * 16
        async with client.app.state.runtime.db.read_session() as session:
            open_count = await session.scalar(select(func.count()).where(rating.c.uscc == uscc, rating.c.valid_to.is_(None)))
        assert open_count == 1
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["lends"] is True


async def test_a_correction_right_behind_its_original_in_one_batch_keeps_every_version(db_url, tmp_path):
    uscc = new_uscc()
    original = water(uscc, 2)
    fixed = water(uscc, 2, amount_due="400.00", amount_paid="400.00")
    fixed_again = water(uscc, 2, amount_due="410.00", amount_paid="410.00")
    async with running(db_url, tmp_path) as client:
        answer = (await client.post("/v1/feeds/batch", json={"records": [original, fixed, original | {}, fixed_again]}, headers=WATER)).json()
        rid = original["source_record_id"]
        history = (await client.get(f"/v1/feeds/records/{rid}/history", headers=WATER)).json()
    assert (answer["accepted"], answer["superseded"]) == (1, 3)
    assert [(h["version"], h["amount_due"]) for h in history] == [(1, "361.50"), (2, "400.00"), (3, "361.50")]
