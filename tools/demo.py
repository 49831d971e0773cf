"""`make demo`: the whole Xinyidai story over HTTP against a running stack, step by step.

Providers feed public data → credit-data rates the enterprise → the whitelist recommends it after
screening, credit check, review and public notice → with the enterprise's authorisation a bank reads its
credit report and standing, then lends a pure-credit first loan through the platform → the loan goes bad
and is classified as loss → the bank reports a malicious default, which the credit office reviews before
anything is public → the bank claims → officers review, approve and notice the claim → the fund pays 30% of
the principal → the bank declares its 5% contribution and the finance bureau confirms it → the fund balance
is capital minus compensation plus the contribution.

No one alone moves money or a person's standing: the finance bureau's initial capital is declared by one
officer and confirmed by another, a bank's payment is only a declaration until the finance bureau confirms
it, the leading-group office pre-reviews a claim that the leading group, another organisation, approves, and
a bank's malicious-default report is public only once the credit office has reviewed it.

Time is compressed: the dev stack runs with a public-notice period of 0 working days, and the loan is
reported overdue and lost right after it is issued (a bank may classify a loan worse than the floor).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from xinyidai_shared.auth import Role, issue_token
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.devorgs import dev_tokens
from xinyidai_shared.money import format_fen, parse_yuan
from xinyidai_shared.settings import DEV_AUTH_SECRET
from xinyidai_shared.uscc import make_uscc

DEFAULT_URLS = {
    "credit-data": "http://127.0.0.1:8001",
    "whitelist": "http://127.0.0.1:8002",
    "fund-ledger": "http://127.0.0.1:8003",
    "claims": "http://127.0.0.1:8004",
}
CAPITAL = "10000000.00"
PRINCIPAL = "1000000.00"
INTEREST_INCOME = "200000.00"  # the bank's yearly interest income from these loans; 5% is due to the fund
PDF = b"%PDF-1.4\n% demo material\n"
MATERIALS = ("business_licence", "operations", "tax_proof", "credit_report", "loan_request")


class DemoFailed(RuntimeError):
    """A step of the story did not get the answer it expects."""


@dataclass(frozen=True)
class Call:
    """One HTTP call the story made (kept so tests can check each write left its audit-trail row)."""

    method: str
    service: str
    path: str
    org: str | None
    status: int


@dataclass
class Story:
    urls: dict[str, str]
    tokens: dict[str, str]
    say: Callable[[str], None] = print
    secret: str = DEV_AUTH_SECRET
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    step_no: int = 0
    calls: list[Call] = field(default_factory=list)

    def step(self, text: str) -> None:
        self.step_no += 1
        self.say(f"\n[{self.step_no}] {text}")

    def call(
        self, method: str, service: str, path: str, org: str | None, expect: tuple[int, ...] = (200, 201), quiet: bool = False, **kw
    ) -> dict:  # noqa: ANN003
        headers = dict(kw.pop("headers", {}))
        if org:
            headers["Authorization"] = f"Bearer {self.tokens[org]}"
        response = self.client.request(method, self.urls[service] + path, headers=headers, **kw)
        self.calls.append(Call(method, service, path, org, response.status_code))
        if response.status_code not in expect:
            raise DemoFailed(f"{method} {service}{path} as {org}: {response.status_code} {response.text[:800]}")
        if not quiet:
            self.say(f"    {method} {service}{path} as {org or 'public'} -> {response.status_code}")
        return response.json() if response.headers.get("content-type", "").endswith("json") else {}

    def until(self, what: str, check: Callable[[], object], timeout_s: float = 30.0) -> object:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.1)
        raise DemoFailed(f"timed out waiting for {what}")


def _twelve_months(today: date) -> list[str]:
    first = today.replace(day=1)
    months = []
    for _ in range(12):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first.strftime("%Y-%m"))
    return sorted(months)


def feed_and_rate(story: Story, uscc: str) -> dict:
    """Water and tax records for the last twelve months, then the rating they earn."""
    story.step("The water company and the tax bureau push twelve months of records for the enterprise")
    months = _twelve_months(today_shanghai())
    water = [
        {
            "source_record_id": f"W-{uscc}-{m}", "uscc": uscc, "source": "water", "period": m,
            "account_no": "LY-W-0001", "consumption": "120.5", "unit": "m3", "amount_due": "361.50",
            "amount_paid": "361.50", "due_on": f"{m}-25", "paid_on": f"{m}-20",
        }
        for m in months
    ]  # fmt: skip
    tax = [
        {"source_record_id": f"T-{uscc}-{m}", "uscc": uscc, "source": "tax", "period": m, "tax_paid": "5200.00", "filed_on_time": True}
        for m in months
    ]  # fmt: skip
    story.call("POST", "credit-data", "/v1/feeds/batch", "water-ly", json={"records": water})
    story.call("POST", "credit-data", "/v1/feeds/batch", "tax-ly", json={"records": tax})
    story.step("credit-data rates the enterprise from that data (and publishes CreditRatingChanged)")

    def rated() -> dict | None:
        rating = story.call("GET", "credit-data", f"/v1/enterprises/{uscc}/rating", "fgj-credit", expect=(200, 404), quiet=True)
        return rating if rating.get("grade") in {"AAA", "AA", "A"} else None

    rating = story.until("a lending grade", rated)
    story.say(f"    grade {rating['grade']} (score {rating.get('score')}), reasons {rating.get('reason_codes') or rating.get('reasons')}")
    return rating


def recommend(story: Story, uscc: str) -> dict:
    """Application, materials, screening, credit check, review, public notice, recommendation."""
    story.step("The industry department files the enterprise's application for the recommended list")
    body = {
        "uscc": uscc, "name": "凌源市示范制造有限公司", "legal_representative": "张三", "industry_code": "C1391",
        "employees": 50, "revenue": "5000000.00", "total_assets": "3000000.00",
    }  # fmt: skip
    application = story.call("POST", "whitelist", "/v1/applications", "dept-industry", json=body)
    app_id = application["id"]
    for kind in MATERIALS:
        files = {"file": (f"{kind}.pdf", PDF, "application/pdf")}
        story.call("PUT", "whitelist", f"/v1/applications/{app_id}/materials/{kind}", "dept-industry", files=files)
    story.step("Screening (department), credit check (credit office), review (leading-group office)")
    story.call("POST", "whitelist", f"/v1/applications/{app_id}/screen", "dept-industry", json={})

    def credit_known() -> dict | None:
        view = story.call("GET", "whitelist", f"/v1/applications/{app_id}", "fgj-credit", quiet=True)
        verdict = view.get("credit_verdict") or {}
        return view if verdict.get("passed") else None

    story.until("credit-data's rating to reach the whitelist", credit_known)
    story.call("POST", "whitelist", f"/v1/applications/{app_id}/credit-check", "fgj-credit", json={})
    story.call("POST", "whitelist", f"/v1/applications/{app_id}/review", "lg-office", json={})
    notices = story.call("GET", "whitelist", "/v1/public/notices", None)
    story.say(f"    public notice open: {len(notices.get('items', notices)) if isinstance(notices, dict) else len(notices)} notice(s)")
    story.step("The public notice ends without an upheld objection: the enterprise is recommended")
    result = story.call("POST", "whitelist", f"/v1/applications/{app_id}/conclude", "lg-office", json={})
    if result.get("status") != "recommended":
        raise DemoFailed(f"application ended {result.get('status')}")
    listed = story.call("GET", "whitelist", f"/v1/public/list/{uscc}", None)
    story.say(f"    on the public list since {listed.get('listed_on') or listed.get('since') or 'today'}")
    return result


def authorise(story: Story, uscc: str, bank: str) -> str:
    """The enterprise, signed in as itself, authorises the bank to read its credit facts; the reference."""
    # The enterprise's own credential: an organisation token whose org_id is its USCC.
    story.tokens[uscc] = issue_token(story.secret, org_id=uscc, role=Role.ENTERPRISE, name="凌源市示范制造有限公司")
    valid_until = (today_shanghai() + timedelta(days=30)).isoformat()
    grant = story.call("POST", "credit-data", "/v1/self/authorisations", uscc,
                       json={"bank_id": bank, "purpose": "loan application", "valid_until": valid_until})
    return grant["ref"]


def check_credit(story: Story, uscc: str, bank: str) -> str:
    """With the enterprise's authorisation, the bank reads its credit report before lending (Plan 4.2.5); the reference."""
    story.step("The enterprise authorises the bank; the bank reads the credit report (JSON and Chinese PDF)")
    story.call("PUT", "credit-data", f"/v1/enterprises/{uscc}/identity", "dept-industry",
               json={"name": "凌源市示范制造有限公司", "legal_representative": "张三"})
    ref = authorise(story, uscc, bank)
    query = {"purpose": "loan application", "authorisation_ref": ref}
    report = story.call("GET", "credit-data", f"/v1/enterprises/{uscc}/credit-report", bank, params=query)
    story.say(f"    report: grade {report.get('grade') or report.get('rating', {}).get('grade')}, "
              f"dishonesty records {len(report.get('dishonesty_records', []))}")
    pdf = story.client.get(story.urls["credit-data"] + f"/v1/enterprises/{uscc}/credit-report.pdf", params=query,
                           headers={"Authorization": f"Bearer {story.tokens[bank]}"})
    if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
        raise DemoFailed(f"credit report PDF: {pdf.status_code}")
    story.say(f"    GET credit-data/v1/enterprises/{uscc}/credit-report.pdf as {bank} -> 200 ({len(pdf.content)} bytes)")
    looked = story.call("GET", "credit-data", "/v1/self/credit-queries", uscc)
    story.say(f"    the enterprise sees who looked: {sorted({(q['org_id'], q['format']) for q in looked})}")
    return ref


