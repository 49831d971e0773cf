"""Stateful property test: random deposits, approvals, recoveries, clawbacks, due payments and reversals, with
duplicated deliveries, replays under new event ids and recoveries arriving before approvals.

Invariants after every step: the books verify (journal balances, stored totals match, no negative cash,
caps held); no claim is paid twice; a disqualified bank receives nothing more; the queue head waits only
because cash cannot pay it.
"""

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import select
from xinyidai_shared.consumer import apply_once
from xinyidai_shared.db import Database
from xinyidai_shared.errors import DomainError
from xinyidai_shared.uow import UnitOfWork

from fund_ledger.adapters.tables import bank_position, compensation, due, messaging, metadata, transfer
from fund_ledger.adapters import books
from fund_ledger.domain.accounts import CASH
from fund_ledger.domain.queue import queue_order
from fund_ledger.adapters.positions import waiting_queue
from fund_ledger.service_layer.audit import violations
from fund_ledger.service_layer.confirmations import confirm, void
from fund_ledger.service_layer.corrections import REVERSIBLE, propose_reversal
from fund_ledger.service_layer.handlers import event_handlers
from fund_ledger.service_layer.money_in import declare_payment, record_fiscal_revenue

from ..conftest import CHECKER, MAKER, RULES, YUAN, approved, clawback, deposit_capital, interest, pay_due, recovered, wrap

HANDLERS = event_handlers(RULES)
BANKS = ("bank-a", "bank-b")
CLAIMS = tuple(f"clm-{i}" for i in range(8))
CAP_FEN = 1_000 * YUAN


