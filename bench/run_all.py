"""Run every benchmark in bench/ and print each figure as `name: value unit`.

Each bench_*.py is its own process (clean memory figures, no shared state); figure lines are passed
through, anything else a benchmark prints goes to stderr. The end-to-end benchmark runs first.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

FIGURE = re.compile(r"^[a-z0-9_.]+: -?[0-9.]+ \S+$")
HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (not p.name.startswith("bench_e2e"), p.name))
    failed = []
    for script in scripts:
        started = time.monotonic()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
        for line in proc.stdout.splitlines():
            (sys.stdout if FIGURE.match(line.strip()) else sys.stderr).write(line.strip() + "\n")
        sys.stdout.flush()
        if proc.returncode != 0:
            failed.append(script.name)
            sys.stderr.write(f"{script.name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}\n")
        sys.stderr.write(f"[{script.name}: {time.monotonic() - started:.1f}s]\n")
    if failed:
        sys.stderr.write(f"failed benchmarks: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
