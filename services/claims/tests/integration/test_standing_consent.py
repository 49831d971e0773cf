"""A bank reads an enterprise's standing only with the enterprise's authorisation, and every read is logged."""

from datetime import UTC, date, datetime

from xinyidai_shared.events import CreditAuthorisationGranted, CreditAuthorisationRevoked
from xinyidai_shared.testing import auth

from .helpers import LG, bank_headers, deliver, seed_good_standing, uscc

OFFICE = auth("credit_office", "fgj-credit")


def granted(code: str, ref: str, bank: str, *, until: date = date(2027, 8, 31)) -> CreditAuthorisationGranted:
    return CreditAuthorisationGranted(uscc=code, ref=ref, bank_id=bank, purpose="loan application", valid_until=until,
                                      granted_at=datetime(2027, 6, 30, tzinfo=UTC))


async def test_a_bank_reads_the_standing_only_under_the_enterprises_authorisation(app, client):
    """Invariant: the grade and dishonesty records need the same consent here as credit-data's report."""
    code = uscc()
    await seed_good_standing(app, code)
    url, ask = f"/v1/enterprises/{code}/standing", {"purpose": "loan application"}
    without = await client.get(url, params=ask, headers=bank_headers("bank-s1"))
    assert (without.status_code, without.json()["code"]) == (403, "AUTHORISATION_REQUIRED")
    await deliver(app, granted(code, "AUTH-S1", "bank-s1"))
    other_bank = await client.get(url, params=ask | {"authorisation_ref": "AUTH-S1"}, headers=bank_headers("bank-s2"))
    assert (other_bank.status_code, other_bank.json()["code"]) == (403, "AUTHORISATION_INVALID")
    no_purpose = await client.get(url, params={"authorisation_ref": "AUTH-S1"}, headers=bank_headers("bank-s1"))
    assert (no_purpose.status_code, no_purpose.json()["code"]) == (400, "PURPOSE_REQUIRED")
    allowed = await client.get(url, params=ask | {"authorisation_ref": "AUTH-S1"}, headers=bank_headers("bank-s1"))
    assert allowed.status_code == 200 and (allowed.json()["listed"], allowed.json()["grade"]) == (True, "A")
    other_code = uscc()
    elsewhere = await client.get(f"/v1/enterprises/{other_code}/standing", params=ask | {"authorisation_ref": "AUTH-S1"},
                                 headers=bank_headers("bank-s1"))
    assert elsewhere.status_code == 403  # an authorisation is for one enterprise

    await deliver(app, CreditAuthorisationRevoked(uscc=code, ref="AUTH-S1", bank_id="bank-s1",
                                                  revoked_at=datetime(2027, 7, 1, tzinfo=UTC)))
    revoked = await client.get(url, params=ask | {"authorisation_ref": "AUTH-S1"}, headers=bank_headers("bank-s1"))
    assert (revoked.status_code, revoked.json()["code"]) == (403, "AUTHORISATION_INVALID")
    await deliver(app, granted(code, "AUTH-OLD", "bank-s1", until=date(2027, 6, 30)))  # the clock says 2027-07-01
    expired = await client.get(url, params=ask | {"authorisation_ref": "AUTH-OLD"}, headers=bank_headers("bank-s1"))
    assert expired.status_code == 403
    officer = await client.get(url, params={"purpose": "claim review", "on": "2026-03-02"}, headers=LG)
    assert officer.status_code == 200


async def test_the_enterprise_and_the_credit_office_see_every_read_and_nobody_else_does(app, client):
    code = uscc()
    await seed_good_standing(app, code)
    await deliver(app, granted(code, "AUTH-L1", "bank-l1"))
    url = f"/v1/enterprises/{code}/standing"
    await client.get(url, params={"purpose": "loan application", "authorisation_ref": "AUTH-L1"}, headers=bank_headers("bank-l1"))
    await client.get(url, params={"purpose": "claim review", "on": "2026-03-02"}, headers=LG)
    await client.get(url, params={"purpose": "peek"}, headers=bank_headers("bank-l2"))  # refused: not logged as a read
    own = await client.get("/v1/self/standing-queries", headers=auth("enterprise", code))
    assert [(q["org_id"], q["purpose"], q["authorisation_ref"], q["as_of"]) for q in own.json()] == [
        ("lg-office", "claim review", None, "2026-03-02"), ("bank-l1", "loan application", "AUTH-L1", "2027-07-01")]
    office = await client.get(f"/v1/enterprises/{code}/standing-queries", headers=OFFICE)
    assert office.json() == own.json()
    assert (await client.get("/v1/self/standing-queries", headers=auth("enterprise", uscc()))).json() == []
    assert (await client.get(f"/v1/enterprises/{code}/standing-queries", headers=bank_headers("bank-l1"))).status_code == 403
    assert (await client.get("/v1/self/standing-queries", headers=bank_headers("bank-l1"))).status_code == 403
