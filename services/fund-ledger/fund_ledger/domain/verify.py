"""Invariants of the books, recomputed from the journal alone (art.18 audit; ``python -m fund_ledger verify``).

Each check returns human-readable violations; an empty list means the books are sound.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .accounts import CASH, Transfer, TransferKind, TransferStatus, normal_balance


@dataclass(frozen=True)
class StoredAccount:
    """An account's running totals as the database keeps them (to compare with the journal)."""

    code: str
    debits_posted_fen: int
    credits_posted_fen: int


@dataclass(frozen=True)
class StoredDue:
    """An amount due to the fund as stored (its receivable account must hold exactly what is outstanding)."""

    id: str
    kind: str
    party: str
    amount_fen: int
    settled_fen: int


@dataclass(frozen=True)
class StoredBank:
    """A bank's cap row as the database keeps it."""

    bank_id: str
    cap_fen: int | None
    committed_fen: int
    paid_fen: int


@dataclass(frozen=True)
class StoredCompensation:
    """One compensation record (one per approved claim)."""

    claim_id: str
    bank_id: str
    amount_fen: int
    status: str  # waiting | paid | voided | blocked
    transfer_id: str | None


def recompute_balances(transfers: Iterable[Transfer]) -> dict[str, tuple[int, int]]:
    """Posted (debits, credits) per account, summed from the journal."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for transfer in transfers:
        if transfer.status is TransferStatus.POSTED:
            totals[transfer.debit_account][0] += transfer.amount_fen
            totals[transfer.credit_account][1] += transfer.amount_fen
    return {code: (debits, credits) for code, (debits, credits) in totals.items()}


def check_journal(transfers: list[Transfer]) -> list[str]:
    """No duplicate ids, positive amounts, and no account below zero at any instant in posting order."""
    problems = [f"duplicate transfer id {tid}" for tid, n in Counter(t.id for t in transfers).items() if n > 1]
    problems += [f"transfer {t.id} has non-positive amount" for t in transfers if t.amount_fen <= 0]
    posted = sorted(
        (t for t in transfers if t.status is TransferStatus.POSTED),
        key=lambda t: (t.posted_at, t.id),
    )
    running: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    reported: set[str] = set()
    for transfer in posted:
        running[transfer.debit_account][0] += transfer.amount_fen
        running[transfer.credit_account][1] += transfer.amount_fen
        for code in (transfer.debit_account, transfer.credit_account):
            debits, credits = running[code]
            if normal_balance(code, debits, credits) < 0 and code not in reported:
                reported.add(code)
                what = "cash went negative" if code == CASH else f"account {code} went negative"
                problems.append(f"{what} after transfer {transfer.id}")
    return problems


def check_stored_balances(transfers: list[Transfer], accounts: Iterable[StoredAccount]) -> list[str]:
    """Every stored running total equals the journal's sum (and no journal account is missing); the stored
    totals also balance among themselves (total debits = total credits: the trial balance)."""
    expected = recompute_balances(transfers)
    accounts = list(accounts)
    problems = []
    debits, credits = sum(a.debits_posted_fen for a in accounts), sum(a.credits_posted_fen for a in accounts)
    if debits != credits:
        problems.append(f"trial balance is off: debits {debits} != credits {credits}")
    seen = set()
    for account in accounts:
        seen.add(account.code)
        want = expected.get(account.code, (0, 0))
        have = (account.debits_posted_fen, account.credits_posted_fen)
        if have != want:
            problems.append(f"account {account.code} stores {have} but the journal sums to {want}")
    problems += [f"account {code} is in the journal but has no row" for code in expected if code not in seen]
    return problems


def check_caps(
    transfers: list[Transfer], banks: Iterable[StoredBank], compensations: Iterable[StoredCompensation]
) -> list[str]:
    """Caps held: each bank's committed and paid totals match its compensations and stay within its cap."""
    comps = list(compensations)
    by_id = {t.id: t for t in transfers}
    problems = []
    for bank in banks:
        mine = [c for c in comps if c.bank_id == bank.bank_id]
        committed = sum(c.amount_fen for c in mine if c.status in ("waiting", "paid"))
        paid = sum(c.amount_fen for c in mine if c.status == "paid")
        if bank.cap_fen is not None and bank.committed_fen > bank.cap_fen:
            problems.append(f"bank {bank.bank_id} committed {bank.committed_fen} above its cap {bank.cap_fen}")
        if committed != bank.committed_fen or paid != bank.paid_fen:
            problems.append(
                f"bank {bank.bank_id} stores committed/paid {bank.committed_fen}/{bank.paid_fen}, "
                f"its compensations sum to {committed}/{paid}"
            )
    for comp in comps:
        transfer = by_id.get(comp.transfer_id or "")
        if comp.status == "paid":
            if transfer is None or transfer.status is not TransferStatus.POSTED:
                problems.append(f"compensation {comp.claim_id} is paid without a posted transfer")
            elif transfer.amount_fen != comp.amount_fen or transfer.kind is not TransferKind.COMPENSATION:
                problems.append(f"compensation {comp.claim_id} differs from its transfer {transfer.id}")
    return problems


def check_dues(transfers: list[Transfer], dues: Iterable[StoredDue]) -> list[str]:
    """Each receivable account holds exactly the outstanding part of its dues, and no due is overpaid."""
    balances = balances_by_code(transfers)
    outstanding: dict[str, int] = defaultdict(int)
    problems = []
    for due in dues:
        if not 0 <= due.settled_fen <= due.amount_fen:
            problems.append(f"due {due.id} settled {due.settled_fen} of {due.amount_fen}")
        outstanding[f"due:{due.kind}:{due.party}"] += due.amount_fen - due.settled_fen
    for code in sorted(set(outstanding) | {c for c in balances if c.startswith("due:")}):
        if balances.get(code, 0) != outstanding.get(code, 0):
            problems.append(f"receivable {code} holds {balances.get(code, 0)} but its dues leave {outstanding.get(code, 0)} outstanding")
    return problems


def check_reversals(transfers: list[Transfer]) -> list[str]:
    """A transfer is undone at most once: never two posted reversals of one original."""
    posted = Counter(t.reverses for t in transfers if t.reverses and t.status is TransferStatus.POSTED)
    return [f"transfer {original} is reversed {n} times" for original, n in sorted(posted.items()) if n > 1]


def check_parked(parked: Iterable[tuple[str, str, str]]) -> list[str]:
    """Every consumed event is booked: one parked in dead letters and never handled since is a violation.

    ``parked`` holds (event id, event type, reason) of dead letters whose event id is not in the inbox.
    """
    return [f"event {kind} {event_id} is parked in dead letters, its money is not booked: {reason}"
            for event_id, kind, reason in parked]


def check_all(
    transfers: list[Transfer],
    accounts: Iterable[StoredAccount],
    banks: Iterable[StoredBank],
    compensations: Iterable[StoredCompensation],
    dues: Iterable[StoredDue] = (),
    parked: Iterable[tuple[str, str, str]] = (),
) -> list[str]:
    """All invariants at once."""
    return (
        check_journal(transfers)
        + check_stored_balances(transfers, accounts)
        + check_caps(transfers, banks, compensations)
        + check_dues(transfers, dues)
        + check_reversals(transfers)
        + check_parked(parked)
    )


def balances_by_code(transfers: Iterable[Transfer]) -> Mapping[str, int]:
    """Normal-side balance per account from the journal."""
    return {code: normal_balance(code, d, c) for code, (d, c) in recompute_balances(transfers).items()}
