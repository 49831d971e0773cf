"""What a running service holds: settings, database, Kafka link, relay, consumers, supervised tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import MetaData

from .audit import current_audit
from .consumer import ConsumerRunner, GroupHandler, Handler
from .db import Database, with_credentials
from .events import TOPICS
from .migrations import check_at_head, grant_app_role, upgrade_to_head
from .ratelimit import BatchedLimiter, RateLimiter
from .relay import OutboxRelay, ensure_topics, kafka_options, make_producer, outbox_channel
from .settings import ServiceSettings, UnsafeConfiguration
from .signing import KeyRing, Signer, load_or_create_signer, load_private
from .tables import MessagingTables
from .uow import UnitOfWork

log = logging.getLogger(__name__)
Job = Callable[["Runtime"], Awaitable[None]]


@dataclass
class ServiceSpec:
    """Everything that makes one service itself; the rest of the plumbing is shared."""

    name: str  # "claims", "fund-ledger", ...: also its producer name and consumer group
    metadata: MetaData
    tables: MessagingTables
    migrations: Path
    handlers: dict[str, Handler] = field(default_factory=dict)
    group_handlers: dict[str, GroupHandler] = field(default_factory=dict)  # bursts of one type at once
    consumes: tuple[str, ...] = ()  # names of the services whose topics it reads
    jobs: dict[str, Job] = field(default_factory=dict)  # extra supervised loops (daily rules, retries)
    # Tables whose rows are never updated or deleted (journals), with the columns that may still change
    # (a pending transfer's status); on PostgreSQL the service's role is granted exactly that.
    append_only: dict[str, tuple[str, ...]] = field(default_factory=dict)


async def migrate(spec: ServiceSpec, settings: ServiceSettings, db: Database | None = None) -> None:
    """Bring the schema to head (under the migration lock), as the migration role when one is named,
    then grant the service's own role what it needs (``database_app_role``)."""
    own = db is None or bool(settings.migration_database_user)
    if own:
        db = Database(with_credentials(
            settings.database_url,
            user=settings.migration_database_user,
            password=settings.migration_database_password or settings.database_password,
        ))
    try:
        await upgrade_to_head(db, spec.migrations)
        if settings.database_app_role:
            await grant_app_role(db, settings.database_app_role, {"audit_trail": (), **spec.append_only})
    finally:
        if own:
            await db.dispose()


async def prepare_database(spec: ServiceSpec, settings: ServiceSettings, db: Database) -> None:
    """Migrate at start (dev, tests, one-process deployments) or check that `migrate` has run (production)."""
    if settings.migrate_on_start:
        await migrate(spec, settings, db)
    else:
        await check_at_head(db, spec.migrations, spec.name)


