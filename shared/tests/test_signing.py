"""Event signatures: what verifies, what is refused and why, key rotation, and where keys come from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinyidai_shared.consumer import authenticate
from xinyidai_shared.events import TOPICS, CompensationPaid, envelope_for
from xinyidai_shared.runtime import event_keys
from xinyidai_shared.settings import ServiceSettings, UnsafeConfiguration, settings_config
from xinyidai_shared.signing import EventRefused, KeyRing, Signer, load_or_create_signer, private_pem, public_pem
from xinyidai_shared.testing import TEST_SECRET


class FundSettings(ServiceSettings):
    model_config = settings_config("FUND_LEDGER_")


def _paid():  # noqa: ANN202
    return envelope_for(CompensationPaid(
        claim_id="c1", loan_id="l1", bank_id="b1", uscc="91211382MA0Y8G8L7T", amount_fen=1,
        transfer_id="t1", paid_at=datetime(2026, 1, 1, tzinfo=UTC),
    ))


def _signed(signer: Signer, topic: str = TOPICS["fund-ledger"]) -> tuple[bytes, object]:
    envelope = _paid()
    return signer.sign(topic, envelope.model_dump(mode="json")), envelope


def test_a_rotated_key_and_the_old_one_both_verify_while_both_are_published(tmp_path: Path) -> None:
    old, new = Signer("fund-ledger", Ed25519PrivateKey.generate()), Signer("fund-ledger", Ed25519PrivateKey.generate())
    assert old.kid != new.kid and old.kid.startswith("fund-ledger:")
    ring = KeyRing(None, {"fund-ledger": [public_pem(old.key.public_key()).decode(), public_pem(new.key.public_key()).decode()]})
    for signer in (old, new):
        raw, envelope = _signed(signer)
        authenticate(ring, TOPICS["fund-ledger"], raw, envelope)
    retired = KeyRing(None, {"fund-ledger": [public_pem(new.key.public_key()).decode()]})
    raw, envelope = _signed(old)
    with pytest.raises(EventRefused) as refused:
        authenticate(retired, TOPICS["fund-ledger"], raw, envelope)
    assert refused.value.code == "EVENT_KEY_UNKNOWN"


def test_an_unknown_key_id_rereads_the_keys_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("xinyidai_shared.signing.RESCAN_S", 0.0)
    ring = KeyRing(tmp_path)  # empty when the consumer starts
    signer = load_or_create_signer(tmp_path, "fund-ledger")  # the producer starts later and publishes its key
    raw, envelope = _signed(signer)
    authenticate(ring, TOPICS["fund-ledger"], raw, envelope)
    assert (tmp_path / "private" / "fund-ledger.pem").stat().st_mode & 0o077 == 0  # private key: owner only
    assert load_or_create_signer(tmp_path, "fund-ledger").kid == signer.kid  # made once, then reused


def test_a_changed_topic_or_payload_breaks_the_signature(tmp_path: Path) -> None:
    signer = Signer("fund-ledger", Ed25519PrivateKey.generate())
    ring = KeyRing(None, {"fund-ledger": [public_pem(signer.key.public_key()).decode()]})
    raw, envelope = _signed(signer)
    document = orjson.loads(raw)
    document["payload"]["amount_fen"] = 2
    with pytest.raises(EventRefused, match="EVENT_SIGNATURE_INVALID"):
        ring.verify(TOPICS["fund-ledger"], document)
    with pytest.raises(EventRefused, match="EVENT_SIGNATURE_INVALID"):
        ring.verify("xyd.fund-ledger.events.copy", orjson.loads(raw))  # signed for one topic only
    with pytest.raises(EventRefused, match="EVENT_WRONG_TOPIC"):
        authenticate(ring, TOPICS["claims"], raw, envelope)


def test_production_needs_a_signing_key_and_reads_it_from_a_secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XYD_EVENT_KEYS_DIR", "XYD_EVENT_KEYS_GENERATE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UnsafeConfiguration, match="FUND_LEDGER_EVENT_SIGNING_KEY_FILE"):
        event_keys(FundSettings(auth_secret=TEST_SECRET), "fund-ledger")
    key = Ed25519PrivateKey.generate()
    secret = tmp_path / "fund_ledger_event_key"
    secret.write_bytes(private_pem(key))
    peer = Signer("claims", Ed25519PrivateKey.generate())
    monkeypatch.setenv("FUND_LEDGER_EVENT_SIGNING_KEY_FILE", str(secret))
    monkeypatch.setenv("FUND_LEDGER_EVENT_PUBLIC_KEYS", orjson.dumps({"claims": [public_pem(peer.key.public_key()).decode()]}).decode())
    signer, ring = event_keys(FundSettings(auth_secret=TEST_SECRET), "fund-ledger")
    assert signer.kid == Signer("fund-ledger", key).kid
    assert ring.lookup(peer.kid) is not None and ring.lookup(signer.kid) is not None
