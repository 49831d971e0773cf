"""Policy as data: the profile in force on the issue date governs the loan for life; the Plan pays 70% on overdue."""

from xinyidai_shared.testing import app_client

from .helpers import LG, admit, bank_headers, build, loan_body, seed_good_standing, uscc

PROFILES = '[{"effective_on": "2000-01-01", "profile": "measures"}, {"effective_on": "2026-03-03", "profile": "plan"}]'


async def test_plan_profile_loan_claims_on_overdue_at_70_percent_without_caps(sqlite_url, clock):
    import json

    app = build(sqlite_url, clock, policy_profiles=json.loads(PROFILES))
    async with app_client(app) as client:
        await admit(client, "bank-plan")
        headers = bank_headers("bank-plan")
        before, after = uscc(), uscc()
        for code in (before, after):
            await seed_good_standing(app, code)
        old = (await client.post("/v1/loans", headers=headers, json=loan_body(before, "P-0"))).json()
        new = (await client.post("/v1/loans", headers=headers, json=loan_body(
            after, "P-1", principal="2000000.00", issued_on="2026-03-03", matures_on="2027-03-03"))).json()
        assert (old["policy_profile"], new["policy_profile"]) == ("measures", "plan")
        for loan in (old, new):
            await client.post(f"/v1/loans/{loan['loan_id']}/overdue", headers=headers,
                              json={"days_past_due": 10, "overdue_principal": "1000.00", "as_of": "2027-06-01"})
        materials = [{"kind": "art11_documents", "ref": "a"}, {"kind": "loan_proof", "ref": "b"}]
        refused = await client.post("/v1/claims", headers=headers, json={"loan_id": old["loan_id"], "materials": materials})
        assert refused.json()["code"] == "CLAIM_TRIGGER_NOT_MET"  # the Measures still wait for loss
        claim = (await client.post("/v1/claims", headers=headers, json={"loan_id": new["loan_id"], "materials": materials})).json()
        assert claim["expected"]["ratio_bp"] == 7000 and claim["expected"]["expected"] == "1400000.00"
        assert claim["expected"]["per_loan_cap"] is None and claim["expected"]["bank_cap"] is None
        assert (await client.get(f"/v1/claims/{claim['claim_id']}", headers=LG)).json()["policy_profile"] == "plan"
