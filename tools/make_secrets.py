"""Make the secret files docker-compose.yml reads: `python tools/make_secrets.py secrets`.

Writes random passwords (database owner and app roles, Kafka users, PostgreSQL superuser, Kafka admin),
the shared token secret and one Ed25519 event-signing key per service into the folder, and the public
halves of the event keys under ``<folder>/event-keys/<service>/`` (mounted read-only into every
service). Files that exist are kept, so running it again changes nothing; delete a file to rotate it.
The folder is git-ignored and made readable by its owner only; the files themselves are readable by
the containers' unprivileged user (compose bind-mounts them as they are).
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinyidai_shared.signing import Signer, key_id, load_private, private_pem, public_pem

SERVICES = ("credit-data", "whitelist", "fund-ledger", "claims")


def _write(path: Path, content: bytes) -> bool:
    if path.exists():
        return False
    path.write_bytes(content)
    path.chmod(0o644)
    return True


def make(folder: Path) -> list[str]:
    """Create what is missing; return the names written."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    written = []
    passwords = ["postgres_password", "kafka_admin_password"]
    for service in SERVICES:
        stem = service.replace("-", "_")
        passwords += [f"{stem}_owner_password", f"{stem}_app_password", f"{stem}_kafka_password"]
    for name in passwords:
        if _write(folder / name, secrets.token_urlsafe(32).encode()):
            written.append(name)
    if _write(folder / "auth_secret", secrets.token_hex(32).encode()):
        written.append("auth_secret")
    for service in SERVICES:
        private = folder / f"{service.replace('-', '_')}_event_key"
        if _write(private, private_pem(Ed25519PrivateKey.generate())):
            written.append(private.name)
        signer = Signer(service, load_private(private.read_bytes()))
        public = folder / "event-keys" / service / f"{key_id(service, signer.key.public_key()).split(':', 1)[1]}.pub"
        public.parent.mkdir(parents=True, exist_ok=True)
        if _write(public, public_pem(signer.key.public_key())):
            written.append(str(public.relative_to(folder)))
    return written


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "secrets")
    written = make(folder)
    print(f"{folder}: wrote {len(written)} file(s)" + "".join(f"\n  {name}" for name in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
