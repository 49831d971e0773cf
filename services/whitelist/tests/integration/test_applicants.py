"""No squatting on a USCC: the enterprise that proves who it is is never blocked by someone who has not."""

from __future__ import annotations

from whitelist.testing import DEPT, application_body, new_uscc, upload_all
from xinyidai_shared.testing import auth


def enterprise(uscc: str) -> dict[str, str]:
    """The enterprise's own credential: role enterprise, organisation id its USCC."""
    return auth("enterprise", uscc)


async def test_the_enterprise_itself_supersedes_a_squatters_application_at_any_stage(api) -> None:
    """Invariant: an open application by an unproven applicant never blocks the enterprise's own."""
    uscc = new_uscc()
    squatter = await api.post("/v1/applications", json=application_body(uscc, legal_representative="冒名者"))
    assert squatter.status_code == 201 and squatter.json()["applicant_kind"] == "public"
    squatter_id, token = squatter.json()["id"], squatter.json()["applicant_token"]
    await upload_all(api, squatter_id, headers={"X-Applicant-Token": token})
    assert (await api.post(f"/v1/applications/{squatter_id}/screen", json={}, headers=DEPT)).status_code == 200

    own = await api.post("/v1/applications", json=application_body(uscc), headers=enterprise(uscc))
    assert own.status_code == 201, own.text
    assert (own.json()["applicant_kind"], own.json()["submitted_by"], own.json()["applicant_token"]) == ("enterprise", uscc, None)
    displaced = (await api.get(f"/v1/applications/{squatter_id}", headers={"X-Applicant-Token": token})).json()
    assert displaced["status"] == "superseded"
    assert displaced["transitions"][-1]["step"] == "supersede" and uscc in displaced["transitions"][-1]["reason"]

    again = await api.post("/v1/applications", json=application_body(uscc))
    assert again.status_code == 409 and again.json()["code"] == "APPLICATION_OPEN"
    mine = await api.get(f"/v1/applications/{own.json()['id']}", headers=enterprise(uscc))
    assert mine.status_code == 200 and mine.json()["status"] == "submitted"
    await upload_all(api, own.json()["id"], headers=enterprise(uscc))


async def test_a_department_for_the_enterprise_also_supersedes_and_proven_applications_do_not_displace_each_other(api) -> None:
    uscc = new_uscc()
    squatter = (await api.post("/v1/applications", json=application_body(uscc))).json()
    by_department = await api.post("/v1/applications", json=application_body(uscc), headers=DEPT)
    assert by_department.status_code == 201 and by_department.json()["applicant_kind"] == "department"
    assert (await api.get(f"/v1/applications/{squatter['id']}", headers=DEPT)).json()["status"] == "superseded"
    own = await api.post("/v1/applications", json=application_body(uscc), headers=enterprise(uscc))
    assert own.status_code == 409 and own.json()["application_id"] == by_department.json()["id"]


async def test_an_enterprise_acts_only_under_its_own_uscc(api) -> None:
    uscc, other = new_uscc(), new_uscc()
    refused = await api.post("/v1/applications", json=application_body(uscc), headers=enterprise(other))
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_YOUR_ENTERPRISE"
    created = (await api.post("/v1/applications", json=application_body(uscc), headers=enterprise(uscc))).json()
    peek = await api.get(f"/v1/applications/{created['id']}", headers=enterprise(other))
    assert peek.status_code == 403 and peek.json()["code"] == "NOT_YOUR_ENTERPRISE"
    upload = await api.put(f"/v1/applications/{created['id']}/materials/operations", headers=enterprise(other),
                           files={"file": ("x.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert upload.status_code == 403
