"""The probe service: publishes `ProbeHappened` on its own topic and consumes it back into a table."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Field, select

from xinyidai_shared.auth import Principal, Role, require
from xinyidai_shared.db import service_base
from xinyidai_shared.events import TOPICS, EventPayload, register
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.settings import ServiceSettings, settings_config
from xinyidai_shared.tables import add_messaging_tables
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import build_app, get_uow

TOPICS.setdefault("probe", "xyd.probe.events")
Base = service_base("Probe")


class Applied(Base, table=True):
    seq: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    n: int


@register
class ProbeHappened(EventPayload):
    type: ClassVar[str] = "ProbeHappened"
    producer: ClassVar[str] = "probe"
    key: str
    n: int
    fail: bool = False

    def aggregate_key(self) -> str:
        return self.key


class Hooks:
    """Test hooks: a gate the handler waits on before returning (to 'die' before commit)."""

    block: tuple[str, int] | None = None
    reached: asyncio.Event | None = None  # set when the handler starts hanging


hooks = Hooks()


async def on_probe(uow: UnitOfWork, event: ProbeHappened, _envelope) -> None:  # noqa: ANN001
    """Record the event; a `fail` event always raises (to exercise retries and dead letters)."""
    uow.session.add(Applied(key=event.key, n=event.n))
    await uow.session.flush()
    if event.fail:
        raise RuntimeError(f"probe {event.n} is told to fail")
    if hooks.block == (event.key, event.n):
        if hooks.reached is not None:
            hooks.reached.set()
        await asyncio.Event().wait()  # hang until cancelled: the process 'dies' before its commit


tables = add_messaging_tables(Base.metadata)
spec = ServiceSpec(
    name="probe",
    metadata=Base.metadata,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers={"ProbeHappened": on_probe},
    consumes=("probe",),
)


class Settings(ServiceSettings):
    model_config = settings_config("PROBE_")


router = APIRouter()


@router.post("/probes/{key}/{n}", status_code=201)
async def create_probe(key: str, n: int, uow: UnitOfWork = Depends(get_uow)) -> dict:
    """Publish one probe event."""
    uow.publish(ProbeHappened(key=key, n=n))
    await uow.commit()
    return {"key": key, "n": n}


class Order(BaseModel):
    ref: str
    amount: int


@router.post("/orders/{book}", status_code=201)
async def place_order(book: str, body: Order, principal: Principal = Depends(require(Role.BANK)),
                      guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Place an order, known by its natural key ``ref`` (and the caller's Idempotency-Key, when sent)."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        uow.publish(ProbeHappened(key=f"order:{book}", n=body.amount))
        return 201, {"book": book, "ref": body.ref, "amount": body.amount, "seq": len(uow.published)}

    return await guard.write(principal, work, natural_key=body.ref, body=body)


@router.post("/notes", status_code=201)
async def add_note(body: Order, principal: Principal = Depends(require(Role.BANK)),
                   guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Add a note; no natural key: only the Idempotency-Key makes a resend safe."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        uow.publish(ProbeHappened(key="note", n=body.amount))
        return 201, {"ref": body.ref}

    return await guard.write(principal, work, body=body)


@router.get("/probes/{key}")
async def list_probes(key: str, uow: UnitOfWork = Depends(get_uow)) -> list[int]:
    """The n's applied for a key, in applied order."""
    rows = await uow.session.execute(select(Applied.n).where(Applied.key == key).order_by(Applied.seq))
    return list(rows.scalars())


def create_app(settings: Settings | None = None):  # noqa: ANN201
    return build_app(spec, settings or Settings(), title="probe", routers=[router])