class Supervisor:
    """Runs named loops; one that crashes is logged and restarted with backoff; stop() cancels all."""

    def __init__(self) -> None:
        self.tasks: dict[str, asyncio.Task] = {}
        self.restarts: dict[str, int] = {}

    def start(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        self.tasks[name] = asyncio.create_task(self._keep(name, factory), name=name)

    async def _keep(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        delay = 0.5
        while True:
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a supervised loop must come back, whatever broke it
                self.restarts[name] = self.restarts.get(name, 0) + 1
                log.exception("supervised task crashed; restarting", extra={"task": name, "delay_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks.clear()


DEV_KEYS_DIR = "var/keys"


def event_keys(settings: ServiceSettings, service: str) -> tuple[Signer, KeyRing]:
    """The service's signing key and the producers' public keys, as the settings say.

    Production names the key (``<PREFIX>EVENT_SIGNING_KEY_FILE``) and the public keys (a directory, a
    setting or both). Dev mode and tests make the key at first start in the keys directory and publish
    its public half there, where the other services of the machine find it.
    """
    folder = settings.event_keys_dir or (DEV_KEYS_DIR if settings.dev_mode else "")
    keys_dir = Path(folder) if folder else None
    if settings.event_signing_key:
        signer = Signer(service, load_private(settings.event_signing_key))
    elif (settings.dev_mode or settings.event_keys_generate) and keys_dir is not None:
        signer = load_or_create_signer(keys_dir, service)
    else:
        prefix = settings.model_config.get("env_prefix", "")
        raise UnsafeConfiguration(
            f"{service} has no event signing key: set {prefix}EVENT_SIGNING_KEY_FILE to its Ed25519 private key"
        )
    keyring = KeyRing(keys_dir, settings.event_public_keys)
    keyring.add(service, signer.key.public_key())  # its own events verify even where it reads its own topic
    return signer, keyring


class Runtime:
    """The composition root's product, kept on ``app.state.runtime``."""

    def __init__(self, spec: ServiceSpec, settings: ServiceSettings) -> None:
        self.spec, self.settings = spec, settings
        self.db = Database(with_credentials(settings.database_url, password=settings.database_password))
        # Rate-limit counters live in this database, so all replicas of the service share them: exact for
        # the few limited actions (objections, sign-ins), batched for the budget every request draws on.
        self.limiter = RateLimiter(self.db, spec.tables.rate_limit)
        self.request_limiter = BatchedLimiter(self.db, spec.tables.rate_limit)
        self.supervisor = Supervisor()
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: ConsumerRunner | None = None
        self.kafka_ready = False
        self.signer: Signer | None = None
        self.keyring: KeyRing | None = None

    def uow(self) -> UnitOfWork:
        """A fresh unit of work whose commit signs its events into the outbox and wakes the relay."""
        return UnitOfWork(self.db, self.spec.tables, self.spec.name, on_commit=self._wake_relay, signer=self.signer,
                          audit_context=current_audit.get())

    def _wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.notify()

    def load_keys(self) -> None:
        """Read (or, in dev and tests, make) the event keys; refuses to go on without a signing key."""
        self.signer, self.keyring = event_keys(self.settings, self.spec.name)

    async def start(self) -> None:
        self.load_keys()
        await prepare_database(self.spec, self.settings, self.db)
        if self.settings.kafka_bootstrap:
            self.supervisor.start("kafka", self._run_kafka)
        for name, job in self.spec.jobs.items():
            self.supervisor.start(name, lambda job=job: job(self))

    async def _run_kafka(self) -> None:
        """Connect to the broker (retried by the supervisor until it answers), then relay and consume."""
        bootstrap = self.settings.kafka_bootstrap
        topics = [TOPICS[name] for name in (self.spec.name, *self.spec.consumes)]
        options = kafka_options(self.settings)
        await ensure_topics(bootstrap, topics, self.settings.kafka_partitions, **options)
        producer = make_producer(bootstrap, **options)
        await producer.start()
        try:
            self.producer = producer
            self.relay = OutboxRelay(
                self.db,
                self.spec.tables,
                producer,
                batch_size=self.settings.relay_batch_size,
                poll_s=self.settings.relay_poll_interval_s,
                channel=outbox_channel(self.spec.name),
            )
            loops = [self.relay.run()]
            if self.spec.consumes and self.spec.handlers:
                self.consumer = ConsumerRunner(
                    bootstrap=bootstrap,
                    group=self.spec.name,
                    topics=[TOPICS[name] for name in self.spec.consumes],
                    handlers=self.spec.handlers,
                    uow_factory=self.uow,
                    dlq_producer=producer,
                    keyring=self.keyring,
                    max_attempts=self.settings.consumer_max_attempts,
                    backoff_s=self.settings.consumer_retry_backoff_s,
                    group_handlers=self.spec.group_handlers,
                    client_options=options,
                )
                loops.append(self.consumer.run())
            self.kafka_ready = True
            await asyncio.gather(*loops)
        finally:
            self.kafka_ready = False
            await producer.stop()

    async def stop(self) -> None:
        await self.supervisor.stop()
        await self.db.dispose()