def lend_and_lose(story: Story, uscc: str, bank: str, authorisation_ref: str | None = None) -> str:
    """Bank joins, publishes a product, reads the standing (with consent), registers a covered loan, reports it lost."""
    authorisation_ref = authorisation_ref or authorise(story, uscc, bank)
    story.step("The leading-group office admits the bank; the bank publishes a loan product")
    docs = {k: f"{bank}-{k}" for k in ("business_licence", "legal_person_certificate", "code_certificate", "articles_of_association", "tax_registration")}
    story.call(
        "POST", "claims", "/v1/banks", "lg-office", expect=(200, 201, 409),
        json={"bank_id": bank, "name": "中国工商银行凌源支行", "admitted_on": "2026-01-01", "agreement_ref": f"XYD-{bank}", "documents": docs},
    )
    story.call(
        "POST", "claims", f"/v1/banks/{bank}/products", bank, expect=(200, 201, 409),
        json={"name": "信易贷·纯信用贷", "description": "纯信用流动资金贷款", "max_amount": "3000000.00", "max_term_months": 24},
    )

    # The same consent as for the credit report: claims hears of the authorisation from credit-data.
    ask = {"purpose": "loan application", "authorisation_ref": authorisation_ref}

    def listed() -> dict | None:
        standing = story.call("GET", "claims", f"/v1/enterprises/{uscc}/standing", bank, expect=(200, 403), quiet=True,
                              params=ask)
        return standing if standing.get("listed") and standing.get("grade") in {"AAA", "AA", "A"} else None

    story.step("Under the enterprise's authorisation the bank checks in claims that the loan would be covered")
    story.until("the recommendation and the authorisation to reach claims", listed)
    readers = story.call("GET", "claims", "/v1/self/standing-queries", uscc)
    story.say(f"    the enterprise sees who read its standing: {sorted({q['org_id'] for q in readers})}")
    story.step("The bank registers a 1,000,000.00 first loan at 3.9% for one year from its core system")
    issued = today_shanghai()
    loan_body = {
        "bank_loan_no": f"ICBC-LY-{uuid.uuid4().hex[:8].upper()}", "uscc": uscc, "principal": PRINCIPAL,
        "annual_rate": "3.9", "issued_on": issued.isoformat(), "matures_on": (issued + timedelta(days=365)).isoformat(),
        "purpose": "流动资金周转", "purpose_category": "working_capital", "loan_type": "pure_credit",
        "through_platform": True, "first_loan": True,
    }  # fmt: skip
    loan = story.call("POST", "claims", "/v1/loans", bank, json=loan_body, headers={"Idempotency-Key": loan_body["bank_loan_no"]})
    failing = [r for r in loan.get("eligibility", []) if not r.get("passed", r.get("ok", True))]
    story.say(f"    loan {loan['loan_id']} covered={loan['covered']}; rules failing: {failing or 'none'}")
    if not loan["covered"]:
        raise DemoFailed("the demo loan should be covered")
    lid = loan["loan_id"]
    story.step("The enterprise stops paying; the bank reports the loan overdue, then classifies it as loss")
    story.call("POST", "claims", f"/v1/loans/{lid}/overdue", bank, json={"days_past_due": 1, "overdue_principal": PRINCIPAL, "as_of": issued.isoformat()})
    story.call("POST", "claims", f"/v1/loans/{lid}/classification", bank, json={"category": "loss", "as_of": issued.isoformat()})
    return lid


