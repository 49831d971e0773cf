"""Banks, institution documents, products, interest income and clawbacks; nothing here commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims.domain.bank import Bank, ClawbackProposal, Product

from .tables import bank as B
from .tables import bank_document as BD
from .tables import clawback as CB
from .tables import clawback_proposal as CP
from .tables import interest_income as II
from .tables import product as P


async def get(session: AsyncSession, bank_id: str, *, for_update: bool = False) -> Bank | None:
    """A bank with its documents on file."""
    query = select(B).where(B.c.bank_id == bank_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        return None
    docs = (await session.execute(select(BD.c.kind, BD.c.ref).where(BD.c.bank_id == bank_id))).all()
    return Bank(row.bank_id, row.name, row.admitted_on, row.agreement_ref, {d.kind: d.ref for d in docs},
                row.clawed_back_at, row.clawback_reason)


async def exists(session: AsyncSession, bank_id: str) -> bool:
    return (await session.execute(select(B.c.bank_id).where(B.c.bank_id == bank_id))).first() is not None


async def add(session: AsyncSession, bank: Bank, at: datetime) -> None:
    """Insert an admitted bank and its documents."""
    await session.execute(insert(B).values(bank_id=bank.bank_id, name=bank.name, admitted_on=bank.admitted_on,
                                           agreement_ref=bank.agreement_ref, created_at=at))
    await save_documents(session, bank, at)


async def save_documents(session: AsyncSession, bank: Bank, at: datetime) -> None:
    """Replace the bank's documents on file by kind."""
    await session.execute(BD.delete().where(BD.c.bank_id == bank.bank_id))
    if bank.documents:
        await session.execute(insert(BD), [{"bank_id": bank.bank_id, "kind": k, "ref": v, "filed_at": at}
                                           for k, v in sorted(bank.documents.items())])


async def save_clawback(session: AsyncSession, bank: Bank, clawback_id: str, ordered_by: str) -> None:
    """Record an art.19 clawback and the bank's loss of eligibility."""
    await session.execute(update(B).where(B.c.bank_id == bank.bank_id).values(
        clawed_back_at=bank.clawed_back_at, clawback_reason=bank.clawback_reason))
    await session.execute(insert(CB).values(clawback_id=clawback_id, bank_id=bank.bank_id, reason=bank.clawback_reason,
                                            ordered_by=ordered_by, ordered_at=bank.clawed_back_at))


async def open_clawback_proposal(session: AsyncSession, bank_id: str) -> ClawbackProposal | None:
    """The bank's clawback proposal awaiting a second officer, if any."""
    row = (await session.execute(select(CP).where(CP.c.bank_id == bank_id, CP.c.status == "proposed"))).first()
    return ClawbackProposal(**row._mapping) if row else None


async def clawback_proposals(session: AsyncSession, bank_id: str) -> list[ClawbackProposal]:
    """Every clawback proposal on a bank, oldest first."""
    rows = (await session.execute(select(CP).where(CP.c.bank_id == bank_id).order_by(CP.c.proposed_at))).all()
    return [ClawbackProposal(**row._mapping) for row in rows]


async def add_clawback_proposal(session: AsyncSession, proposal: ClawbackProposal) -> None:
    await session.execute(insert(CP).values(**proposal.__dict__))


async def save_clawback_proposal(session: AsyncSession, proposal: ClawbackProposal) -> None:
    await session.execute(update(CP).where(CP.c.proposal_id == proposal.proposal_id).values(
        status=proposal.status, decided_by=proposal.decided_by, decided_at=proposal.decided_at,
        decision_note=proposal.decision_note))


async def all_ids(session: AsyncSession) -> list[str]:
    return [r.bank_id for r in (await session.execute(select(B.c.bank_id).order_by(B.c.bank_id))).all()]


async def list_rows(session: AsyncSession) -> list[dict[str, Any]]:
    """Every admitted bank (public list)."""
    return [dict(r._mapping) for r in (await session.execute(select(B).order_by(B.c.bank_id))).all()]


async def add_product(session: AsyncSession, product: Product) -> None:
    await session.execute(insert(P).values(**product.__dict__))


async def product_by_name(session: AsyncSession, bank_id: str, name: str) -> Product | None:
    row = (await session.execute(select(P).where(P.c.bank_id == bank_id, P.c.name == name))).first()
    return Product(**row._mapping) if row else None


async def get_product(session: AsyncSession, product_id: str) -> Product | None:
    row = (await session.execute(select(P).where(P.c.product_id == product_id))).first()
    return Product(**row._mapping) if row else None


async def products_by_id(session: AsyncSession, product_ids: set[str]) -> dict[str, Product]:
    """Products by id (those that exist), in one query."""
    if not product_ids:
        return {}
    rows = (await session.execute(select(P).where(P.c.product_id.in_(sorted(product_ids))))).all()
    return {row.product_id: Product(**row._mapping) for row in rows}


async def products(session: AsyncSession, bank_id: str | None = None) -> list[Product]:
    """Published products, by bank then name."""
    query = select(P).order_by(P.c.bank_id, P.c.name)
    if bank_id is not None:
        query = query.where(P.c.bank_id == bank_id)
    return [Product(**r._mapping) for r in (await session.execute(query)).all()]


async def interest_report(session: AsyncSession, bank_id: str, year: int) -> dict[str, Any] | None:
    row = (await session.execute(select(II).where(II.c.bank_id == bank_id, II.c.year == year))).first()
    return dict(row._mapping) if row else None


async def add_interest_report(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(II).values(**values))
