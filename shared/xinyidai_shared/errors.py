"""Typed domain errors with stable codes. No HTTP here: the edge maps ``kind`` to a status."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    INVALID = "invalid"  # the request is malformed or breaks a field rule
    UNPROCESSABLE = "unprocessable"  # well-formed but refused by a business rule
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # state does not allow it now (wrong workflow state, duplicate, reused key)
    FORBIDDEN = "forbidden"  # authenticated but not allowed on this object
    UNAUTHENTICATED = "unauthenticated"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"  # wrong media type or encoding
    RATE_LIMITED = "rate_limited"


class DomainError(Exception):
    """A refused command: ``code`` is stable and machine-readable, ``detail`` is for people."""

    kind: ErrorKind = ErrorKind.UNPROCESSABLE

    def __init__(self, code: str, detail: str, *, kind: ErrorKind | None = None, **extra: Any) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        if kind is not None:
            self.kind = kind
        self.extra = extra


class Invalid(DomainError):
    kind = ErrorKind.INVALID


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
