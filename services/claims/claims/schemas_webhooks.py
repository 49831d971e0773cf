"""HTTP models of the webhook API: endpoints, the bank's message feed and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from xinyidai_shared.text import Identifier, Text


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Identifier = Field(min_length=8, max_length=2000, description="https://host/path; private, loopback, "
                            "link-local and metadata addresses are refused, now and at every delivery")
    description: Text = Field("", max_length=200)
    event_types: list[Identifier] = Field([], max_length=50, description="message types to receive; empty: all of them")


class EndpointUpdate(EndpointCreate):
    enabled: bool = True


class EndpointRead(BaseModel):
    endpoint_id: str
    bank_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    secret: str = Field(description="whsec_<base64>: verify each message's webhook-signature with it (shown only now)")


class SecretRotated(BaseModel):
    endpoint_id: str
    secret: str
    previous_secret_valid_until: datetime


class MessageRead(BaseModel):
    cursor: int
    message_id: str
    type: str
    created_at: datetime
    body: dict[str, Any]


class MessagePage(BaseModel):
    messages: list[MessageRead]
    next_cursor: int


class AttemptRead(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None


class DeliveryRead(BaseModel):
    delivery_id: int
    endpoint_id: str
    bank_id: str
    message_id: str
    type: str
    status: str = Field(description="pending, delivered, failed (retry window over) or cancelled (endpoint deleted)")
    attempts: int
    next_attempt_at: datetime | None
    retry_until: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_latency_ms: int | None
    created_at: datetime
    delivered_at: datetime | None
    attempt_log: list[AttemptRead] = []


class DeliveryPage(BaseModel):
    deliveries: list[DeliveryRead]
    next_before: int | None = Field(description="pass as `before` for the next (older) page; null at the end")
