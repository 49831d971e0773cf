"""Console settings (env prefix ``CONSOLE_``): where the services are, how people sign in, cookies."""

from __future__ import annotations

from xinyidai_shared.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    model_config = settings_config("CONSOLE_")

    service_name: str = "console"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/console.db"
    credit_data_url: str = "http://127.0.0.1:8001"
    whitelist_url: str = "http://127.0.0.1:8002"
    fund_ledger_url: str = "http://127.0.0.1:8003"
    claims_url: str = "http://127.0.0.1:8004"
    # Cookies carry `Secure` (browsers keep them on https and on http://127.0.0.1 / localhost).
    cookie_secure: bool = True
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Tokens the console mints for a signed-in person in dev mode live this long, then are minted again.
    token_ttl_s: int = 900
    backend_timeout_s: float = 10.0
    # Counts in the navigation are reused for this long (a person's own writes refresh them at once).
    todo_cache_s: float = 5.0
    # Request bodies: forms keep the shared `max_body_bytes` (1 MB); uploads pass on what the services accept
    # (whitelist's materials, credit-data's commitment letters); a public objection is a short text.
    material_max_bytes: int = 10 * 1024 * 1024
    letter_max_bytes: int = 5 * 1024 * 1024
    public_form_max_bytes: int = 32 * 1024  # an objection's 8 KB of text, URL-encoded

    def service_urls(self) -> dict[str, str]:
        return {
            "credit-data": self.credit_data_url.rstrip("/"),
            "whitelist": self.whitelist_url.rstrip("/"),
            "fund-ledger": self.fund_ledger_url.rstrip("/"),
            "claims": self.claims_url.rstrip("/"),
        }
