"""The event contract as the services implement it, and the table in docs/EVENTS.md that describes it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tools.stack import SERVICES
from xinyidai_shared import events

DOC = (Path(__file__).resolve().parents[1] / "docs" / "EVENTS.md").read_text()


def _consumed(service: str) -> tuple[tuple[str, ...], set[str]]:
    package = SERVICES[service]
    config = importlib.import_module(f"{package}.config")
    app = importlib.import_module(f"{package}.app").create_app(
        config.Settings(dev_mode=True, database_url="sqlite+aiosqlite:///:memory:")
    )
    spec = app.state.runtime.spec
    return spec.consumes, set(spec.handlers)


def _published(service: str) -> set[str]:
    return {t for (t, _), model in events.REGISTRY.items() if model.producer == service}


def _doc_row(service: str) -> tuple[set[str], set[str]]:
    row = re.search(rf"^\| {re.escape(service)} \| (.*?) \| (.*?) \|$", DOC, re.M)
    assert row, f"docs/EVENTS.md has no row for {service}"
    split = lambda cell: {name.strip(" `") for name in cell.split(",") if name.strip()}  # noqa: E731
    return split(row[1]), split(row[2])


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_consumed_event_comes_from_a_topic_the_service_reads(service: str) -> None:
    consumes, handled = _consumed(service)
    assert handled, f"{service} consumes nothing"
    for event_type in handled:
        model = events.REGISTRY[(event_type, 1)]
        assert model.producer in consumes, f"{service} handles {event_type} but does not read {model.producer}'s topic"


@pytest.mark.parametrize("service", list(SERVICES))
def test_docs_table_matches_what_the_service_publishes_and_consumes(service: str) -> None:
    published, consumed = _doc_row(service)
    assert published == _published(service)
    assert consumed == _consumed(service)[1]


def test_every_published_event_has_a_consumer() -> None:
    consumed = set().union(*(_consumed(s)[1] for s in SERVICES))
    unconsumed = {t for (t, _) in events.REGISTRY if t not in consumed and events.REGISTRY[(t, 1)].producer in SERVICES}
    # These are published for the record and for systems outside the platform (reporting, audit).
    assert unconsumed == {"ClaimSubmitted", "ClaimRejected", "LoanClassifiedAsLoss", "FundDeposited"}
