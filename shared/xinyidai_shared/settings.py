"""Settings base: one env prefix per service, nothing read at import time, unsafe secrets refused."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The only secret that works in dev mode; any service outside dev mode refuses to start with it.
DEV_AUTH_SECRET = "xinyidai-dev-only-secret-never-use-in-production"
MIN_SECRET_BYTES = 32


class UnsafeConfiguration(ValueError):
    """Settings that would run a production service with a known or weak secret."""


def settings_config(prefix: str) -> SettingsConfigDict:
    """The pydantic-settings configuration for a service with env prefix ``prefix`` (e.g. "CLAIMS_")."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_file=None)


class ServiceSettings(BaseSettings):
    """What every service needs; services subclass it with their own prefix and fields."""

    model_config = settings_config("XYD_")

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    # Empty means "no broker": the outbox keeps filling and nothing is consumed (unit/API tests).
    kafka_bootstrap: str = ""
    kafka_partitions: int = 3
    dev_mode: bool = False
    auth_secret: str = ""
    revoked_token_ids: list[str] = []
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 0.2
    consumer_max_attempts: int = 4
    consumer_retry_backoff_s: float = 0.2
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _secret_is_safe(self) -> "ServiceSettings":
        if self.dev_mode:
            if not self.auth_secret:
                self.auth_secret = DEV_AUTH_SECRET
            return self
        if self.auth_secret == DEV_AUTH_SECRET:
            raise UnsafeConfiguration("the dev secret is refused outside dev mode; set a real AUTH_SECRET")
        if len(self.auth_secret.encode()) < MIN_SECRET_BYTES:
            raise UnsafeConfiguration(f"AUTH_SECRET must be at least {MIN_SECRET_BYTES} bytes outside dev mode")
        return self
