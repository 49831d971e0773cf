"""Test helpers for claims' integration tests: a settable clock, the app, standing seeded by events."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from xinyidai_shared.events import CreditRatingChanged, EnterpriseRecommended
from xinyidai_shared.testing import TEST_SECRET, auth, deliver
from xinyidai_shared.uscc import make_uscc

from claims.app import create_app
from claims.config import Settings
from claims.service_layer.deps import deps_from_settings

LG = auth("leading_group_office", "lg-office")  # the office: batches, preliminary review, notices
GROUP = auth("leading_group", "lg")  # the leading group itself: approval
JRJ = auth("fin_dev_bureau", "jrj")
CZJ = auth("finance_bureau", "czj", subject="wang")  # a finance-bureau officer
CZJ_CHECKER = auth("finance_bureau", "czj", subject="li")  # a second one: maker-checker
ISSUED = date(2026, 3, 2)


class Clock:
    """A clock tests move by hand (business date = Shanghai date of the instant)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)


def build(db_url: str, clock: Clock, **settings):  # noqa: ANN201 - a FastAPI app
    values = {"database_url": db_url, "auth_secret": TEST_SECRET, "notice_working_days": 0, "log_json": False,
              "dev_mode": True}  # dev mode: the 0-day notice compresses time
    values.update(settings)
    config = Settings(**values)
    return create_app(config, deps=deps_from_settings(config, clock=clock))


def uscc() -> str:
    """A fresh valid Lingyuan USCC per call, so tests never share an enterprise."""
    body = uuid.uuid4().hex[:9].upper().translate(str.maketrans("IOSVZ", "12345"))
    return make_uscc(body)


async def seed_good_standing(app, code: str, *, listed_on: date = date(2026, 1, 5), grade: str = "A") -> None:  # noqa: ANN001
    """Listed (small enterprise) and rated with a report from before the usual issue date."""
    await deliver(app, EnterpriseRecommended(uscc=code, name="Test Co", application_id=f"app-{code}",
                                             sme_size="small", recommended_on=listed_on))
    await deliver(app, CreditRatingChanged(uscc=code, grade=grade, model_version="t1", has_report=True,
                                           valid_from=datetime(2026, 1, 1, 2, tzinfo=UTC)))


def bank_headers(bank_id: str) -> dict[str, str]:
    return auth("bank", bank_id)


async def admit(client, bank_id: str, *, with_documents: bool = True) -> None:  # noqa: ANN001
    docs = {k: f"doc-{k}" for k in ("business_licence", "legal_person_certificate", "code_certificate",
                                     "articles_of_association", "tax_registration")} if with_documents else {}
    response = await client.post("/v1/banks", headers=LG, json={
        "bank_id": bank_id, "name": bank_id.upper(), "admitted_on": "2026-01-01", "agreement_ref": f"AG-{bank_id}",
        "documents": docs})
    assert response.status_code in (200, 201), response.text


def loan_body(code: str, no: str, **changes) -> dict:
    body = {
        "bank_loan_no": no, "uscc": code, "principal": "1000000.00", "annual_rate": "3.9",
        "issued_on": ISSUED.isoformat(), "matures_on": "2027-03-02", "purpose": "working capital for orders",
        "purpose_category": "working_capital", "loan_type": "pure_credit", "through_platform": True,
        "first_loan": True,
    }
    body.update(changes)
    return body


__all__ = ["Clock", "build", "deliver", "replace"]
