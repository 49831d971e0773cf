"""whitelist settings (env prefix WHITELIST_); built in create_app/main, never at import time."""

from __future__ import annotations

from xinyidai_shared.settings import ServiceSettings, notice_shortcut, settings_config

# Art.9 asks for "encouraged industries that fit the city's industrial layout"; the city has published
# no catalogue, so the default admits every GB/T 4754 section except finance (J), real estate (K: its
# loans are excluded by art.11.4 anyway) and international organisations (T). Entries are code prefixes.
DEFAULT_ENCOURAGED = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "L", "M", "N", "O", "P", "Q", "R", "S"]


class Settings(ServiceSettings):
    """What whitelist adds to the shared settings: the city, the notice period, limits, the platform."""

    model_config = settings_config("WHITELIST_")

    service_name: str = "whitelist"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/whitelist.db"
    # Registration division codes (USCC positions 3-8) of the city; Lingyuan is 211382.
    city_division_codes: list[str] = ["211382"]
    encouraged_industries: list[str] = DEFAULT_ENCOURAGED
    # Length of the public notice (公示) in working days; the dev/demo stack sets 0.
    notice_working_days: int = 5
    material_max_bytes: int = 10 * 1024 * 1024
    # Public objections: at most this many per client address per window, each body at most this size.
    objection_rate_limit: int = 5
    objection_rate_window_s: float = 60.0
    objection_max_body_bytes: int = 8192
    # Unauthenticated applications (an enterprise applying itself): at most this many per address per window.
    public_apply_rate_limit: int = 10
    public_apply_rate_window_s: float = 3600.0
    # Periodic re-review of every member, and how often the sweep looks for due ones.
    rereview_months: int = 12
    rereview_sweep_interval_s: float = 3600.0
    # Outbound push of recommended enterprises to the national platform; empty URL: pushes wait.
    national_platform_url: str = ""
    national_platform_token: str = ""
    platform_push_interval_s: float = 2.0
    platform_push_timeout_s: float = 10.0
    platform_push_max_attempts: int = 10

    def policy_shortcuts(self) -> list[str]:
        """A notice shorter than the legal floor is for dev mode only."""
        return notice_shortcut("WHITELIST_NOTICE_WORKING_DAYS", self.notice_working_days, "the public notice of recommended enterprises")
