"""Bulk feed files: NDJSON or CSV, UTF-8 or GB18030, read as a stream of (line number, raw record).

Nothing here holds more than one line at a time, so a file of a million records is read in flat memory.
A line that cannot be read becomes a ``LineProblem`` and the reading goes on with the next line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from xinyidai_shared.errors import DomainError, ErrorKind, Invalid

FORMATS = ("ndjson", "csv")
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030"}
REQUIRED_COLUMNS = ("source_record_id", "uscc", "source", "period")
KNOWN_COLUMNS = frozenset(
    REQUIRED_COLUMNS
    + ("account_no", "consumption", "unit", "amount_due", "amount_paid", "due_on", "paid_on", "arrears", "disconnected")
    + ("tax_paid", "filed_on_time", "tax_credit_grade")
    + ("insured_headcount", "contribution_due", "contribution_paid")
)
MAX_LINE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line that could not even be read as a record."""

    field: str
    code: str
    reason: str


def normalise_encoding(name: str | None) -> str:
    """The codec for a declared charset (GBK and GB2312 are read as their superset GB18030)."""
    codec = ENCODINGS.get((name or "utf-8").strip().lower())
    if codec is None:
        raise DomainError(
            "ENCODING_UNSUPPORTED", f"charset {name!r} is not accepted; use utf-8 or gb18030", kind=ErrorKind.UNSUPPORTED
        )
    return codec


def check_header(columns: list[str]) -> list[str]:
    """The CSV header, refused when a required column is missing, a column is unknown or repeated."""
    names = [c.strip() for c in columns]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [c for c in names if c not in KNOWN_COLUMNS]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if missing or unknown or repeated:
        raise Invalid(
            "HEADER_INVALID",
            f"CSV header problems: missing {missing}, unknown {unknown}, repeated {repeated}",
            missing=missing,
            unknown=unknown,
            repeated=repeated,
        )
    return names


def read_ndjson(stream: IO[bytes], codec: str) -> Iterator[tuple[int, dict[str, Any] | LineProblem]]:
    """Each non-blank line as a JSON object, numbered from 1."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_BYTES:
            yield number, LineProblem("", "LINE_TOO_LONG", f"a line may be at most {MAX_LINE_BYTES} bytes")
            continue
        try:
            value = orjson.loads(line if codec == "utf-8" else line.decode(codec))
        except UnicodeDecodeError:
            yield number, LineProblem("", "ENCODING_INVALID", f"line is not valid {codec}")
            continue
        except orjson.JSONDecodeError as error:
            yield number, LineProblem("", "JSON_INVALID", f"line is not JSON: {error.msg}")
            continue
        if not isinstance(value, dict):
            yield number, LineProblem("", "JSON_INVALID", "each line must be one JSON object")
            continue
        yield number, value


def read_csv(stream: IO[bytes], codec: str) -> Iterator[tuple[int, dict[str, Any] | LineProblem]]:
    """Each data row as a dict keyed by the header, numbered by its physical line (the header is line 1)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if codec == "utf-8" else codec, newline="")
    reader = csv.reader(text)
    header = check_header(next(reader, []))
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # an over-long field spoils one row, not the file
            yield reader.line_num, LineProblem("", "CSV_INVALID", str(error))
            continue
        if not row:
            continue
        if len(row) != width:
            yield reader.line_num, LineProblem("", "ROW_SHAPE", f"row has {len(row)} fields, header has {width}")
            continue
        yield reader.line_num, dict(zip(header, row, strict=True))


def read_feed(stream: IO[bytes], fmt: str, codec: str) -> Iterator[tuple[int, dict[str, Any] | LineProblem]]:
    """Records of a feed file in either format."""
    return read_csv(stream, codec) if fmt == "csv" else read_ndjson(stream, codec)