def report_malicious_default(story: Story, uscc: str, bank: str, loan_id: str) -> None:
    """The bank's malicious-default report is held for the credit office; the enterprise sees it; the office confirms."""
    story.step("The bank reports a malicious default; credit-data holds it for review and nothing is public yet")
    story.call("POST", "claims", f"/v1/loans/{loan_id}/malicious-default", bank,
               json={"detail": "moved its stock to a related company", "reported_on": today_shanghai().isoformat()})

    def held() -> dict | None:
        found = story.call("GET", "credit-data", "/v1/default-reports", "fgj-credit", quiet=True,
                           params={"uscc": uscc, "status": "pending"})
        return found[0] if found else None

    report = story.until("the report to reach the credit office", held)
    public = story.call("GET", "credit-data", "/v1/public/dishonesty-records", None, quiet=True)
    if uscc in {r["uscc"] for r in public}:
        raise DemoFailed("a bank's report alone must not reach the public dishonesty list")
    story.say(f"    report {report['report_id']} pending ({report['days_past_due']} days past due, {report['category']}); "
              "not on the public list")
    story.step("The enterprise sees the report about itself; the credit office reviews and confirms it")
    mine = story.call("GET", "credit-data", "/v1/self/default-reports", uscc)
    story.say(f"    the enterprise sees {[(r['report_id'], r['status']) for r in mine]} and could dispute it")
    story.call("POST", "credit-data", f"/v1/default-reports/{report['report_id']}/confirm", "fgj-credit",
               json={"reason": "sale contract at a tenth of book value confirmed with the market regulator"})
    public = story.call("GET", "credit-data", "/v1/public/dishonesty-records", None)
    (record,) = [r for r in public if r["uscc"] == uscc]
    story.say(f"    on the public dishonesty list from {record['started_on']} through {record['expires_on']}")