class LedgerMachine(RuleBasedStateMachine):
    envelopes = Bundle("envelopes")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.TemporaryDirectory()
        self.db = Database(f"sqlite+aiosqlite:///{Path(self.dir.name) / 'p.db'}")
        self.run(self.db.create_all(metadata))
        self.paid_claims: list[str] = []
        self.disqualified: set[str] = set()
        self.paid_after_disqualification: list[str] = []
        self.years = iter(range(2001, 2100))
        self.transfers = 0
        self.counter = 0

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.db.dispose())
        self.loop.close()
        self.dir.cleanup()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, messaging, "fund-ledger")

    def _observe(self, published) -> None:
        for env in published:
            if env.type == "CompensationPaid":
                self.paid_claims.append(env.payload["claim_id"])
                if env.payload["bank_id"] in self.disqualified:
                    self.paid_after_disqualification.append(env.payload["claim_id"])

    def deliver(self, envelope) -> None:
        made: list[UnitOfWork] = []

        def factory() -> UnitOfWork:
            made.append(self.uow())
            return made[-1]

        self.run(apply_once(factory, HANDLERS[envelope.type], envelope, envelope.decode()))
        self._observe([e for u in made if u.committed for e in u.published])

    def command(self, fn) -> None:
        async def go():
            async with self.uow() as uow:
                try:
                    await fn(uow)
                except DomainError:
                    return
                await uow.commit()
                self._observe(uow.published)

        self.run(go())

    @rule(amount=st.integers(1, 3_000 * YUAN))
    def deposit_fiscal(self, amount):
        year = next(self.years)
        revenue = amount * 5

        async def go(uow):
            await record_fiscal_revenue(uow, year=year, revenue_fen=revenue, rules=RULES)
            await pay_due(uow, f"fiscal:{year}", amount, f"fis-{year}")

        self.command(go)

    @rule(amount=st.integers(1, 2_000 * YUAN))
    def deposit_capital(self, amount):
        self.command(lambda uow: deposit_capital(uow, amount, "cap"))

    @rule(target=envelopes, claim=st.sampled_from(CLAIMS), bank=st.sampled_from(BANKS), principal=st.integers(0, 2_000 * YUAN),
          minute=st.integers(0, 60))
    def approve(self, claim, bank, principal, minute):
        # Approval instants are drawn, so approvals arrive out of their approval order too.
        envelope = wrap(approved(claim, bank_id=bank, principal_fen=principal, per_loan_cap_fen=300 * YUAN,
                                 bank_cap_fen=CAP_FEN, minute=minute))
        self.deliver(envelope)
        return envelope

    @rule(envelope=envelopes)
    def redeliver_same_event(self, envelope):
        self.deliver(envelope)

    @rule(envelope=envelopes)
    def replay_under_new_event_id(self, envelope):
        self.deliver(wrap(envelope.decode()))

    @rule(claim=st.sampled_from(CLAIMS), bank=st.sampled_from(BANKS), got=st.integers(0, 2_000 * YUAN), costs=st.integers(0, 300 * YUAN))
    def recover(self, claim, bank, got, costs):
        self.counter += 1
        self.deliver(wrap(recovered(claim, f"rec-{self.counter}", bank_id=bank, recovered_fen=got, costs_fen=costs)))

    @rule(bank=st.sampled_from(BANKS))
    def claw_back(self, bank):
        self.disqualified.add(bank)
        self.counter += 1
        self.deliver(wrap(clawback(bank, clawback_id=f"cb-{self.counter}")))

    @rule(bank=st.sampled_from(BANKS), income=st.integers(0, 100_000 * YUAN))
    def report_interest(self, bank, income):
        self.counter += 1
        self.deliver(wrap(interest(bank, income_fen=income, report_id=f"ir-{self.counter}")))

    @rule(pick=st.integers(0, 50), per_mille=st.integers(1, 1_100))
    def pay_some_due(self, pick, per_mille):
        async def open_dues():
            async with self.db.read_session() as s:
                return (await s.execute(select(due).where(due.c.settled_fen < due.c.amount_fen).order_by(due.c.id))).all()

        rows = self.run(open_dues())
        if not rows:
            return
        row = rows[pick % len(rows)]
        amount = max(1, (row.amount_fen - row.settled_fen) * per_mille // 1000)  # above 1000‰: refused as overpaid
        self.transfers += 1
        tid = f"pay-{self.transfers}"
        # Declared only: it waits for a second person (the confirm/void rules below), and pays nobody meanwhile.
        self.command(lambda uow: declare_payment(uow, due_id=row.id, reference=tid, amount_fen=amount, by=MAKER,
                                                 payer_bank_id=None))

    @rule(pick=st.integers(0, 50), accept=st.booleans())
    def decide_a_pending_declaration(self, pick, accept):
        async def pending():
            async with self.db.read_session() as s:
                return (await s.execute(select(transfer.c.id).where(
                    transfer.c.status == "pending", transfer.c.kind != "compensation").order_by(transfer.c.seq))).all()

        rows = self.run(pending())
        if not rows:
            return
        target = rows[pick % len(rows)].id
        if accept:
            self.command(lambda uow: confirm(uow, transfer_id=target, by=CHECKER, rules=RULES))
        else:
            self.command(lambda uow: void(uow, transfer_id=target, by=CHECKER, reason="no money matched"))

    @rule(pick=st.integers(0, 50))
    def reverse_a_cash_in(self, pick):
        async def candidates():
            async with self.db.read_session() as s:
                kinds = [str(k) for k in REVERSIBLE]
                return (await s.execute(select(transfer.c.id).where(transfer.c.kind.in_(kinds)).order_by(transfer.c.seq))).all()

        rows = self.run(candidates())
        if not rows:
            return
        self.counter += 1
        target, rid = rows[pick % len(rows)].id, f"rev-{self.counter}"
        self.command(lambda uow: propose_reversal(uow, transfer_id=target, reference=rid, reason="booked in error", by=MAKER))

    @invariant()
    def books_verify_and_claims_are_paid_once(self):
        async def look():
            async with self.db.read_session() as s:
                problems = await violations(s)
                banks = (await s.execute(select(bank_position))).all()
                cash = await books.balance_posted(s, CASH)
                queue = queue_order(await waiting_queue(s))
                paid_rows = (await s.execute(select(compensation.c.claim_id).where(compensation.c.status == "paid"))).all()
            return problems, banks, cash, queue, paid_rows

        problems, banks, cash, queue, paid_rows = self.run(look())
        assert problems == []
        assert all(b.committed_fen <= CAP_FEN for b in banks)
        assert len(self.paid_claims) == len(set(self.paid_claims)) == len(paid_rows)
        assert self.paid_after_disqualification == []
        assert not queue or queue[0].amount_fen > cash


TestLedgerProperties = LedgerMachine.TestCase
TestLedgerProperties.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
