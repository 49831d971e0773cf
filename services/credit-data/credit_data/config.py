"""credit-data settings (env prefix CREDIT_DATA_); built in create_app/main, never at import time."""

from __future__ import annotations

from xinyidai_shared.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    """What credit-data adds to the shared settings: upload limits, job sizes, schedules, the PDF font."""

    model_config = settings_config("CREDIT_DATA_")

    service_name: str = "credit-data"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/credit-data.db"
    # Bulk feed files are streamed to this folder, then ingested by the job worker.
    upload_dir: str = "var/credit-data-uploads"
    upload_max_bytes: int = 1024 * 1024 * 1024
    batch_max_records: int = 1000
    job_batch_size: int = 2000
    job_poll_interval_s: float = 0.5
    # Files at least this large are read and validated in a helper process while this one writes.
    parallel_ingest_min_bytes: int = 4 * 1024 * 1024
    job_max_stored_rejections: int = 10_000
    rerate_chunk: int = 1000
    # Daily rules: re-rate everyone (windows move with the calendar) and expire dishonesty records.
    daily_interval_s: float = 86_400.0
    letter_max_bytes: int = 5 * 1024 * 1024
    cjk_font_path: str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