def claim_and_pay(story: Story, loan_id: str, bank: str) -> dict:
    """Claim, batch review, approval, public notice, payment by the fund."""
    story.step("The bank claims compensation with the art.16 materials")
    claim = story.call(
        "POST", "claims", "/v1/claims", bank,
        json={"loan_id": loan_id, "materials": [{"kind": "art11_documents", "ref": "DOC-11"}, {"kind": "loan_proof", "ref": "DOC-LP"}]},
        headers={"Idempotency-Key": f"claim-{loan_id}"},  # a resend after a timeout replays this answer
    )
    cid, batch = claim["claim_id"], claim["batch_id"]
    story.say(f"    expected compensation {claim['expected']['expected']} (30% of principal, within the caps)")
    story.step("The leading-group office closes the review batch and pre-reviews the claim (art.17.2)")
    story.call("POST", "claims", f"/v1/batches/{batch}/close", "lg-office")
    story.call("POST", "claims", f"/v1/claims/{cid}/preliminary-review", "lg-office", json={"decision": "pass"})
    story.step("The leading group itself, a separate organisation, approves; the office puts the batch on notice")
    story.call("POST", "claims", f"/v1/claims/{cid}/approval", "lg", json={"decision": "approve"})
    story.call("POST", "claims", f"/v1/batches/{batch}/notice", "lg-office")
    story.call("POST", "claims", f"/v1/batches/{batch}/notice/close", "lg-office")
    story.step("ClaimApproved reaches the fund; the ledger pays and CompensationPaid marks the claim paid")

    def paid() -> dict | None:
        view = story.call("GET", "claims", f"/v1/claims/{cid}", bank, quiet=True)
        return view if view["state"] in {"paid", "blocked"} else None

    final = story.until("the claim to be paid", paid)
    if final["state"] != "paid":
        raise DemoFailed(f"claim ended {final['state']}: {final}")
    story.say(f"    paid {final['paid_amount']} at {final['paid_at']}")
    return final


def deposit_capital(story: Story) -> None:
    """One finance-bureau officer declares the initial capital, a second one confirms it (once per fund)."""
    story.step("The finance bureau declares the fund's initial capital (Measures art.7); a second officer confirms it")
    body = {"reference": f"capital-demo-{uuid.uuid4().hex[:8]}", "amount": CAPITAL}
    declared = story.call("POST", "fund-ledger", "/v1/deposits/initial-capital", "czj", expect=(200, 201, 409), json=body)
    if declared.get("code") == "INITIAL_CAPITAL_ALREADY_DEPOSITED":
        story.say("    the capital is already in the fund (an earlier run)")
        return
    refused = story.call("POST", "fund-ledger", f"/v1/transfers/{declared['id']}/confirmation", "czj", expect=(403,), json={})
    story.say(f"    the declaring officer may not confirm it: {refused['code']}")
    posted = story.call("POST", "fund-ledger", f"/v1/transfers/{declared['id']}/confirmation", "czj-checker", json={})
    story.say(f"    {posted['status']}: declared by {posted['declared_by']}, confirmed by {posted['decided_by']}")


