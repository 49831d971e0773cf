"""Recoveries (art.15), clawbacks (art.19), verify and the audit pack (art.18) on a real SQLite database."""

import asyncio
import csv
import io
import json

import pytest
from sqlalchemy import update
from xinyidai_shared.consumer import apply_once

from fund_ledger.adapters.tables import account
from fund_ledger.config import Settings
from fund_ledger.entrypoints.audit_files import pack_files
from fund_ledger.entrypoints.cli import run_audit_pack, run_verify
from fund_ledger.service_layer.audit import build_audit_pack, violations
from fund_ledger.service_layer.handlers import event_handlers

from ..conftest import RULES, YUAN, deposit_capital, approved, clawback, recovered, wrap

pytestmark = pytest.mark.asyncio
HANDLERS = event_handlers(RULES)


async def deliver(uow_factory, payload):
    made = []

    def factory():
        made.append(uow_factory())
        return made[-1]

    envelope = wrap(payload)
    await apply_once(factory, HANDLERS[envelope.type], envelope, envelope.decode())
    return [e for u in made for e in u.published]


async def capital(uow_factory, amount_fen):
    async with uow_factory() as uow:
        await deposit_capital(uow, amount_fen, "cap")
        await uow.commit()


async def dues_of(db, bank_id):
    from xinyidai_shared.clock import today_shanghai

    from fund_ledger.service_layer.queries import list_dues

    async with db.read_session() as s:
        return {d["id"]: d["amount_fen"] for d in await list_dues(s, today=today_shanghai(), party=bank_id)}


async def test_recovery_share_is_due_from_the_bank_at_the_compensation_ratio(db, uow_factory):
    await capital(uow_factory, 10_000_000 * YUAN)
    await deliver(uow_factory, approved("clm-r", principal_fen=1_000_000 * YUAN))  # 300k paid
    await deliver(uow_factory, recovered("clm-r", "rec-1", recovered_fen=100_000 * YUAN, costs_fen=10_000 * YUAN))
    assert await dues_of(db, "bank-a") == {"recovery:rec-1": 27_000 * YUAN}


async def test_recovery_reported_before_payment_waits_and_becomes_due_when_paid(db, uow_factory):
    await deliver(uow_factory, approved("clm-early", principal_fen=1_000_000 * YUAN))  # no cash: waits
    await deliver(uow_factory, recovered("clm-early", "rec-e", recovered_fen=100_000 * YUAN))
    assert await dues_of(db, "bank-a") == {}
    await capital(uow_factory, 10_000_000 * YUAN)
    assert await dues_of(db, "bank-a") == {"recovery:rec-e": 30_000 * YUAN}


async def test_clawback_makes_all_paid_compensation_due_and_blocks_later_claims(db, uow_factory):
    await capital(uow_factory, 500_000 * YUAN)
    await deliver(uow_factory, approved("clm-1", principal_fen=1_000_000 * YUAN))  # 300k paid
    await deliver(uow_factory, approved("clm-2", principal_fen=1_000_000 * YUAN))  # waits (200k cash left)
    events = await deliver(uow_factory, clawback(clawback_id="cb-1"))
    assert [(e.type, e.payload["claim_id"], e.payload["reason_code"]) for e in events] == [
        ("CompensationBlocked", "clm-2", "BANK_DISQUALIFIED")
    ]
    assert await dues_of(db, "bank-a") == {"clawback:cb-1": 300_000 * YUAN}
    later = await deliver(uow_factory, approved("clm-3", principal_fen=100 * YUAN))
    assert [(e.type, e.payload["reason_code"]) for e in later] == [("CompensationBlocked", "BANK_DISQUALIFIED")]
    async with db.read_session() as s:
        assert await violations(s) == []


async def test_verify_passes_on_sound_books_and_fails_when_a_stored_total_is_tampered(db, uow_factory, tmp_path):
    await capital(uow_factory, 1_000 * YUAN)
    await deliver(uow_factory, approved(principal_fen=1_000 * YUAN))
    settings = Settings(dev_mode=True, database_url=db.url)
    assert await asyncio.to_thread(run_verify, settings) == 0
    async def tamper(fen):
        async with uow_factory() as uow:
            await uow.session.execute(update(account).where(account.c.code == "cash").values(debits_posted_fen=account.c.debits_posted_fen + fen))
            await uow.commit()

    await tamper(1)
    assert await asyncio.to_thread(run_verify, settings) == 1
    await tamper(-1)


async def test_audit_pack_has_statement_csv_journal_and_pdf_that_agree(db, uow_factory, tmp_path):
    await capital(uow_factory, 10_000_000 * YUAN)
    await deliver(uow_factory, approved("clm-a", principal_fen=1_000_000 * YUAN))
    async with db.read_session() as s:
        from xinyidai_shared.clock import today_shanghai

        pack = await build_audit_pack(s, today_shanghai().year)
    files = pack_files(pack)
    year = pack.year
    statement = json.loads(files[f"statement-{year}.json"])
    assert (statement["closing_cash"], statement["violations"]) == ("9700000.00", [])
    assert statement["outflows"] == {"compensation": "300000.00"}
    assert statement["compensation_by_bank"] == {"bank-a": "300000.00"}
    rows = list(csv.DictReader(io.StringIO(files[f"journal-{year}.csv"].decode())))
    assert [(r["kind"], r["amount_yuan"]) for r in rows] == [("initial_capital", "10000000.00"), ("compensation", "300000.00")]
    assert files[f"report-{year}.pdf"].startswith(b"%PDF")
    settings = Settings(dev_mode=True, database_url=db.url)
    assert await asyncio.to_thread(run_audit_pack, settings, year, tmp_path / "pack") == 0
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == sorted(files)


async def test_clawback_that_voids_the_queue_head_lets_the_next_claim_be_paid(db, uow_factory):
    await capital(uow_factory, 100 * YUAN)
    await deliver(uow_factory, approved("clm-big", bank_id="bank-a", principal_fen=1_000 * YUAN, minute=1))  # 300 waits
    await deliver(uow_factory, approved("clm-small", bank_id="bank-b", principal_fen=100 * YUAN, minute=2))  # 30 waits behind
    events = await deliver(uow_factory, clawback("bank-a"))
    assert [(e.type, e.payload["claim_id"]) for e in events] == [("CompensationBlocked", "clm-big"), ("CompensationPaid", "clm-small")]


async def test_clawback_counts_recovery_shares_once_and_later_recoveries_owe_nothing(db, uow_factory):
    await capital(uow_factory, 10_000_000 * YUAN)
    await deliver(uow_factory, approved("clm-f", principal_fen=1_000_000 * YUAN))  # 300k paid
    await deliver(uow_factory, recovered("clm-f", "rec-before", recovered_fen=100_000 * YUAN))  # 30k share due
    await deliver(uow_factory, clawback(clawback_id="cb-f"))
    await deliver(uow_factory, recovered("clm-f", "rec-after", recovered_fen=100_000 * YUAN))
    assert await dues_of(db, "bank-a") == {"recovery:rec-before": 30_000 * YUAN, "clawback:cb-f": 270_000 * YUAN}
    async with db.read_session() as s:
        assert await violations(s) == []
