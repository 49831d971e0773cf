"""Run the calibration and every benchmark in bench/, printing each figure as `name: value unit`, then
each figure's ratio to its raw counterpart from the same run (bench/README.md explains the pairs).

Each script is its own process (clean memory figures, no shared state); figure lines are passed through,
anything else a benchmark prints goes to stderr. The calibration runs first, then the end-to-end benchmark.
`run_all.py whitelist api` runs only the benchmarks whose file names contain one of the words (the
calibration always runs: without it no ratio means anything).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

FIGURE = re.compile(r"^([a-z0-9_.]+): (-?[0-9.]+) (\S+)$")
HERE = Path(__file__).resolve().parent

# figure -> (raw counterpart, ratio name, "higher" when a bigger figure is better, "lower" for a time).
# A throughput ratio is figure / raw; a latency ratio is figure / raw round trip (how many raw trips it costs).
RATIOS: dict[str, tuple[str, str]] = {
    "whitelist.consume.rating_events_per_s": ("calibration.sqlite.one_row_tx_per_s", "per_one_row_tx"),
    "whitelist.consume.rating_upsert.events_per_s": ("calibration.sqlite.one_row_tx_per_s", "per_one_row_tx"),
    "ledger.sqlite.compensations_per_s": ("calibration.sqlite.one_row_tx_per_s", "per_one_row_tx"),
    "ledger.sqlite.single_event_compensations_per_s": ("calibration.sqlite.one_row_tx_per_s", "per_one_row_tx"),
    "ingest.sqlite.records_per_s": ("calibration.sqlite.executemany_rows_per_s", "per_executemany_row"),
    "rerate.enterprises_per_s": ("calibration.scorecard.in_memory_per_s", "per_in_memory_scorecard"),
    "api.register_loan.max_rps": ("calibration.fastapi.bare_rps", "per_bare_fastapi"),
    "api.report_overdue.max_rps": ("calibration.fastapi.bare_rps", "per_bare_fastapi"),
    "api.register_loan.postgres_1_worker_rps": ("calibration.fastapi.bare_rps", "per_bare_fastapi"),
    "api.register_loan.postgres_2_workers_rps": ("calibration.fastapi.bare_rps", "per_bare_fastapi"),
    "e2e.claim_to_payment.single_p50_ms": ("calibration.broker.round_trip_p50_ms", "in_round_trips"),
    "e2e.claim_to_payment.p50_ms": ("calibration.broker.round_trip_p50_ms", "in_round_trips"),
    "e2e.claim_to_payment.p99_ms": ("calibration.broker.round_trip_p50_ms", "in_round_trips"),
    "e2e.batch_claims_per_s": ("calibration.sqlite.one_row_tx_per_s", "per_one_row_tx"),
}


def run_script(script: Path, figures: dict[str, tuple[float, str]]) -> bool:
    """Run one script, pass its figure lines through (and keep them); True if it succeeded."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
    for line in proc.stdout.splitlines():
        match = FIGURE.match(line.strip())
        (sys.stdout if match else sys.stderr).write(line.strip() + "\n")
        if match:
            figures[match.group(1)] = (float(match.group(2)), match.group(3))
    sys.stdout.flush()
    if proc.returncode != 0:
        sys.stderr.write(f"{script.name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}\n")
    sys.stderr.write(f"[{script.name}: {time.monotonic() - started:.1f}s]\n")
    return proc.returncode == 0


def ratio_lines(figures: dict[str, tuple[float, str]]) -> list[str]:
    """`<figure>.<ratio name>: x ratio` for every figure whose raw counterpart was measured."""
    lines = []
    for name, (raw_name, ratio_name) in RATIOS.items():
        if name in figures and figures.get(raw_name, (0.0, ""))[0] > 0:
            lines.append(f"{name}.{ratio_name}: {figures[name][0] / figures[raw_name][0]:.3f} ratio")
    return lines


def main(words: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (not p.name.startswith("bench_e2e"), p.name))
    if words:
        scripts = [s for s in scripts if any(w in s.name for w in words)]
    figures: dict[str, tuple[float, str]] = {}
    failed = [s.name for s in [HERE / "calibration.py", *scripts] if not run_script(s, figures)]
    for line in ratio_lines(figures):
        print(line)
    if failed:
        sys.stderr.write(f"failed benchmarks: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
