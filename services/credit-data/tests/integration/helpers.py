"""Helpers of the integration tests: an app on a real database, provider headers, demo records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from xinyidai_shared.auth import Role
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.events import Envelope
from xinyidai_shared.testing import TEST_SECRET, app_client, auth
from xinyidai_shared.uscc import make_uscc

from credit_data.adapters.tables import messaging
from credit_data.app import create_app
from credit_data.config import Settings
from credit_data.demo_feed import demo_batches
from credit_data.domain.periods import first_day, format_period, index_of

WATER = auth(Role.PROVIDER, "water-ly", sources=("water",))
TAX = auth(Role.PROVIDER, "tax-ly", sources=("tax",))
HRSS = auth(Role.PROVIDER, "hrss-ly", sources=("social_insurance",))
OFFICE = auth(Role.CREDIT_OFFICE, "fgj-credit")
DEPT = auth(Role.DEPARTMENT, "dept-industry")
ICBC = auth(Role.BANK, "bank-icbc-ly")
CCB = auth(Role.BANK, "bank-ccb-ly")

_serial = iter(range(10_000, 99_999))


def new_uscc() -> str:
    """A fresh valid USCC for one test."""
    return make_uscc(f"MA{next(_serial):05d}XY")


def settings_for(db_url: str, tmp_path: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url, "auth_secret": TEST_SECRET, "upload_dir": str(tmp_path / "uploads"),
        "job_poll_interval_s": 0.02, "log_json": False, "daily_interval_s": 3600.0,
    }  # fmt: skip
    return Settings(**(values | over))


@asynccontextmanager
async def running(db_url: str, tmp_path: Path, **over: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (migrations, job worker) and an in-process client."""
    app = create_app(settings_for(db_url, tmp_path, **over))
    async with app_client(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


def months_ago(n: int, today: date | None = None) -> int:
    return index_of(today or today_shanghai()) - n


def water(uscc: str, ago: int, **over: Any) -> dict[str, Any]:
    period = months_ago(ago)
    start = first_day(period)
    raw = {
        "source_record_id": f"W-{uscc}-{format_period(period)}", "uscc": uscc, "source": "water",
        "period": format_period(period), "account_no": "LY-W-1", "consumption": "120.5", "unit": "m3",
        "amount_due": "361.50", "amount_paid": "361.50",
        "due_on": start.replace(day=25).isoformat(), "paid_on": start.replace(day=20).isoformat(),
    }  # fmt: skip
    return raw | over


def tax(uscc: str, ago: int, **over: Any) -> dict[str, Any]:
    period = format_period(months_ago(ago))
    raw = {"source_record_id": f"T-{uscc}-{period}", "uscc": uscc, "source": "tax", "period": period,
           "tax_paid": "5200.00", "filed_on_time": True}  # fmt: skip
    return raw | over


async def push_demo(client: httpx.AsyncClient, uscc: str) -> None:
    """The documented demo feed (twelve clean months of water and tax): enough for grade A or better."""
    batches = demo_batches(uscc, today=today_shanghai())
    for headers, source in ((WATER, "water"), (TAX, "tax")):
        response = await client.post("/v1/feeds/batch", json={"records": batches[source]}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["accepted"] == 12


async def outbox_events(client: httpx.AsyncClient, type_: str, key: str | None = None) -> list[Envelope]:
    """Events of one type written to the outbox (optionally for one aggregate key)."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    outbox = messaging.outbox
    query = select(outbox.c.envelope).where(outbox.c.type == type_).order_by(outbox.c.seq)
    if key is not None:
        query = query.where(outbox.c.key == key)
    async with runtime.db.read_session() as session:
        return [Envelope.model_validate_json(e) for e in (await session.execute(query)).scalars()]
