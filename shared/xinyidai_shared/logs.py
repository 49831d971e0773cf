"""JSON logs carrying a correlation id from the HTTP request into events and on into consumers."""

from __future__ import annotations

import logging
import sys
import uuid
from contextvars import ContextVar

import orjson

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
CORRELATION_HEADER = "x-correlation-id"


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlation id, and any ``extra``."""

    _skip = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": correlation_id.get(),
        }
        doc.update({k: v for k, v in record.__dict__.items() if k not in self._skip})
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(doc, default=str).decode()


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    """Route the root logger to stdout, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stdout)
    if json:
        formatter = JsonFormatter(service)
        formatter.converter = __import__("time").gmtime
        handler.setFormatter(formatter)
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel("WARNING")
