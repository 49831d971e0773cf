"""HTTP models of bulk loan files: the job and its per-line results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LoanFileRead(BaseModel):
    job_id: str
    bank_id: str
    uploaded_by: str = Field(description="the person or system client who sent the file")
    kind: str
    format: str
    encoding: str
    size_bytes: int
    sha256: str
    lines_total: int = Field(description="data lines in the file (a CSV's header not counted, blank lines skipped)")
    status: str = Field(description="queued, running, done or failed (error says why)")
    lines_done: int
    registered: int
    unchanged: int
    refused: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


class LineResult(BaseModel):
    line: int = Field(description="the physical line of the file, from 1 (a CSV's header is line 1)")
    bank_loan_no: str | None
    outcome: str = Field(description="registered, unchanged (registered before with the same facts) or refused")
    loan_id: str | None
    covered: bool | None
    code: str | None
    field: str | None
    detail: str | None


class LoanFileResults(BaseModel):
    results: list[LineResult]
    next_after_line: int | None = Field(description="pass as after_line for the next page; null at the end")
