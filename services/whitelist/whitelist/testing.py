"""Test helpers for whitelist (used by its tests and benchmarks): clock, enterprises, bodies, events."""

from __future__ import annotations

import itertools
import uuid
import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from xinyidai_shared.events import (
    CommitmentLetterPublished,
    CommitmentLetterVoided,
    CreditRatingChanged,
)
from xinyidai_shared.testing import auth
from xinyidai_shared.testing import deliver as deliver  # re-exported for whitelist tests
from xinyidai_shared.uscc import make_uscc


PDF = b"%PDF-1.4\n% test material\n"
REQUIRED = ("business_licence", "operations", "tax_proof", "credit_report", "loan_request")
DEPT, CREDIT, LG = auth("department", "dept-industry"), auth("credit_office", "fgj-credit"), auth("leading_group_office", "lg-office")
_bodies = itertools.count(1)


class Clock:
    """A clock tests move by hand; starts on a Shanghai working morning."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def new_uscc(division: str = "211382") -> str:
    """A fresh valid USCC for each call, so tests never share enterprises."""
    body = f"MA{uuid.uuid4().int % 10**7:07d}"
    return make_uscc(body, division=division)


def application_body(uscc: str | None = None, **changes: Any) -> dict[str, Any]:
    body = {
        "uscc": uscc or new_uscc(), "name": f"凌源市示范制造有限公司{next(_bodies)}", "legal_representative": "张三",
        "industry_code": "C1391", "employees": 50, "revenue": "5000000.00", "total_assets": "3000000.00",
    }
    body.update(changes)
    return body


def rating(uscc: str, grade: str = "A", *, has_report: bool = True, at: datetime | None = None) -> CreditRatingChanged:
    return CreditRatingChanged(uscc=uscc, grade=grade, model_version="test-1", has_report=has_report,
                               valid_from=at or datetime.now(UTC))


def letter_published(uscc: str, letter_id: str, *, on: date = date(2026, 11, 2),
                     legal_representative: str = "张三") -> CommitmentLetterPublished:
    """credit-data publishing a commitment letter; the document hash follows from the letter id."""
    return CommitmentLetterPublished(uscc=uscc, letter_id=letter_id, name="凌源市示范制造有限公司",
                                     legal_representative=legal_representative,
                                     document_sha256=hashlib.sha256(letter_id.encode()).hexdigest(),
                                     published_on=on)


def letter_voided(uscc: str, letter_id: str, reason_code: str = "LEGAL_REPRESENTATIVE_CHANGED", *,
                  on: date = date(2026, 11, 9)) -> CommitmentLetterVoided:
    return CommitmentLetterVoided(uscc=uscc, letter_id=letter_id, reason_code=reason_code,  # type: ignore[arg-type]
                                  voided_on=on)


async def upload_all(client: httpx.AsyncClient, application_id: str, headers: dict[str, str] | None = None) -> None:
    for kind in REQUIRED:
        response = await client.put(f"/v1/applications/{application_id}/materials/{kind}", headers=headers or DEPT,
                                    files={"file": (f"{kind}.pdf", PDF, "application/pdf")})
        assert response.status_code == 200, response.text
