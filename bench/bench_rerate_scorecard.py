"""Re-rating throughput: every enterprise re-profiled, scored and its rating history written.

Prints rerate.enterprises_per_s over CD_BENCH_ENTERPRISES enterprises (default 100,000), each with six
months of water and six months of tax records, on SQLite: the first full re-rate (a rating row and a
CreditRatingChanged event per enterprise, as after a scorecard change).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "services" / "credit-data")]

from xinyidai_shared.clock import today_shanghai, utcnow  # noqa: E402
from xinyidai_shared.migrations import upgrade_to_head  # noqa: E402
from xinyidai_shared.runtime import Runtime  # noqa: E402
from xinyidai_shared.testing import TEST_SECRET  # noqa: E402
from xinyidai_shared.uscc import make_uscc  # noqa: E402

from credit_data.adapters.bulk import insert_rows  # noqa: E402
from credit_data.adapters.records_repo import INSERT_COLUMNS  # noqa: E402
from credit_data.adapters.tables import feed_record  # noqa: E402
from credit_data.app import spec  # noqa: E402
from credit_data.config import Settings  # noqa: E402
from credit_data.domain.periods import first_day, index_of  # noqa: E402
from credit_data.service_layer.jobs import run_rerate_job  # noqa: E402

MONTHS = 6


def _rows(n: int, now_index: int, received_at) -> list[tuple]:  # noqa: ANN001
    uscc = make_uscc(f"MB{n:07d}")
    rows = []
    for ago in range(1, MONTHS + 1):
        period = now_index - ago
        start = first_day(period)
        water = dict.fromkeys(INSERT_COLUMNS) | {
            "provider": "water-ly", "source_record_id": f"W{n}-{period}", "uscc": uscc, "source": "water",
            "period": period, "content_hash": f"{n:032x}"[-32:], "account_no": f"W{n}", "consumption_milli": 120_500,
            "unit": "m3", "amount_due_fen": 36150, "amount_paid_fen": 36150, "due_on": start.replace(day=25),
            "paid_on": start.replace(day=20), "arrears_fen": 0, "disconnected": False, "version": 1, "received_at": received_at,
        }  # fmt: skip
        tax = dict.fromkeys(INSERT_COLUMNS) | {
            "provider": "tax-ly", "source_record_id": f"T{n}-{period}", "uscc": uscc, "source": "tax", "period": period,
            "content_hash": f"{n:032x}"[-32:], "tax_paid_fen": 520000, "filed_on_time": True, "arrears_fen": 0,
            "disconnected": False, "version": 1, "received_at": received_at,
        }  # fmt: skip
        rows += [tuple(water[c] for c in INSERT_COLUMNS), tuple(tax[c] for c in INSERT_COLUMNS)]
    return rows


async def run(count: int, folder: Path) -> float:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'rerate.db'}", auth_secret=TEST_SECRET, log_json=False,
                        dev_mode=True)
    runtime = Runtime(spec, settings)
    await upgrade_to_head(runtime.db, runtime.spec.migrations)
    now_index, received_at = index_of(today_shanghai()), utcnow()
    for start in range(0, count, 5000):
        async with runtime.uow() as uow:
            rows = [row for n in range(start, min(start + 5000, count)) for row in _rows(n, now_index, received_at)]
            await insert_rows(uow.session, feed_record, INSERT_COLUMNS, rows)
            await uow.commit()
    started = time.perf_counter()
    rated = await run_rerate_job(runtime, None)
    elapsed = time.perf_counter() - started
    await runtime.db.dispose()
    assert rated == count, f"rated {rated} of {count}"
    return count / elapsed


def main() -> None:
    count = int(os.environ.get("CD_BENCH_ENTERPRISES", "100000"))
    with tempfile.TemporaryDirectory(prefix="cd-rerate-") as tmp:
        rate = asyncio.run(run(count, Path(tmp)))
    print(f"rerate.enterprises_per_s: {rate:.0f} enterprises/s")


if __name__ == "__main__":
    main()
