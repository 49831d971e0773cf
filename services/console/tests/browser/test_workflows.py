"""The people's workflows in a real browser against the real stack: listing, objection, claim to payment."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from tools.demo import MATERIALS, PDF, Story, feed_and_rate, lend_and_lose
from tools.stack import Stack
from xinyidai_shared.devorgs import dev_tokens
from xinyidai_shared.uscc import make_uscc

TOKENS = dev_tokens()


def new_uscc() -> str:
    return make_uscc("MA" + uuid.uuid4().hex[:7].upper().translate(str.maketrans("IOSVZ", "12345")))


def story(stack: Stack) -> Story:
    return Story({k: v for k, v in stack.urls.items() if k != "console"}, dict(TOKENS), say=lambda _: None)


def wait_for_credit_verdict(s: Story, application_id: str) -> None:
    """The rating reaches the whitelist by event; the credit office's page shows it pre-filled."""
    s.until("the credit verdict", lambda: s.call("GET", "whitelist", f"/v1/applications/{application_id}", "fgj-credit",
                                                 quiet=True).get("credit_verdict", {}).get("passed"))


def step(page: Page, button: str, expect_state: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator("h1 .state")).to_have_text(expect_state)


def test_an_enterprise_applies_officers_screen_check_review_and_the_public_list_shows_it(stack: Stack, people) -> None:
    s = story(stack)
    uscc, name = new_uscc(), f"凌源市浏览器测试制造有限公司{uuid.uuid4().hex[:4]}"
    feed_and_rate(s, uscc)

    firm = people.enterprise(uscc, name, "王经理")
    firm.get_by_role("link", name="申请入库").first.click()
    firm.fill("#f-name", name)
    firm.fill("#f-legal_representative", "王明")
    firm.fill("#f-industry_code", "C1391")
    firm.fill("#f-employees", "abc")
    firm.fill("#f-revenue", "5000000.00")
    firm.fill("#f-total_assets", "3000000.00")
    firm.get_by_role("button", name="提交申请").click()
    # A bad number comes back as the service's problem+json reason, next to its field, not as an error page.
    expect(firm.locator(".field.has-error #f-employees")).to_be_visible()
    expect(firm.locator("#e-f-employees")).not_to_be_empty()
    people.shot(firm, "apply-refused-next-to-field")
    firm.fill("#f-employees", "50")
    firm.get_by_role("button", name="提交申请").click()
    expect(firm.locator("section.card h2 .state")).to_have_text("已提交")
    for kind in MATERIALS:
        firm.select_option("select[name=kind]", kind)
        firm.set_input_files("input[type=file]", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        firm.get_by_role("button", name="上传").click()
    expect(firm.locator("section.card .alert")).to_have_count(0)
    people.shot(firm, "applied-with-materials")
    application_id = firm.locator("section.card").first.get_attribute("id").removeprefix("app-")

    dept = people.officer("dept-industry", "赵科长")
    expect(dept.locator("nav .badge").first).to_be_visible()
    dept.goto("/applications?status=submitted")
    dept.get_by_role("link", name=name).click()
    people.shot(dept, "department-sees-materials")
    step(dept, "初审通过", "已初审")

    wait_for_credit_verdict(s, application_id)
    credit = people.officer("fgj-credit", "钱主任")
    credit.goto("/work")
    expect(credit.get_by_role("link", name="待信用核查的申请")).to_be_visible()
    credit.goto(f"/applications/{application_id}")
    expect(credit.get_by_text("通过", exact=True).first).to_be_visible()
    people.shot(credit, "credit-office-verdict")
    step(credit, "信用核查通过", "已信用核查")
    # The credit office registers who signs for the enterprise and publishes its signed commitment letter.
    credit.goto(f"/enterprises/{uscc}")
    credit.fill("#f-name", name)
    credit.fill("#f-legal_representative", "王明")
    credit.get_by_role("button", name="保存").click()
    credit.set_input_files("#letter-file", files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    credit.get_by_role("button", name="上传并公开").click()
    expect(credit.locator("#e-letter-file")).to_be_visible()  # a truncated PDF is refused next to the field
    letter = PDF + b"1 0 obj << >> endobj\n%%EOF\n"
    credit.set_input_files("#letter-file", files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": letter}])
    credit.get_by_role("button", name="上传并公开").click()
    expect(credit.get_by_text("有效", exact=True).first).to_be_visible()
    people.shot(credit, "commitment-letter-published")

    office = people.officer("lg-office", "孙处长")
    office.goto(f"/applications/{application_id}")
    step(office, "审核通过并公示", "公示中")

    public = people.page(phone=True)
    public.goto("/public/notices")
    expect(public.locator("#apps + div table")).to_contain_text(name)
    people.shot(public, "public-notice-on-a-phone")

    office.get_by_role("button", name="公示期满，办结入库").click()
    expect(office.locator("h1 .state")).to_have_text("已入库推荐")
    public.goto("/public/list")
    public.fill("#q", name[-8:])
    expect(public.locator("#results").get_by_role("link", name=name)).to_be_visible()
    expect(public.locator("#results")).to_contain_text("找到 1")
    people.shot(public, "public-list-search")
    firm.goto("/me")
    expect(firm.get_by_text("在库")).to_be_visible()
    people.shot(firm, "enterprise-sees-itself-listed")


def _application_in_notice(s: Story, uscc: str, name: str) -> str:
    body = {"uscc": uscc, "name": name, "legal_representative": "李华", "industry_code": "C1391", "employees": 30,
            "revenue": "3000000.00", "total_assets": "2000000.00"}
    app_id = s.call("POST", "whitelist", "/v1/applications", "dept-industry", json=body)["id"]
    for kind in MATERIALS:
        s.call("PUT", "whitelist", f"/v1/applications/{app_id}/materials/{kind}", "dept-industry",
               files={"file": (f"{kind}.pdf", PDF, "application/pdf")})
    s.call("POST", "whitelist", f"/v1/applications/{app_id}/screen", "dept-industry", json={})
    wait_for_credit_verdict(s, app_id)
    s.call("POST", "whitelist", f"/v1/applications/{app_id}/credit-check", "fgj-credit", json={})
    s.call("POST", "whitelist", f"/v1/applications/{app_id}/review", "lg-office", json={})
    return app_id


def test_an_objection_filed_on_the_public_page_blocks_the_notice_until_the_office_resolves_it(stack: Stack, people) -> None:
    s = story(stack)
    uscc, name = new_uscc(), f"凌源市异议测试商贸有限公司{uuid.uuid4().hex[:4]}"
    feed_and_rate(s, uscc)
    app_id = _application_in_notice(s, uscc, name)

    public = people.page(phone=True)
    public.goto("/public/notices")
    public.locator("tr", has_text=name).get_by_role("link", name="提出异议").click()
    public.fill("#f-text", "   ")
    public.get_by_role("button", name="提交异议").click()
    expect(public.locator("#e-f-text")).to_be_visible()  # the service's reason, next to the field
    people.shot(public, "objection-refused-next-to-field")
    public.fill("#f-text", "该企业2026年曾拖欠供应商货款，请核实。")
    public.fill("#f-contact", "13800000000")
    public.get_by_role("button", name="提交异议").click()
    number = public.locator("#ack-number").inner_text().strip()
    assert number, "the objector gets an acknowledgement number"
    people.shot(public, "objection-acknowledged")

    office = people.officer("lg-office", "周科员")
    office.goto(f"/applications/{app_id}")
    office.get_by_role("button", name="公示期满，办结入库").click()
    expect(office.locator(".alert")).to_contain_text("OBJECTIONS_PENDING")
    expect(office.locator("h1 .state")).to_have_text("公示中")
    people.shot(office, "conclude-blocked-by-objection")
    row = office.locator("#objections tr", has_text=number)
    row.locator("textarea").fill("经核实，货款已于当月结清，异议不成立。")
    row.get_by_role("button", name="异议不成立").click()
    expect(office.locator("#objections tr", has_text=number)).to_contain_text("不成立")
    office.get_by_role("button", name="公示期满，办结入库").click()
    expect(office.locator("h1 .state")).to_have_text("已入库推荐")
    people.shot(office, "concluded-after-resolution")


def test_a_claim_goes_from_the_bank_through_the_officers_pages_to_payment(stack: Stack, people) -> None:
    s = story(stack)
    uscc = new_uscc()
    feed_and_rate(s, uscc)
    app_id = _application_in_notice(s, uscc, "凌源市代偿测试食品有限公司")
    s.call("POST", "whitelist", f"/v1/applications/{app_id}/conclude", "lg-office", json={})

    finance = people.officer("czj", "吴会计")
    finance.goto("/fund/deposits")
    finance.fill("#f-amount", "10000000.00")
    finance.get_by_role("button", name="申报").first.click()
    declared = finance.locator("#declared tr", has_text="10,000,000.00")
    declared.get_by_role("button", name="确认到账").click()  # the declarer may not confirm their own
    expect(finance.locator("#declared .alert")).to_be_visible()
    people.shot(finance, "declarer-cannot-confirm")
    checker = people.officer("czj", "李复核")
    checker.goto("/work")
    expect(checker.get_by_role("link", name="待确认的到账申报")).to_be_visible()
    checker.goto("/fund/deposits")
    checker.locator("#declared tr", has_text="10,000,000.00").get_by_role("button", name="确认到账").click()
    expect(checker.locator("#declared")).to_contain_text("没有待确认的申报")
    expect(checker.locator("main > table, main table").last).to_contain_text("10,000,000.00")
    people.shot(checker, "capital-confirmed-by-a-second-officer")

    bank = "bank-icbc-ly"
    loan_id = lend_and_lose(s, uscc, bank)
    claim = s.call("POST", "claims", "/v1/claims", bank, json={"loan_id": loan_id, "materials": [
        {"kind": "art11_documents", "ref": "DOC-11"}, {"kind": "loan_proof", "ref": "DOC-LP"}]})
    claim_id, batch_id = claim["claim_id"], claim["batch_id"]

    office = people.officer("lg-office", "郑处长")
    office.goto("/batches")
    office.locator(f"#b-{batch_id}").get_by_role("button", name="截止本批次，开始评审").click()
    expect(office.locator(f"#b-{batch_id} h2 .state")).to_have_text("已截止")
    with office.expect_download() as download:
        office.locator(f"#b-{batch_id}").get_by_role("link", name="导出会议议程（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    office.goto(f"/claims/{claim_id}")
    expect(office.get_by_text("Measures art.11").first).to_be_visible()
    people.shot(office, "claim-with-eligibility-articles")
    office.select_option("#f-decision", "pass")
    office.get_by_role("button", name="提交").click()
    expect(office.locator("h1 .state")).to_have_text("待审批")
    # Art.17: the office pre-reviews, the leading group itself approves (another organisation).
    group = people.officer("lg", "陈组长")
    group.goto("/work")
    expect(group.get_by_role("link", name="待审批的代偿申请")).to_be_visible()
    group.goto(f"/claims/{claim_id}")
    group.select_option("#f-decision", "reject")
    group.get_by_role("button", name="提交").click()
    expect(group.locator(".has-error, .alert").first).to_be_visible()  # a rejection needs a reason code and text
    people.shot(group, "rejection-without-reason-refused")
    group.select_option("#f-decision", "approve")
    group.get_by_role("button", name="提交").click()
    expect(group.locator("h1 .state")).to_have_text("待公示")
    office.goto("/batches")
    office.locator(f"#b-{batch_id}").get_by_role("button", name="公示本批次已批准的代偿").click()
    expect(office.locator(f"#b-{batch_id}")).to_contain_text("公示中")  # published before the public looks
    public = people.page()
    public.goto("/public/notices")
    expect(public.get_by_text(claim_id)).to_be_visible()
    office.goto("/batches")
    office.locator(f"#b-{batch_id}").get_by_role("button", name="公示期满，办结").click()
    expect(office.locator(f"#b-{batch_id} h2 .state")).to_have_text("已办结")

    s.until("the claim to be paid", lambda: s.call("GET", "claims", f"/v1/claims/{claim_id}", bank, quiet=True)["state"] == "paid")
    office.goto(f"/claims/{claim_id}")
    expect(office.locator("h1 .state")).to_have_text("已代偿")
    people.shot(office, "claim-paid")
    finance.goto("/fund")
    expect(finance.locator(".cards")).to_contain_text("300,000.00")
    expect(finance.locator("canvas[data-chart=cash-chart]")).to_be_visible()
    people.shot(finance, "fund-at-a-glance")
    fund = httpx.get(stack.urls["fund-ledger"] + "/v1/fund", headers={"Authorization": f"Bearer {TOKENS['audit-ly']}"}).json()
    assert fund["compensation_paid"] != "0.00"
    auditor = people.officer("audit-ly", "冯审计")
    auditor.goto("/audit")
    expect(auditor.get_by_text("核验通过")).to_be_visible()
    auditor.goto(f"/journal?claim_id={claim_id}")
    expect(auditor.locator("table")).to_contain_text("300,000.00")
    people.shot(auditor, "auditor-journal")
    assert re.search(r"/journal", auditor.url)
