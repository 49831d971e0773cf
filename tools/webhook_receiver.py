"""A webhook receiver for trying the platform's webhooks on one machine (and for the tests).

    python tools/webhook_receiver.py --port 9300 --log var/webhooks.jsonl [--secret whsec_...]

Every POST is appended to the log as one JSON line (path, headers, body, when). With ``--secret`` the
receiver verifies the Standard Webhooks signature with the ``standardwebhooks`` library, as a bank's
receiver would, and answers 401 to a message that does not verify. The path's query picks a behaviour,
so one receiver plays several endpoints:

- ``?fail=N``: the first N requests to this path get 500 (then 200), to watch retries;
- ``?delay=S``: answer after S seconds, to watch a slow endpoint not slow the others;
- ``?status=C``: always answer C.

``GET /received`` lists what was logged. Loopback targets are accepted by the platform only with
``CLAIMS_WEBHOOK_ALLOW_LOOPBACK=true`` (dev mode).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path

from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def make_app(log_path: Path, secret: str | None) -> Starlette:
    """The receiver: logs every POST, plays the behaviour its query asks for."""
    seen: Counter[str] = Counter()
    verifier = Webhook(secret) if secret else None

    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.startswith("webhook-") or k in ("host", "content-type")}
        seen[request.url.path] += 1
        entry = {"path": request.url.path, "query": request.url.query, "headers": headers,
                 "body": body.decode("utf-8", "replace"), "received_at": time.time(), "verified": None}
        status = 200
        if verifier is not None:
            try:
                verifier.verify(body, dict(request.headers))
                entry["verified"] = True
            except WebhookVerificationError:
                entry["verified"], status = False, 401
        query = request.query_params
        if status == 200 and seen[request.url.path] <= int(query.get("fail", "0")):
            status = 500
        if "status" in query:
            status = int(query["status"])
        with log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        await asyncio.sleep(float(query.get("delay", "0")))
        return JSONResponse({"received": status < 300}, status_code=status)

    async def received(_: Request) -> Response:
        lines = log_path.read_text(encoding="utf-8").splitlines() if log_path.exists() else []
        return JSONResponse([json.loads(line) for line in lines])

    return Starlette(routes=[Route("/received", received, methods=["GET"]),
                             Route("/{path:path}", receive, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9300)
    parser.add_argument("--log", type=Path, default=Path("var/webhooks.jsonl"))
    parser.add_argument("--secret", default=None, help="whsec_... to verify signatures with")
    args = parser.parse_args()
    args.log.parent.mkdir(parents=True, exist_ok=True)
    import uvicorn

    uvicorn.run(make_app(args.log, args.secret), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
