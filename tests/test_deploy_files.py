"""The deploy files agree with the services: ports, env names, health paths, databases, images."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tools.stack import DEFAULT_PORTS, SERVICES, env_prefix

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_class(service: str):  # noqa: ANN202
    package = SERVICES[service]
    return __import__(f"{package}.config", fromlist=["Settings"]).Settings


def test_compose_runs_kafka_in_kraft_mode_and_one_postgres() -> None:
    kafka = COMPOSE["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    start = (ROOT / "deploy/kafka/start.sh").read_text()
    assert "process.roles=broker,controller" in start
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:15")


def _setting_of(prefix: str, name: str) -> str:
    """The setting an environment variable sets: ``X_FILE`` names a secret file holding setting ``x``."""
    return name[len(prefix):].lower().removesuffix("_file")


def test_each_service_in_compose_matches_its_settings_port_and_env_names() -> None:
    for service in SERVICES:
        spec = COMPOSE["services"][service]
        settings_fields = set(_settings_class(service).model_fields)
        prefix = env_prefix(service)
        for name in spec["environment"]:
            assert name.startswith(prefix), f"{service}: {name} lacks the {prefix} prefix"
            assert _setting_of(prefix, name) in settings_fields, f"{service}: {name} is not a setting"
        port = DEFAULT_PORTS[service]
        assert spec["ports"] == [f"{port}:{port}"]
        assert spec["environment"][f"{prefix}PORT"] == str(port)
        assert spec["environment"][f"{prefix}DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert spec["environment"][f"{prefix}KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert spec["build"]["args"]["SERVICE"] == service
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(spec["healthcheck"]["test"])


def test_each_service_database_is_created_by_the_postgres_init_script() -> None:
    init = (ROOT / "deploy/postgres-init.sql").read_text()
    for service in SERVICES:
        url = COMPOSE["services"][service]["environment"][f"{env_prefix(service)}DATABASE_URL"]
        database = url.rsplit("/", 1)[-1]
        assert re.search(rf"CREATE DATABASE {database} OWNER", init), database


def test_procfile_and_dev_env_start_the_same_services_on_the_documented_ports() -> None:
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(procfile) == {"broker", *SERVICES, "console"}
    for service, package in {**SERVICES, "console": "console"}.items():
        assert f"-m {package}" in procfile[service]
    env = dict(
        line.split("=", 1) for line in (ROOT / "deploy/dev.env").read_text().splitlines() if "=" in line and not line.startswith("#")
    )
    for service, port in DEFAULT_PORTS.items():
        assert env[f"{env_prefix(service)}PORT"] == str(port)
        assert env[f"{env_prefix(service)}DEV_MODE"] == "true"
        assert env[f"{env_prefix(service)}KAFKA_BOOTSTRAP"] == "127.0.0.1:9092"
    # The console serves http://127.0.0.1:8000 in front of the four services on their dev ports.
    assert env["CONSOLE_PORT"] == "8000" and env["CONSOLE_DEV_MODE"] == "true"
    for service, port in DEFAULT_PORTS.items():
        assert env[f"CONSOLE_{env_prefix(service)}URL"] == f"http://127.0.0.1:{port}"


def test_volumes_the_services_write_to_are_declared_and_owned_by_the_service_user() -> None:
    credit = COMPOSE["services"]["credit-data"]
    upload_dir = credit["environment"]["CREDIT_DATA_UPLOAD_DIR"]
    assert any(v.endswith(":" + upload_dir) for v in credit["volumes"])
    for volume in credit["volumes"]:
        source, _, options = volume.partition(":")
        # Named volumes are declared; bind mounts (the public event keys) are read-only.
        assert source in COMPOSE["volumes"] or (source.startswith("./") and options.endswith(":ro")), volume
    assert f"chown xyd {upload_dir}" in (ROOT / "deploy/Dockerfile").read_text()
