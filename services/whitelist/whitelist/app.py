"""Composition root: the service spec (tables, migrations, handlers, jobs) and ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from xinyidai_shared.clock import utcnow
from xinyidai_shared.body_limits import RouteLimit
from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.web import build_app

from .adapters.tables import messaging, metadata
from .config import Settings
from .entrypoints import api_applications, api_exports, api_list, api_notices
from .entrypoints.jobs import JOBS
from .service_layer.credit_events import make_group_handlers, make_handlers

spec = ServiceSpec(
    name="whitelist",
    metadata=metadata,
    tables=messaging,
    migrations=Path(__file__).parent / "migrations",
    handlers=make_handlers(),
    group_handlers=make_group_handlers(),
    consumes=("credit-data",),
    jobs=dict(JOBS),
)

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers, file name around one material


def body_limits(settings: Settings) -> list[RouteLimit]:
    """Material uploads may be larger than a JSON body; everything else keeps the shared 1 MB."""
    return [RouteLimit("PUT", "/v1/applications/{id}/materials/{kind}",
                       settings.material_max_bytes + MULTIPART_OVERHEAD_BYTES, "MATERIAL_TOO_LARGE")]


DESCRIPTION = (
    "The recommended-enterprise list (推荐名单, Measures art.6, 8-10): applications, screening, credit check, "
    "review, public notice with objections, recommendation to banks and the national platform, and the "
    "living list (suspension on a rating drop or dishonesty record, periodic re-review, history)."
)


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utcnow) -> FastAPI:
    """Build the whitelist app; ``clock`` gives the current instant (tests move it)."""
    settings = settings or Settings()
    own_spec = replace(spec, handlers=make_handlers(clock), group_handlers=make_group_handlers(clock))
    app = build_app(
        own_spec, settings, title="Xinyidai whitelist", description=DESCRIPTION,
        routers=[api_applications.router, api_notices.router, api_list.router, api_exports.router], prefix="/v1",
        body_limits=body_limits(settings),
    )
    app.state.clock = clock
    return app