def contribute(story: Story, bank: str) -> int:
    """The bank's 5% contribution: declared by the bank, made cash by the finance bureau; returns new cash (fen)."""
    story.step("The bank reports its yearly interest income from these loans; 5% falls due to the fund (art.7)")
    year = today_shanghai().year
    report = story.call("POST", "claims", f"/v1/banks/{bank}/interest-income", bank,
                        json={"year": year, "interest_income": INTEREST_INCOME})
    due_id = f"contribution:{report['report_id']}"

    def due_known() -> dict | None:
        dues = story.call("GET", "fund-ledger", "/v1/dues", bank, quiet=True, params={"kind": "contribution"})
        return next((d for d in dues if d["id"] == due_id), None)

    due = story.until("the contribution due to reach the fund", due_known)
    story.say(f"    {due_id}: {due['amount']} due by {due['due_on']}, outstanding {due['outstanding']}")
    if parse_yuan(due["outstanding"]) == 0:
        story.say("    already paid (an earlier run)")
        return 0
    story.step("The bank declares its payment; it is not cash until the finance bureau confirms it")
    body = {"reference": f"{bank}-contribution-{year}", "amount": due["outstanding"]}
    declared = story.call("POST", "fund-ledger", f"/v1/dues/{due_id}/payments", bank, json=body)
    story.say(f"    declared {declared['amount']}: {declared['status']}")
    story.call("POST", "fund-ledger", f"/v1/transfers/{declared['id']}/confirmation", bank, expect=(403,), json={})
    story.step("The finance bureau sees the money on its account and confirms the declaration")
    posted = story.call("POST", "fund-ledger", f"/v1/transfers/{declared['id']}/confirmation", "czj",
                        json={"note": "matched on the fund account statement"})
    story.say(f"    {posted['status']}, confirmed by {posted['decided_by']}")
    return parse_yuan(posted["amount"])


def run_story(
    urls: dict[str, str], tokens: dict[str, str], say: Callable[[str], None] = print, calls: list[Call] | None = None
) -> dict[str, str]:
    """Tell the whole story; returns capital, compensation and the fund's cash balance as yuan strings
    (``calls``, when given, receives every HTTP call the story made)."""
    story = Story(urls, dict(tokens), say, calls=calls if calls is not None else [])
    story.step("Every service answers /readyz")
    for service in urls:
        story.call("GET", service, "/readyz", None)
    deposit_capital(story)
    before = story.call("GET", "fund-ledger", "/v1/fund", "audit-ly")
    uscc = make_uscc("MA" + uuid.uuid4().hex[:7].upper().translate(str.maketrans("IOSVZ", "12345")))
    story.say(f"    enterprise USCC {uscc}")
    feed_and_rate(story, uscc)
    recommend(story, uscc)
    bank = "bank-icbc-ly"
    authorisation_ref = check_credit(story, uscc, bank)
    loan_id = lend_and_lose(story, uscc, bank, authorisation_ref)
    report_malicious_default(story, uscc, bank, loan_id)
    final = claim_and_pay(story, loan_id, bank)
    contribution_fen = contribute(story, bank)
    story.step("The fund's books after the story")
    expected = parse_yuan(before["cash"]) - parse_yuan(final["paid_amount"]) + contribution_fen

    def settled() -> dict | None:
        fund = story.call("GET", "fund-ledger", "/v1/fund", "audit-ly", quiet=True)
        return fund if parse_yuan(fund["cash"]) == expected else None

    fund = story.until("the fund's cash to show the payment", settled)
    story.say(
        f"\nFund balance: {fund['cash']} CNY = {before['cash']} before this story - {final['paid_amount']} compensation"
        f" + {format_fen(contribution_fen)} contribution"
        f" (initial capital {CAPITAL}; total compensation paid so far {fund['compensation_paid']})"
    )
    return {"cash_before": before["cash"], "compensation": final["paid_amount"], "contribution": format_fen(contribution_fen),
            "cash": fund["cash"], "capital": CAPITAL}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for service, url in DEFAULT_URLS.items():
        parser.add_argument(f"--{service}", default=os.environ.get(f"XYD_{service.upper().replace('-', '_')}_URL", url))
    args = parser.parse_args()
    urls = {service: getattr(args, service.replace("-", "_")) for service in DEFAULT_URLS}
    try:
        result = run_story(urls, dev_tokens())
    except (DemoFailed, httpx.HTTPError) as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        return 1
    expected = parse_yuan(result["cash_before"]) - parse_yuan(result["compensation"]) + parse_yuan(result["contribution"])
    print(f"compensation check: {format_fen(expected)} == {result['cash']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
