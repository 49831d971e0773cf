"""Pure rules of the shared package: money, USCC, the event contract."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from xinyidai_shared import events
from xinyidai_shared.events import ClaimApproved, Envelope, LoanOverdue, UnknownEvent, envelope_for
from xinyidai_shared.money import MoneyFormatError, Yuan, YuanIn, apply_fraction, apply_ratio_bp, format_fen, parse_yuan
from xinyidai_shared.uscc import check_character, make_uscc, uscc_problem, validate_uscc


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0", 0), ("0.01", 1), ("1.5", 150), ("123.45", 12345), ("10000000.00", 1_000_000_000), ("999999999999999.99", 99999999999999999)],
)
def test_yuan_text_parses_to_exact_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen
    assert parse_yuan(format_fen(fen)) == fen


@pytest.mark.parametrize("text", ["1.001", "1e3", "-1.00", "1,000.00", "", " ", "NaN", "0x10", "1.", ".5", "１２３", "1٫00", "١٢"])
def test_inexact_or_negative_yuan_text_is_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_yuan(text)


def test_negative_amounts_only_when_asked_for() -> None:
    assert parse_yuan("-0.05", allow_negative=True) == -5
    assert format_fen(-5) == "-0.05"


def test_one_rounding_rule_half_up_to_the_fen() -> None:
    assert apply_ratio_bp(1_000_000_00, 3000) == 300_000_00
    assert apply_ratio_bp(5, 5000) == 3  # 2.5 fen -> 3
    assert apply_ratio_bp(3, 5000) == 2  # 1.5 fen -> 2
    assert apply_ratio_bp(1, 4999) == 0  # 0.4999 fen -> 0
    assert apply_fraction(100, 1, 3) == 33
    assert apply_fraction(200, 1, 3) == 67
    assert apply_fraction(-5, 1, 2) == -3  # half away from zero for reversals


class _Body(BaseModel):
    amount: Yuan


def test_api_money_field_accepts_strings_refuses_floats_and_serialises_exactly() -> None:
    assert _Body(amount="12.30").amount == 1230
    assert _Body(amount="12.30").model_dump(mode="json") == {"amount": "12.30"}
    with pytest.raises(ValidationError):
        _Body(amount=12.3)
    with pytest.raises(ValidationError):
        _Body(amount="12.345")
    with pytest.raises(ValidationError, match="decimal string"):
        _Body.model_validate_json('{"amount": 5000000}')  # yuan or fen? refused, not guessed
    assert _Body.model_validate_json('{"amount": "5000000"}').amount == 500_000_000
    assert _Body(amount=1230).amount == 1230  # our own code passes fen


class _Request(BaseModel):
    amount: YuanIn


def test_request_money_refuses_numbers_even_in_python_mode_as_fastapi_validates() -> None:
    assert _Request.model_validate({"amount": "0.10"}).amount == 10
    for number in (5000000, 0.1, True):
        with pytest.raises(ValidationError, match="decimal string"):
            _Request.model_validate({"amount": number})
    assert _Request.model_json_schema()["properties"]["amount"]["type"] == "string"


def test_uscc_check_character_follows_gb32100() -> None:
    assert uscc_problem("91350100M000100Y43") is None  # a published sample code
    assert "check character should be" in uscc_problem("91350100M000100Y44")
    assert uscc_problem("91350100M000100Y4") == "a USCC has exactly 18 characters"
    assert "no I, O, S, V, Z" in uscc_problem("91350100M000100YI3")
    code = make_uscc("MA0TEXT01")
    assert code.startswith("91211382") and code[-1] == check_character(code[:17])
    assert validate_uscc(code) == code


def test_invalid_uscc_raises_a_domain_error_naming_the_field() -> None:
    with pytest.raises(Exception) as info:
        validate_uscc("91211382MA0TEXT01X")
    assert info.value.code == "USCC_INVALID" and info.value.extra == {"field": "uscc"}


def test_every_event_named_in_the_design_is_registered_once_with_a_version() -> None:
    names = {
        "CreditRatingChanged", "DishonestyRecorded", "DishonestyRemoved", "RiskAlertRaised", "EnterpriseRecommended",
        "EnterpriseDelisted", "CompensationPaid", "CompensationBlocked", "FundDeposited", "FundBalanceLow",
        "LoanRegistered", "LoanOverdue", "LoanClassifiedAsLoss", "LoanRepaid", "LoanDefaultedMaliciously",
        "InterestIncomeReported", "ClaimSubmitted", "ClaimApproved", "ClaimRejected", "RecoveryReported", "ClawbackOrdered",
        "CommitmentLetterPublished", "CommitmentLetterVoided", "WorkingCalendarChanged", "LoanCured",
        "CreditAuthorisationGranted", "CreditAuthorisationRevoked",
    }  # fmt: skip
    ours = {key: model for key, model in events.REGISTRY.items() if model.producer != "probe"}  # probe: tests only
    assert {t for t, _ in ours} == names
    for model in ours.values():
        assert model.producer in ("credit-data", "whitelist", "fund-ledger", "claims")
    for name in names:  # versions run 1, 2, ... with no gap, so a consumer can decode every one still sent
        versions = sorted(v for t, v in ours if t == name)
        assert versions == list(range(1, len(versions) + 1)), name
    assert events.REGISTRY[("EnterpriseRecommended", 2)] is events.EnterpriseRecommended
    assert events.REGISTRY[("LoanDefaultedMaliciously", 2)] is events.LoanDefaultedMaliciously


def _overdue() -> LoanOverdue:
    return LoanOverdue(loan_id="ln-1", bank_id="b", uscc=make_uscc("MA0TEXT01"), days_past_due=91, overdue_principal_fen=5, as_of=date(2026, 5, 1))


def test_envelope_round_trips_and_is_keyed_by_the_aggregate() -> None:
    env = envelope_for(_overdue(), correlation_id="c-1")
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env and again.key == "ln-1" and again.producer == "claims"
    assert again.decode() == _overdue()
    assert again.occurred_at.tzinfo is not None


def test_payloads_are_frozen_and_refuse_unknown_fields() -> None:
    event = _overdue()
    with pytest.raises(ValidationError):
        event.days_past_due = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        LoanOverdue(**event.model_dump(), surprise=True)


def test_envelope_refuses_naive_times_and_normalises_to_utc() -> None:
    body = dict(type="LoanOverdue", version=1, producer="claims", key="k", payload={})
    with pytest.raises(ValidationError):
        Envelope(occurred_at=datetime(2026, 1, 1), **body)
    shanghai = timezone(timedelta(hours=8))
    assert Envelope(occurred_at=datetime(2026, 1, 1, 8, tzinfo=shanghai), **body).occurred_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_unknown_type_or_version_is_reported_not_guessed() -> None:
    env = Envelope(id=uuid.uuid4(), type="LoanOverdue", version=99, occurred_at=datetime.now(UTC), producer="claims", key="k", payload={})
    with pytest.raises(UnknownEvent):
        env.decode()


def test_claim_approved_carries_what_the_ledger_needs_to_cap_the_payment() -> None:
    fields = set(ClaimApproved.model_fields)
    assert {"principal_at_loss_fen", "ratio_bp", "per_loan_cap_fen", "bank_cap_fen", "bank_id", "claim_id"} <= fields
