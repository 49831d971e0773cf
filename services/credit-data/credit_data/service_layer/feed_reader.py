"""Reading and validating a feed file in a helper process, so the service's own process only writes.

Parsing and validation are pure Python and would otherwise share one core with the database writes. The
helper is a plain ``python -m`` process that imports the domain only; it streams validated batches over a
pipe as length-prefixed pickles. The pipe's small buffer is the back-pressure: memory stays flat however
long the file, and the writer stores the batches strictly in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import struct
import sys
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import orjson

from ..domain.feeds import LineProblem, read_feed
from ..domain.records import FeedRecord, RecordRejected, validate_record

FRAME = struct.Struct(">Q")
Batch = tuple[list[tuple], list[dict[str, Any]], int]  # record field tuples, rejections, last line number


def check_line(number: int, item: Any, *, provider: str, allowed: frozenset[str], today: date) -> FeedRecord | dict[str, Any]:
    """One line as a record, or its rejection (line, field, code, reason)."""
    if isinstance(item, LineProblem):
        return {"line": number, "source_record_id": None, "field": item.field, "code": item.code, "reason": item.reason}
    try:
        return validate_record(item, provider=provider, allowed_sources=allowed, today=today)
    except RecordRejected as error:
        rid = item.get("source_record_id")
        rid = rid[:64] if isinstance(rid, str) else None
        return {"line": number, "source_record_id": rid, "field": error.field, "code": error.code, "reason": error.reason}


def _emit(out: Any, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME.pack(len(data)) + data)


def produce(spec: dict[str, Any], out: Any) -> None:
    """Helper body: batches of (record tuples, rejections, last line), then None; an error text on failure."""
    context = {"provider": spec["provider"], "allowed": frozenset(spec["allowed"]), "today": date.fromisoformat(spec["today"])}
    records: list[tuple] = []
    rejections: list[dict[str, Any]] = []
    last = 0
    try:
        with open(spec["path"], "rb") as stream:
            for number, item in read_feed(stream, spec["format"], spec["encoding"]):
                if number <= spec["skip_through"]:
                    continue
                checked = check_line(number, item, **context)
                if isinstance(checked, dict):
                    rejections.append(checked)
                else:
                    records.append(tuple(checked))
                last = number
                if len(records) + len(rejections) >= spec["size"]:
                    _emit(out, (records, rejections, last))
                    records, rejections = [], []
        if records or rejections:
            _emit(out, (records, rejections, last))
        _emit(out, None)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which fails the job with it
        _emit(out, f"{type(error).__name__}: {error}")
    out.flush()


async def batches_from_helper(row: Any, *, size: int, today: date) -> AsyncIterator[Batch]:
    """Validated batches of the job's file from a helper process, which is always stopped at the end."""
    spec = {
        "path": row.file_path, "format": row.format, "encoding": row.encoding, "skip_through": row.lines_done,
        "provider": row.org_id, "allowed": sorted(filter(None, row.sources.split(","))), "today": today.isoformat(),
        "size": size,
    }  # fmt: skip
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    helper = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, orjson.dumps(spec).decode(), stdout=asyncio.subprocess.PIPE, env=env
    )
    assert helper.stdout is not None
    try:
        while True:
            try:
                header = await helper.stdout.readexactly(FRAME.size)
                item = pickle.loads(await helper.stdout.readexactly(FRAME.unpack(header)[0]))
            except asyncio.IncompleteReadError:
                raise RuntimeError(f"feed reader process ended unexpectedly (exit {await helper.wait()})") from None
            if item is None:
                await helper.wait()  # the helper exits right after its last frame
                return
            if isinstance(item, str):
                raise RuntimeError(f"feed reader failed: {item}")
            yield item
    finally:
        if helper.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                helper.kill()
            await helper.wait()


if __name__ == "__main__":
    produce(orjson.loads(sys.argv[1]), sys.stdout.buffer)
