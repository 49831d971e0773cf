"""Supervised loops of credit-data: the job worker, the daily rules and the one-off announcement of authorisations
given before claims heard of them (run by the runtime)."""

from __future__ import annotations

import asyncio
import logging

from xinyidai_shared.clock import business_date, utcnow
from xinyidai_shared.runtime import Runtime

from ..adapters import ratings_repo
from ..domain.scorecard import MODEL_VERSION
from ..service_layer.dishonesty import expire_records
from ..service_layer.jobs import claim_next, last_daily_run, record_daily_run, requeue_interrupted, run_one, run_rerate_job
from ..service_layer.reports import announce_pending

log = logging.getLogger(__name__)


async def job_worker(runtime: Runtime) -> None:
    """Run queued feed and re-rate jobs one at a time; resume what a stopped process left running."""
    await requeue_interrupted(runtime)
    async with runtime.db.read_session() as session:
        stale = await ratings_repo.stale_model_exists(session, MODEL_VERSION)
    if stale:
        # The scorecard changed since these ratings were made: everyone is re-rated with the new version.
        await run_rerate_job(runtime, None)
    while True:
        row = await claim_next(runtime)
        if row is None:
            await asyncio.sleep(runtime.settings.job_poll_interval_s)  # type: ignore[attr-defined]
            continue
        await run_one(runtime, row)


async def daily_rules(runtime: Runtime) -> None:
    """Once a day: end expired dishonesty records, then re-rate everyone (windows move with the calendar,
    and the risk rules run with the re-rating). The last run is remembered, so restarts do not delay it."""
    interval_s = runtime.settings.daily_interval_s  # type: ignore[attr-defined]
    while True:
        last = await last_daily_run(runtime)
        if last is None:  # a new installation: the first run is a full interval from now
            await record_daily_run(runtime, started_at=utcnow(), rated=0)
            continue
        await asyncio.sleep(max(0.0, interval_s - (utcnow() - last).total_seconds()))
        started_at = utcnow()
        await expire_records(runtime, today=None, now=started_at)
        await record_daily_run(runtime, started_at=started_at, rated=await run_rerate_job(runtime, None))


async def authorisation_announcer(runtime: Runtime) -> None:
    """Once at start: publish the authorisations given before every grant was announced to claims."""
    async with runtime.uow() as uow:
        announced = await announce_pending(uow, today=business_date(utcnow()))
        await uow.commit()
    if announced:
        log.info("authorisations announced", extra={"authorisations": announced})
