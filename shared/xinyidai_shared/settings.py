"""Settings base: one env prefix per service, nothing read at import time, unsafe secrets refused.

Secrets never live in the repository: any setting can be read from a file named by ``<NAME>_FILE``
(``CLAIMS_DATABASE_PASSWORD_FILE=/run/secrets/claims_db_password``), the convention of compose and
Kubernetes secrets. A few machine-wide settings also fall back to an unprefixed ``XYD_<NAME>``
(``XYD_EVENT_KEYS_DIR``), so one line configures every service of a dev machine or a test session.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

# The only secret that works in dev mode; any service outside dev mode refuses to start with it.
DEV_AUTH_SECRET = "xinyidai-dev-only-secret-never-use-in-production"
MIN_SECRET_BYTES = 32
# A public notice (公示) shorter than this skips or hollows out a legal step; only dev mode may (the demo
# compresses time with 0). The policy names no length; five working days is the platform's production
# period for both notices, and a city that wants less changes this figure in review, not in an env file.
MIN_NOTICE_WORKING_DAYS = 5


class UnsafeConfiguration(ValueError):
    """Settings that would run a production service with a known or weak secret, without its keys, or
    with a legal step skipped."""


def notice_shortcut(setting: str, working_days: int, what: str) -> list[str]:
    """The complaint about a notice period below the legal floor, if it is below."""
    if working_days >= MIN_NOTICE_WORKING_DAYS:
        return []
    return [f"{setting}={working_days} shortens {what} below {MIN_NOTICE_WORKING_DAYS} working days"]


def settings_config(prefix: str) -> SettingsConfigDict:
    """The pydantic-settings configuration for a service with env prefix ``prefix`` (e.g. "CLAIMS_")."""
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_file=None)


# Settings every service of one machine shares; ``XYD_<NAME>`` sets them for all at once.
MACHINE_WIDE = frozenset({"event_keys_dir", "event_keys_generate"})


class SecretFilesAndMachineEnv(PydanticBaseSettingsSource):
    """``<PREFIX><NAME>_FILE`` (a secret file's content) and then ``XYD_<NAME>`` for machine-wide settings."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        prefix = self.config.get("env_prefix", "")
        path = os.environ.get(f"{prefix}{field_name}_FILE".upper())
        if path:
            value: Any = Path(path).read_text().strip()
            return value, field_name, self.field_is_complex(field)
        if field_name in MACHINE_WIDE and f"XYD_{field_name}".upper() in os.environ:
            return os.environ[f"XYD_{field_name}".upper()], field_name, self.field_is_complex(field)
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, complex_ = self.get_field_value(field, name)
            if value is not None:
                values[key] = self.decode_complex_value(name, field, value) if complex_ else value
        return values


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
    # Broker authentication: PLAINTEXT (the local broker) or SASL_PLAINTEXT/SASL_SSL with SCRAM, as the
    # service's own Kafka user (``<PREFIX>KAFKA_PASSWORD_FILE``); ACLs then bound what it may read and write.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = ""
    kafka_username: str = ""
    kafka_password: str = ""
    dev_mode: bool = False
    auth_secret: str = ""
    revoked_token_ids: list[str] = []
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 0.2
    consumer_max_attempts: int = 4
    consumer_retry_backoff_s: float = 0.2
    log_level: str = "INFO"
    log_json: bool = True
    # Requests per minute per caller, by class: systems (banks, providers, services) and officers and
    # enterprises by the identity in their credential, the public by address; 0 switches a class off.
    # Counted in the service's database, so the budget holds across replicas.
    rate_limits_per_minute: dict[str, int] = {"system": 6000, "officer": 1200, "enterprise": 600, "public": 600}
    # Largest request body a route accepts unless it names its own limit (uploads): refused before parsing.
    max_body_bytes: int = 1024 * 1024
    # The database password, kept out of the URL (``<PREFIX>DATABASE_PASSWORD_FILE`` for a secret file).
    database_password: str = ""
    # Migrations: run at start (dev, tests, one-process deployments) or only by `python -m <svc> migrate`,
    # then as the migration role (the schema's owner) named here; the service checks it is at head.
    migrate_on_start: bool = True
    migration_database_user: str = ""
    migration_database_password: str = ""
    # The role the service runs as, granted what it needs (journal and audit rows: insert, never update).
    database_app_role: str = ""
    # Event signing: the service's Ed25519 private key (PEM or base64 of the raw 32 bytes; normally
    # ``<PREFIX>EVENT_SIGNING_KEY_FILE``), producers' public keys in ``<event_keys_dir>/<service>/*.pub``
    # and/or ``event_public_keys`` ({"claims": ["<PEM or base64>", ...]}). Dev mode and tests generate
    # the key at first start under ``<event_keys_dir>/private/`` (event_keys_generate).
    event_signing_key: str = ""
    event_keys_dir: str = ""
    event_public_keys: dict[str, list[str]] = {}
    event_keys_generate: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments, then the environment, then ``*_FILE`` secrets and machine-wide ``XYD_*``."""
        return init_settings, env_settings, SecretFilesAndMachineEnv(settings_cls), file_secret_settings

    def policy_shortcuts(self) -> list[str]:
        """Settings that would skip or shorten a legal step (services add theirs); refused outside dev mode."""
        return []

    @model_validator(mode="after")
    def _no_legal_step_skipped(self) -> "ServiceSettings":
        shortcuts = [] if self.dev_mode else self.policy_shortcuts()
        if shortcuts:
            raise UnsafeConfiguration(
                "outside dev mode these settings would skip a legal step: " + "; ".join(shortcuts)
            )
        return self

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
