"""Events that prove who sent them: each service signs its envelopes with its own Ed25519 key.

The signature covers the topic and the whole envelope (canonical JSON: sorted keys, no spaces), so an
event cannot be altered, attributed to another producer, or moved to another topic without failing
verification. It travels inside the envelope as ``"signature": {"alg", "kid", "sig"}``; the outbox keeps
the signed bytes, so a replay or a dead-letter re-drive republishes the original signature.

Keys. A key id is ``<service>:<first 16 hex of sha256(raw public key)>``, so a rotated key gets a new id
and both verify while consumers hold both public keys. Public keys are looked up by producer:
``<keys_dir>/<service>/<fingerprint>.pub`` (PEM) and the ``event_public_keys`` setting; an unknown key
id re-reads the directory (at most once a second) before the event is refused.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

log = logging.getLogger(__name__)
ALG = "Ed25519"
DOMAIN = b"xinyidai-event-v1\n"  # binds signatures to this use: they mean nothing elsewhere
RESCAN_S = 1.0


class EventRefused(Exception):
    """An event that must not be applied: unsigned, mis-signed, from the wrong producer or topic."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, compact; the same for producer and consumer."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def _message(topic: str, document: dict[str, Any]) -> bytes:
    return DOMAIN + topic.encode() + b"\n" + canonical(document)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(service: str, key: Ed25519PublicKey) -> str:
    """``<service>:<fingerprint>``: the producer's name and the first 16 hex digits of the key's hash."""
    return f"{service}:{hashlib.sha256(raw_public(key)).hexdigest()[:16]}"


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_private(text: str | bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or base64 of the 32 raw bytes."""
    data = text.encode() if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        key = serialization.load_pem_private_key(data, password=None)
    else:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(data.strip()))
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the event signing key must be an Ed25519 key")
    return key


def load_public(text: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo) or base64 of the 32 raw bytes."""
    data = text.encode() if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        key = serialization.load_pem_public_key(data)
    else:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip()))
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("an event public key must be an Ed25519 key")
    return key


@dataclass(frozen=True)
class Signer:
    """A service's signing key."""

    service: str
    key: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return key_id(self.service, self.key.public_key())

    def sign(self, topic: str, document: dict[str, Any]) -> bytes:
        """The signed envelope bytes for ``document`` published on ``topic``."""
        signature = {"alg": ALG, "kid": self.kid, "sig": _b64(self.key.sign(_message(topic, document)))}
        return canonical({**document, "signature": signature})


def _publish_public(keys_dir: Path, service: str, key: Ed25519PublicKey) -> None:
    folder = keys_dir / service
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key_id(service, key).split(':', 1)[1]}.pub"
    if not target.exists():
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(public_pem(key))
        tmp.replace(target)  # atomic: a consumer scanning the folder never reads half a key


def load_or_create_signer(keys_dir: Path, service: str) -> Signer:
    """Dev and tests: the service's key under ``keys_dir/private``, made at first start; its public key
    is published to ``keys_dir/<service>/`` so every consumer on the machine finds it."""
    private_dir = keys_dir / "private"
    private_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = private_dir / f"{service}.pem"
    if not path.exists():
        fresh = Ed25519PrivateKey.generate()
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_pem(fresh))
        try:
            os.link(tmp, path)  # first writer wins when two replicas start at once
        except FileExistsError:
            pass
        tmp.unlink()
    signer = Signer(service, load_private(path.read_bytes()))
    _publish_public(keys_dir, service, signer.key.public_key())
    return signer


@dataclass
class KeyRing:
    """Producers' public keys, by key id; re-reads the keys directory when it meets an unknown id."""

    keys_dir: Path | None = None
    configured: dict[str, list[str]] = field(default_factory=dict)  # producer -> PEM or base64 keys
    _keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    _scanned_at: float = float("-inf")

    def __post_init__(self) -> None:
        for producer, texts in self.configured.items():
            for text in texts:
                self.add(producer, load_public(text))
        self._scan()

    def add(self, producer: str, key: Ed25519PublicKey) -> None:
        self._keys[key_id(producer, key)] = key

    def _scan(self) -> None:
        self._scanned_at = time.monotonic()
        if self.keys_dir is None or not self.keys_dir.is_dir():
            return
        for path in self.keys_dir.glob("*/*.pub"):
            if path.parent.name == "private":
                continue
            try:
                self.add(path.parent.name, load_public(path.read_bytes()))
            except (ValueError, OSError):
                log.warning("unreadable event public key skipped", extra={"path": str(path)})

    def lookup(self, kid: str) -> Ed25519PublicKey | None:
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._scanned_at >= RESCAN_S:
            self._scan()
            key = self._keys.get(kid)
        return key

    def verify(self, topic: str, document: dict[str, Any]) -> dict[str, Any]:
        """The envelope without its signature, or ``EventRefused`` saying why it cannot be trusted.

        Checks: a signature is present, its key id names the envelope's producer, the key is known, and
        the signature verifies over the topic and the envelope.
        """
        document = dict(document)
        signature = document.pop("signature", None)
        if not isinstance(signature, dict) or not signature.get("sig") or not signature.get("kid"):
            raise EventRefused("EVENT_UNSIGNED", "the envelope carries no signature")
        if signature.get("alg") != ALG:
            raise EventRefused("EVENT_SIGNATURE_INVALID", f"algorithm {signature.get('alg')!r} is not {ALG}")
        kid = str(signature["kid"])
        producer = document.get("producer")
        if kid.split(":", 1)[0] != producer:
            raise EventRefused("EVENT_SIGNER_MISMATCH", f"signed by {kid}, but the envelope names producer {producer!r}")
        key = self.lookup(kid)
        if key is None:
            raise EventRefused("EVENT_KEY_UNKNOWN", f"no public key {kid} is known for {producer}")
        try:
            key.verify(_unb64(str(signature["sig"])), _message(topic, document))
        except (InvalidSignature, ValueError) as exc:
            raise EventRefused("EVENT_SIGNATURE_INVALID", f"the signature by {kid} does not verify on {topic}") from exc
        return document


def main(argv: list[str] | None = None) -> int:
    """``python -m xinyidai_shared.signing <service> <out-dir>``: a new key pair for a production secret.

    Writes ``<out-dir>/private/<service>.pem`` (mode 0600: the secret) and
    ``<out-dir>/<service>/<fingerprint>.pub`` (for every consumer's keys folder) and prints the key id.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m xinyidai_shared.signing", description=main.__doc__)
    parser.add_argument("service")
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    print(load_or_create_signer(args.out_dir, args.service).kid)
    return 0


__all__ = ["EventRefused", "KeyRing", "Signer", "canonical", "key_id", "load_or_create_signer", "load_private", "load_public"]


if __name__ == "__main__":
    raise SystemExit(main())
