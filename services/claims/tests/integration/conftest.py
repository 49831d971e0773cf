from datetime import UTC, datetime

import pytest
from xinyidai_shared.testing import app_client

from .helpers import Clock, build


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2027, 7, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
async def app(sqlite_url, clock):  # noqa: ANN001, ANN201
    application = build(sqlite_url, clock)
    async with app_client(application) as client:
        application.state.client = client
        yield application


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.state.client
