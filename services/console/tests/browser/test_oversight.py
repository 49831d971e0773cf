"""Oversight pages in a real browser against the real stack: the auditor follows writes through the audit trail."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from playwright.sync_api import expect

from xinyidai_shared.clock import today_shanghai


def test_the_auditor_follows_two_officers_declaration_and_confirmation_through_the_audit_trail(people) -> None:
    amount = f"{uuid.uuid4().int % 900_000 + 100_000}.{uuid.uuid4().int % 90 + 10}"
    maker = people.officer("czj", "吴会计")
    maker.goto("/fund/deposits")
    maker.fill("#f-amount", amount)
    maker.get_by_role("button", name="申报").click()
    row = maker.locator("#declared tbody tr", has_text=f"{int(amount.split('.')[0]):,}")
    expect(row).to_have_count(1)
    transfer_id = row.get_attribute("id").removeprefix("t-")
    checker = people.officer("czj", "郑会计")
    checker.goto("/fund/deposits")
    checker.locator(f"#t-{transfer_id}").get_by_role("button", name="确认到账").click()
    expect(checker.locator(f"#t-{transfer_id}")).to_have_count(0)

    auditor = people.officer("audit-ly", "冯审计")
    auditor.get_by_role("navigation", name="主导航").get_by_role("link", name="审计轨迹").click()
    auditor.fill("#f-org_id", "czj")
    auditor.fill("#f-since", today_shanghai().isoformat())
    auditor.get_by_role("button", name="筛选").click()
    expect(auditor.locator("table.trail")).to_contain_text("吴会计")
    people.shot(auditor, "trail-of-the-finance-bureau")
    # One click from a row to every write on the same object, across services.
    auditor.locator("table.trail").get_by_role("link", name=transfer_id).first.click()
    rows = auditor.locator("table.trail tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("吴会计")
    expect(rows.nth(0)).to_contain_text("/v1/deposits/initial-capital")
    expect(rows.nth(0)).to_contain_text(f"{Decimal(amount):,.2f}")  # the trail's fen read as yuan
    expect(rows.nth(1)).to_contain_text("郑会计")
    expect(rows.nth(1)).to_contain_text("pending → posted")
    expect(rows.nth(1)).to_contain_text("FundDeposited")
    people.shot(auditor, "one-transfer-two-people")
    assert re.search(r"object_id=", auditor.url)
    # Another person's role cannot open it.
    maker.goto("/audit/trail")
    expect(maker.get_by_text("ROLE_NOT_ALLOWED")).to_be_visible()
