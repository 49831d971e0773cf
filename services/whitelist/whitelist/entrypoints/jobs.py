"""Supervised loops: deliver recommendations to the national platform; open due periodic re-reviews; announce
the working-day overrides saved before the calendar was shared."""

from __future__ import annotations

import asyncio
import logging

from xinyidai_shared.clock import utcnow
from xinyidai_shared.runtime import Runtime

from ..adapters.national_platform import PlatformClient
from ..service_layer import calendar, listing
from ..service_layer.platform import push_due

log = logging.getLogger(__name__)


async def platform_pusher(runtime: Runtime) -> None:
    """Push due recommendations every few seconds; does nothing while no platform URL is configured."""
    settings = runtime.settings
    if not settings.national_platform_url:
        log.info("national platform URL not set: recommendations wait in platform_push")
        return
    client = PlatformClient(settings.national_platform_url, token=settings.national_platform_token,
                            timeout_s=settings.platform_push_timeout_s)
    try:
        while True:
            await push_due(runtime.uow, client, max_attempts=settings.platform_push_max_attempts, now=utcnow())
            await asyncio.sleep(settings.platform_push_interval_s)
    finally:
        await client.aclose()


async def rereview_sweeper(runtime: Runtime) -> None:
    """Open periodic re-review tasks that have fallen due, then sleep until the next sweep."""
    settings = runtime.settings
    while True:
        async with runtime.uow() as uow:
            opened = await listing.open_due_reviews(uow, every_months=settings.rereview_months, now=utcnow())
            await uow.commit()
        if opened:
            log.info("periodic re-reviews opened", extra={"opened": opened})
        await asyncio.sleep(settings.rereview_sweep_interval_s)


async def calendar_announcer(runtime: Runtime) -> None:
    """Once at start: publish the working-day overrides saved before every change was announced."""
    async with runtime.uow() as uow:
        announced = await calendar.announce_pending(uow)
        await uow.commit()
    if announced:
        log.info("working-day overrides announced", extra={"overrides": announced})


JOBS = {"platform-pusher": platform_pusher, "rereview-sweeper": rereview_sweeper, "calendar-announcer": calendar_announcer}
