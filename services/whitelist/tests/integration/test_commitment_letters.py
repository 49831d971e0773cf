"""Credit commitment letters (信用承诺书, Plan 4.4.2) on the membership: valid, void (flagged, still listed), missing."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from whitelist.adapters.tables import CommitmentLetterRow
from whitelist.testing import CREDIT, LG, deliver, letter_published, letter_voided
from xinyidai_shared.errors import Conflict


def _sha(letter_id: str) -> str:
    return hashlib.sha256(letter_id.encode()).hexdigest()


async def _detail(api: httpx.AsyncClient, uscc: str) -> dict:
    response = await api.get(f"/v1/public/list/{uscc}")
    assert response.status_code == 200, response.text
    return response.json()


async def _listed(api: httpx.AsyncClient, uscc: str) -> dict:
    [member] = [m for m in (await api.get("/v1/public/list")).json() if m["uscc"] == uscc]
    return member


async def _rows(api: httpx.AsyncClient, uscc: str) -> list[dict]:
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.db.read_session() as session:
        query = select(CommitmentLetterRow).where(CommitmentLetterRow.uscc == uscc).order_by(CommitmentLetterRow.seq)
        return [row.model_dump() for row in (await session.execute(query)).scalars().all()]


async def _outbox_types(api: httpx.AsyncClient) -> list[str]:
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    outbox = runtime.spec.tables.outbox
    async with runtime.db.read_session() as session:
        return list((await session.execute(select(outbox.c.type).order_by(outbox.c.seq))).scalars().all())


async def test_member_without_a_letter_shows_missing(api, to_state) -> None:
    member = await to_state("recommended")
    listed = await _listed(api, member["uscc"])
    assert listed["commitment_letter"] == {"status": "missing", "letter_id": None, "published_on": None,
                                           "document_sha256": None, "voided_on": None, "void_reason_code": None}
    assert listed["flags"] == []
    assert (await _detail(api, member["uscc"]))["commitment_letters"] == []


async def test_published_letter_is_valid_on_the_list_the_membership_and_the_application(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    assert await deliver(api.app, letter_published(uscc, "CL-1", on=date(2026, 11, 2))) is True
    expected = {"status": "valid", "letter_id": "CL-1", "published_on": "2026-11-02", "document_sha256": _sha("CL-1"),
                "voided_on": None, "void_reason_code": None}
    listed = await _listed(api, uscc)
    assert listed["commitment_letter"] == expected and listed["flags"] == []
    detail = await _detail(api, uscc)
    assert detail["commitment_letter"] == expected and detail["commitment_letters"] == [expected]
    application = (await api.get(f"/v1/applications/{member['id']}", headers=CREDIT)).json()
    assert application["commitment_letter"] == expected


async def test_void_on_legal_representative_change_flags_the_member_but_keeps_it_listed(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, letter_published(uscc, "CL-1"))
    events_before = await _outbox_types(api)
    await deliver(api.app, letter_voided(uscc, "CL-1", "LEGAL_REPRESENTATIVE_CHANGED", on=date(2026, 11, 9)))
    listed = await _listed(api, uscc)  # still on the public list: Plan 4.4.2 asks for a new letter, not removal
    assert listed["status"] == "listed"
    assert listed["commitment_letter"]["status"] == "void"
    assert listed["commitment_letter"]["void_reason_code"] == "LEGAL_REPRESENTATIVE_CHANGED"
    assert listed["commitment_letter"]["voided_on"] == "2026-11-09"
    assert listed["commitment_letter"]["published_on"] == "2026-11-02"
    assert listed["flags"] == ["COMMITMENT_LETTER_VOID"]
    detail = await _detail(api, uscc)
    assert detail["flags"] == ["COMMITMENT_LETTER_VOID"] and [p["status"] for p in detail["history"]] == ["listed"]
    assert await _outbox_types(api) == events_before  # no EnterpriseDelisted
    assert (await api.get("/v1/reviews", headers=CREDIT)).json() == []
    sheet = load_workbook(io.BytesIO((await api.get("/v1/exports/list.xlsx", headers=LG)).content)).active
    header = [cell.value for cell in sheet[1]]
    row = {name: sheet.cell(2, i + 1).value for i, name in enumerate(header)}
    assert row["status"] == "listed" and row["commitment_letter"] == "void"
    assert row["commitment_letter_void_reason"] == "LEGAL_REPRESENTATIVE_CHANGED"
    assert row["flags"] == "COMMITMENT_LETTER_VOID"
    csv_lines = (await api.get("/v1/exports/list.csv", headers=LG)).content.decode("utf-8-sig").splitlines()
    assert csv_lines[1].endswith(",void,LEGAL_REPRESENTATIVE_CHANGED,COMMITMENT_LETTER_VOID")


async def test_a_new_letter_after_the_void_makes_the_member_valid_again(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, letter_published(uscc, "CL-1", on=date(2026, 11, 2)))
    await deliver(api.app, letter_voided(uscc, "CL-1", on=date(2026, 11, 9)))
    await deliver(api.app, letter_published(uscc, "CL-2", on=date(2026, 11, 9), legal_representative="李四"))
    listed = await _listed(api, uscc)
    assert listed["commitment_letter"]["status"] == "valid" and listed["commitment_letter"]["letter_id"] == "CL-2"
    assert listed["flags"] == []
    detail = await _detail(api, uscc)
    assert [(letter["letter_id"], letter["status"]) for letter in detail["commitment_letters"]] == [
        ("CL-2", "valid"), ("CL-1", "void")]


async def test_old_letter_voided_as_replaced_after_the_new_one_does_not_hide_it(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, letter_published(uscc, "CL-1", on=date(2026, 11, 2)))
    await deliver(api.app, letter_published(uscc, "CL-2", on=date(2026, 11, 5)))
    await deliver(api.app, letter_voided(uscc, "CL-1", "REPLACED", on=date(2026, 11, 6)))
    listed = await _listed(api, uscc)
    assert listed["commitment_letter"]["letter_id"] == "CL-2" and listed["commitment_letter"]["status"] == "valid"
    assert listed["flags"] == []


async def test_duplicate_deliveries_change_nothing(api, to_state, clock) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    published = letter_published(uscc, "CL-1")
    event_id = uuid.uuid4()
    assert await deliver(api.app, published, event_id=event_id) is True
    first = await _rows(api, uscc)
    clock.advance(hours=1)
    assert await deliver(api.app, published, event_id=event_id) is False  # the same event again: inbox
    assert await deliver(api.app, published) is True  # the same letter published again under a new event id
    assert await _rows(api, uscc) == first
    voided = letter_voided(uscc, "CL-1", "NAME_CHANGED", on=date(2026, 11, 9))
    assert await deliver(api.app, voided) is True
    after_void = await _rows(api, uscc)
    clock.advance(hours=1)
    assert await deliver(api.app, voided) is True
    assert await deliver(api.app, letter_voided(uscc, "CL-1", "WITHDRAWN", on=date(2026, 11, 20))) is True
    assert await deliver(api.app, published) is True  # a late re-publication does not make it valid again
    assert await _rows(api, uscc) == after_void
    letter = (await _listed(api, uscc))["commitment_letter"]
    assert letter["status"] == "void" and letter["void_reason_code"] == "NAME_CHANGED"
    assert letter["voided_on"] == "2026-11-09"


async def test_void_arriving_before_its_publication_is_kept(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, letter_voided(uscc, "CL-1", "WITHDRAWN", on=date(2026, 11, 9)))
    letter = (await _listed(api, uscc))["commitment_letter"]
    assert letter == {"status": "void", "letter_id": "CL-1", "published_on": None, "document_sha256": None,
                      "voided_on": "2026-11-09", "void_reason_code": "WITHDRAWN"}
    await deliver(api.app, letter_published(uscc, "CL-1", on=date(2026, 11, 2)))
    listed = await _listed(api, uscc)
    assert listed["commitment_letter"] == {"status": "void", "letter_id": "CL-1", "published_on": "2026-11-02",
                                           "document_sha256": _sha("CL-1"), "voided_on": "2026-11-09",
                                           "void_reason_code": "WITHDRAWN"}
    assert listed["flags"] == ["COMMITMENT_LETTER_VOID"]
    assert len(await _rows(api, uscc)) == 1


async def test_another_document_or_enterprise_under_a_known_letter_id_is_refused(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, letter_published(uscc, "CL-1"))
    before = await _rows(api, uscc)
    changed = letter_published(uscc, "CL-1").model_copy(update={"document_sha256": "0" * 64})
    with pytest.raises(Conflict) as refused:
        await deliver(api.app, changed)
    assert refused.value.code == "COMMITMENT_LETTER_DOCUMENT_CHANGED"
    other = await to_state("recommended")
    with pytest.raises(Conflict) as refused:
        await deliver(api.app, letter_voided(other["uscc"], "CL-1"))
    assert refused.value.code == "COMMITMENT_LETTER_OTHER_ENTERPRISE"
    assert await _rows(api, uscc) == before and await _rows(api, other["uscc"]) == []
    assert (await _listed(api, uscc))["commitment_letter"]["status"] == "valid"
