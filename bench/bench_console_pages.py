"""Console page server times with realistic data: the real stack (broker, four services, console) as processes.

Seeds, through the services' APIs: 300 enterprises on the recommended list, 10 enterprises rated from
twelve months of data with a covered loan lost and its claim approved and paid, the fund's capital. Then
signs people in through the console's own form and reads each page 30 times; the server time is the
console's `Server-Timing: app;dur=` (its own work plus its calls to the services).

Prints `console.page.<name>.p50_ms` and `.p95_ms`. Run: .venv/bin/python bench/bench_console_pages.py
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.demo import (  # noqa: E402
    MATERIALS, PDF, Story, claim_and_pay, deposit_capital, feed_and_rate, lend_and_lose, recommend,
)
from tools.stack import Stack  # noqa: E402
from xinyidai_shared.devorgs import dev_tokens  # noqa: E402
from xinyidai_shared.uscc import make_uscc  # noqa: E402

LISTED, CLAIMS, READS = 300, 10, 30
BANKS = ("bank-icbc-ly", "bank-ccb-ly")  # each bank's cap (art.12) holds about six of these claims
TIMING = re.compile(r"app;dur=([0-9.]+)")


def _uscc() -> str:
    return make_uscc("MA" + uuid.uuid4().hex[:7].upper().translate(str.maketrans("IOSVZ", "12345")))


def _list_by_override(s: Story, n: int) -> None:
    """Enterprises listed with the credit office's documented override (no data feed needed for volume)."""
    for i in range(n):
        body = {"uscc": _uscc(), "name": f"凌源市基准测试企业{i:04d}有限公司", "legal_representative": "张三",
                "industry_code": "C1391", "employees": 20 + i % 50, "revenue": "3000000.00", "total_assets": "2000000.00"}
        app_id = s.call("POST", "whitelist", "/v1/applications", "dept-industry", json=body, quiet=True)["id"]
        for kind in MATERIALS:
            s.call("PUT", "whitelist", f"/v1/applications/{app_id}/materials/{kind}", "dept-industry", quiet=True,
                   files={"file": (f"{kind}.pdf", PDF, "application/pdf")})
        s.call("POST", "whitelist", f"/v1/applications/{app_id}/screen", "dept-industry", json={}, quiet=True)
        s.call("POST", "whitelist", f"/v1/applications/{app_id}/credit-check", "fgj-credit", quiet=True,
               json={"override": True, "reason": "基准测试：人工核查通过"})
        s.call("POST", "whitelist", f"/v1/applications/{app_id}/review", "lg-office", json={}, quiet=True)
        s.call("POST", "whitelist", f"/v1/applications/{app_id}/conclude", "lg-office", json={}, quiet=True)


def _seed(stack: Stack) -> str:
    s = Story({k: v for k, v in stack.urls.items() if k != "console"}, dict(dev_tokens()), say=lambda _: None)
    deposit_capital(s)
    _list_by_override(s, LISTED)
    first = ""
    for i in range(CLAIMS):
        uscc, bank = _uscc(), BANKS[i % len(BANKS)]
        feed_and_rate(s, uscc)
        recommend(s, uscc)
        claim_and_pay(s, lend_and_lose(s, uscc, bank), bank)
        first = first or uscc
    return first


def _signed_in(base: str, org: str, uscc: str = "") -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    form = {"csrf_token": token, "org_id": org, "person": "基准", "uscc": uscc, "next": "/"}
    assert client.post("/sign-in", data=form).status_code == 303
    return client


def _measure(client: httpx.Client, name: str, path: str) -> None:
    client.get(path)  # warm the to-do cache like a person who just arrived
    times = []
    for _ in range(READS):
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
        times.append(float(TIMING.search(response.headers["server-timing"]).group(1)))
    times.sort()
    print(f"console.page.{name}.p50_ms: {statistics.median(times):.1f} ms")
    print(f"console.page.{name}.p95_ms: {times[int(0.95 * (len(times) - 1))]:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # Plain cookies: httpx, unlike a browser, keeps no Secure cookie for http://127.0.0.1.
        stack = Stack(Path(tmp), console=True, extra_env={"CONSOLE_COOKIE_SECURE": "false"})
        try:
            stack.wait_ready(120)
            uscc = _seed(stack)
            base = stack.urls["console"]
            public = httpx.Client(base_url=base, timeout=30)
            for name, path in (("public_list", "/public/list"), ("public_list_search", "/public/list?q=0123"),
                               ("public_notices", "/public/notices"), ("public_fund", "/public/fund"),
                               ("public_dishonesty", "/public/dishonesty"), ("public_letters", "/public/letters")):
                _measure(public, name, path)
            office = _signed_in(base, "lg-office")
            claim_id = office.get("/claims").text.split('href="/claims/', 2)[1].split('"', 1)[0]
            app_id = office.get("/applications?status=recommended").text.split('href="/applications/', 2)[1].split('"', 1)[0]
            for name, path in (("work_leading_group", "/work"), ("applications", "/applications"),
                               ("application", f"/applications/{app_id}"), ("claims", "/claims"),
                               ("claim", f"/claims/{claim_id}"), ("batches", "/batches")):
                _measure(office, name, path)
            finance = _signed_in(base, "czj")
            for name, path in (("fund", "/fund"), ("dues", "/fund/dues"), ("journal", "/journal")):
                _measure(finance, name, path)
            _measure(_signed_in(base, "audit-ly"), "audit", "/audit")
            _measure(_signed_in(base, "fgj-credit"), "enterprise_credit", f"/enterprises/{uscc}")
            _measure(_signed_in(base, "enterprise", uscc), "enterprise_me", "/me")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
