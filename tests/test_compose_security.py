"""The compose stack keeps its secrets out of the repository, migrates once as the schema owner, runs each
service as its own database role, and gives each service exactly the Kafka rights docs/EVENTS.md implies."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy import make_url

from tools.make_secrets import make
from tools.stack import SERVICES, env_prefix
from xinyidai_shared.events import TOPICS, dead_letter_topic

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SECRETISH = re.compile(r"(PASSWORD|SECRET|SIGNING_KEY|TOKEN)$")


def _consumes(service: str) -> tuple[str, ...]:
    package = SERVICES[service]
    config = importlib.import_module(f"{package}.config")
    app = importlib.import_module(f"{package}.app").create_app(
        config.Settings(dev_mode=True, database_url="sqlite+aiosqlite:///:memory:")
    )
    return app.state.runtime.spec.consumes


def _lines(text: str) -> set[tuple[str, ...]]:
    return {tuple(line.split()) for line in text.splitlines() if line.strip()}


def test_the_kafka_acls_give_each_service_its_own_topic_to_write_and_what_it_consumes_to_read() -> None:
    expected, topics = set(), set(TOPICS[s] for s in SERVICES)
    for service in SERVICES:
        user = f"User:{service}"
        expected |= {(user, "Write", "Topic", TOPICS[service]), (user, "Read", "Group", service)}
        for producer in _consumes(service):
            dead_letters = dead_letter_topic(TOPICS[producer], service)
            expected |= {(user, "Read", "Topic", TOPICS[producer]), (user, "Write", "Topic", dead_letters)}
            topics.add(dead_letters)
    init = COMPOSE["services"]["kafka-init"]["environment"]
    assert _lines(init["ACLS"]) == expected
    assert {name for name, _ in _lines(init["TOPICS"])} == topics
    assert set(COMPOSE["services"]["kafka"]["environment"]["KAFKA_USERS"].split()) == set(SERVICES)


def test_the_broker_requires_scram_and_denies_what_no_acl_allows() -> None:
    start = (ROOT / "deploy/kafka/start.sh").read_text()
    assert "listeners=SASL_PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093" in start
    assert "sasl.enabled.mechanisms=SCRAM-SHA-512" in start
    assert "allow.everyone.if.no.acl.found=false" in start
    assert "auto.create.topics.enable=false" in start
    for service in SERVICES:
        env = COMPOSE["services"][service]["environment"]
        prefix = env_prefix(service)
        assert env[f"{prefix}KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env[f"{prefix}KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env[f"{prefix}KAFKA_USERNAME"] == service
        assert COMPOSE["services"][service]["depends_on"]["kafka-init"] == {"condition": "service_completed_successfully"}


def test_no_credential_is_written_in_compose_or_the_database_init_script() -> None:
    for name, spec in COMPOSE["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            assert not SECRETISH.search(key), f"{name}: {key} carries a credential inline; use {key}_FILE"
            if str(value).startswith("postgresql"):
                assert make_url(value).password is None, f"{name}: {key} has a password in its URL"
            if key.endswith("_FILE"):
                secret = value.removeprefix("/run/secrets/")
                assert secret in spec["secrets"], f"{name}: {key} names a secret it is not given"
    for secret in COMPOSE["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    assert "secrets/" in (ROOT / ".gitignore").read_text().split()
    statements = [line for line in (ROOT / "deploy/postgres-init.sql").read_text().splitlines() if not line.startswith("--")]
    assert not [line for line in statements if "PASSWORD" in line.upper()]


def test_services_run_as_their_app_role_after_a_one_shot_migration_as_the_owner() -> None:
    for service in SERVICES:
        prefix, stem = env_prefix(service), service.replace("-", "_")
        app, migrate = COMPOSE["services"][service], COMPOSE["services"][f"{service}-migrate"]
        assert app["environment"][f"{prefix}DATABASE_URL"].startswith(f"postgresql+asyncpg://{stem}_app@")
        assert app["environment"][f"{prefix}MIGRATE_ON_START"] == "false"
        assert app["depends_on"][f"{service}-migrate"] == {"condition": "service_completed_successfully"}
        assert migrate["command"] == ["python", "-m", SERVICES[service], "migrate"]
        assert migrate["environment"][f"{prefix}MIGRATION_DATABASE_USER"] == f"{stem}_owner"
        assert migrate["environment"][f"{prefix}DATABASE_APP_ROLE"] == f"{stem}_app"
        assert migrate["restart"] == "no"
    roles = set(COMPOSE["services"]["postgres"]["environment"]["XYD_DB_ROLES"].split())
    init = (ROOT / "deploy/postgres-init.sql").read_text()
    assert roles == set(re.findall(r"CREATE ROLE (\w+) LOGIN;", init))
    for role in roles:
        assert f"{role}_password" in COMPOSE["services"]["postgres"]["secrets"]


def test_make_secrets_writes_every_secret_compose_names_and_keeps_them_on_a_second_run(tmp_path: Path) -> None:
    folder = tmp_path / "secrets"
    first = make(folder)
    for secret in COMPOSE["secrets"].values():
        assert (folder / secret["file"].removeprefix("./secrets/")).stat().st_size > 0
    for service in SERVICES:
        assert len(list((folder / "event-keys" / service).glob("*.pub"))) == 1
    assert first and make(folder) == []
    assert folder.stat().st_mode & 0o077 == 0


def test_the_scripts_compose_runs_are_valid_bash() -> None:
    for script in ("deploy/kafka/start.sh", "deploy/kafka/init.sh", "deploy/postgres-passwords.sh"):
        done = subprocess.run(["bash", "-n", str(ROOT / script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script}: {done.stderr}"


async def test_a_service_configured_as_in_compose_logs_in_to_kafka_with_scram(tmp_path: Path) -> None:
    """The compose settings reach every Kafka client the service makes (producer, consumer, admin)."""
    from claims.config import Settings

    from xinyidai_shared.relay import kafka_options, make_producer

    (tmp_path / "kafka_password").write_text("s3cret\n")
    env = {k: v for k, v in COMPOSE["services"]["claims"]["environment"].items() if k.startswith("CLAIMS_KAFKA_")}
    env["CLAIMS_KAFKA_PASSWORD_FILE"] = str(tmp_path / "kafka_password")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        settings = Settings(dev_mode=True)
    options = kafka_options(settings)
    assert options == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                       "sasl_plain_username": "claims", "sasl_plain_password": "s3cret"}
    producer = make_producer("kafka:9092", **options)
    assert (producer.client._security_protocol, producer.client._sasl_mechanism) == ("SASL_PLAINTEXT", "SCRAM-SHA-512")
    assert kafka_options(Settings(dev_mode=True)) == {}  # the local broker: plain, no login
