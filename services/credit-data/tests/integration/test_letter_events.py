"""Commitment-letter events: published on upload, voided when replaced or when the identity changes.

Each change of a letter and its event are written in one transaction, so the outbox is the record checked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.events import Envelope

from credit_data.adapters.tables import messaging
from credit_data.service_layer.letters import change_identity, store_letter

from .helpers import DEPT, OFFICE, new_uscc, running

pytestmark = pytest.mark.asyncio
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_2 = b"%PDF-1.7\n1 0 obj<<>>endobj\n2 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_3 = b"%PDF-2.0\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TYPES = ("CommitmentLetterPublished", "CommitmentLetterVoided")


async def _letter_events(client, uscc: str) -> list[tuple[str, dict]]:
    """Both letter event types of one enterprise, in outbox order (the order the relay sends them)."""
    outbox = messaging.outbox
    query = select(outbox.c.envelope).where(outbox.c.key == uscc, outbox.c.type.in_(TYPES)).order_by(outbox.c.seq)
    async with client.app.state.runtime.db.read_session() as session:
        envelopes = [Envelope.model_validate_json(e) for e in (await session.execute(query)).scalars()]
    return [(e.type, e.payload) for e in envelopes]


def _published(uscc: str, letter: dict, name: str, rep: str) -> tuple[str, dict]:
    return ("CommitmentLetterPublished", {
        "uscc": uscc, "letter_id": letter["id"], "name": name, "legal_representative": rep,
        "document_sha256": letter["sha256"], "published_on": today_shanghai().isoformat(),
    })  # fmt: skip


def _voided(uscc: str, letter: dict, reason_code: str) -> tuple[str, dict]:
    return ("CommitmentLetterVoided", {
        "uscc": uscc, "letter_id": letter["id"], "reason_code": reason_code, "voided_on": today_shanghai().isoformat(),
    })  # fmt: skip


async def test_upload_publishes_the_letter_and_the_same_file_again_publishes_nothing(db_url, tmp_path):
    uscc = new_uscc()
    url = f"/v1/enterprises/{uscc}/commitment-letters"
    async with running(db_url, tmp_path) as client:
        assert (await client.post(url, content=PDF, headers=DEPT)).status_code == 409  # identity unknown
        await client.put(f"/v1/enterprises/{uscc}/identity", json={"name": "甲公司", "legal_representative": "张三"}, headers=DEPT)
        assert (await client.post(url, content=b"GIF89a", headers=DEPT)).status_code == 415
        assert await _letter_events(client, uscc) == []  # refused uploads and identity registration: nothing
        first = await client.post(url, content=PDF, headers=DEPT)
        assert first.status_code == 201
        assert await _letter_events(client, uscc) == [_published(uscc, first.json(), "甲公司", "张三")]
        again = await client.post(url, content=PDF, headers=OFFICE)
        assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
        assert len(await _letter_events(client, uscc)) == 1
        assert [row["status"] for row in (await client.get(url, headers=OFFICE)).json()] == ["valid"]


async def test_a_new_letter_voids_the_previous_one_as_replaced(db_url, tmp_path):
    uscc = new_uscc()
    url = f"/v1/enterprises/{uscc}/commitment-letters"
    async with running(db_url, tmp_path) as client:
        await client.put(f"/v1/enterprises/{uscc}/identity", json={"name": "甲公司", "legal_representative": "张三"}, headers=DEPT)
        first = (await client.post(url, content=PDF, headers=DEPT)).json()
        second = await client.post(url, content=PDF_2, headers=DEPT)
        assert second.status_code == 201
        assert await _letter_events(client, uscc) == [
            _published(uscc, first, "甲公司", "张三"),
            _voided(uscc, first, "REPLACED"),  # the old letter's void leaves before the new one's publication
            _published(uscc, second.json(), "甲公司", "张三"),
        ]
        statuses = {row["id"]: row["status"] for row in (await client.get(url, headers=OFFICE)).json()}
        assert statuses == {first["id"]: "replaced", second.json()["id"]: "valid"}


async def test_identity_changes_void_the_valid_letter_with_the_matching_reason(db_url, tmp_path):
    uscc = new_uscc()
    url = f"/v1/enterprises/{uscc}/commitment-letters"
    identity = f"/v1/enterprises/{uscc}/identity"
    async with running(db_url, tmp_path) as client:
        await client.put(identity, json={"name": "甲公司", "legal_representative": "张三"}, headers=DEPT)
        first = (await client.post(url, content=PDF, headers=DEPT)).json()
        same = await client.put(identity, json={"name": "甲公司", "legal_representative": "张三"}, headers=DEPT)
        assert same.json()["letters_voided"] == 0
        rep = await client.put(identity, json={"name": "甲公司", "legal_representative": "李四"}, headers=DEPT)
        assert rep.json()["letters_voided"] == 1
        no_letter = await client.put(identity, json={"name": "乙公司", "legal_representative": "李四"}, headers=DEPT)
        assert no_letter.json()["letters_voided"] == 0  # nothing valid left to void: no event
        second = (await client.post(url, content=PDF_2, headers=DEPT)).json()
        renamed = await client.put(identity, json={"name": "丙公司", "legal_representative": "李四"}, headers=DEPT)
        assert renamed.json()["letters_voided"] == 1
        third = (await client.post(url, content=PDF_3, headers=DEPT)).json()
        both = await client.put(identity, json={"name": "丁公司", "legal_representative": "王五"}, headers=DEPT)
        assert both.json()["letters_voided"] == 1
        assert await _letter_events(client, uscc) == [
            _published(uscc, first, "甲公司", "张三"),
            _voided(uscc, first, "LEGAL_REPRESENTATIVE_CHANGED"),
            _published(uscc, second, "乙公司", "李四"),
            _voided(uscc, second, "NAME_CHANGED"),
            _published(uscc, third, "丙公司", "李四"),
            _voided(uscc, third, "LEGAL_REPRESENTATIVE_CHANGED"),  # the signatory changed, whatever the name did
        ]
        statuses = [row["status"] for row in (await client.get(url, headers=OFFICE)).json()]
        assert statuses == ["void", "void", "void"]
        assert uscc not in {p["uscc"] for p in (await client.get("/v1/public/commitment-letters")).json()}


async def test_event_dates_are_business_dates_in_shanghai(sqlite_url, tmp_path):
    uscc = new_uscc()
    late_evening_utc = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 01:30 on 1 December in Shanghai
    async with running(sqlite_url, tmp_path) as client:
        runtime = client.app.state.runtime
        async with runtime.uow() as uow:
            await change_identity(uow, uscc=uscc, name="甲公司", legal_representative="张三", now=late_evening_utc)
            letter, created = await store_letter(uow, uscc=uscc, content=PDF, sha256="a" * 64, uploaded_by="dept", now=late_evening_utc)
            await change_identity(uow, uscc=uscc, name="甲公司", legal_representative="李四", now=late_evening_utc)
            await uow.commit()
        assert created
        events = await _letter_events(client, uscc)
        assert [p.get("published_on") or p.get("voided_on") for _, p in events] == ["2026-12-01", "2026-12-01"]
        assert events[1][1]["letter_id"] == letter["id"]
        assert date.fromisoformat(events[0][1]["published_on"]) == date(2026, 12, 1)
