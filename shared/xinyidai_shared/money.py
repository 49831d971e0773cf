"""Money: integer fen inside, exact decimal yuan strings at the edges, one rounding rule.

The system's one rounding rule is round-half-up to the fen, applied in ``apply_ratio_bp`` and
``apply_fraction`` only; nothing else in the code base rounds money.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema

_YUAN = re.compile(r"(?P<sign>-?)(?P<int>[0-9]{1,15})(?:\.(?P<frac>[0-9]{1,2}))?")  # ASCII digits, whole text
BP_PER_UNIT = 10_000  # basis points in 100%


class MoneyFormatError(ValueError):
    """A text that is not an exact yuan amount with at most two decimals."""


def parse_yuan(text: str, *, allow_negative: bool = False) -> int:
    """Exact yuan text ("1234.5", "0.01") to integer fen; refuses floats' habits (exponents, >2 decimals).

    The whole text must be the amount: surrounding spaces or a trailing newline are refused, not trimmed
    (an amount that arrives padded was not produced the way its sender thinks).
    """
    match = _YUAN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise MoneyFormatError(f"not an exact yuan amount with at most 2 decimals: {text!r}")
    fen = int(match["int"]) * 100 + int((match["frac"] or "0").ljust(2, "0"))
    if match["sign"]:
        fen = -fen
    if fen < 0 and not allow_negative:
        raise MoneyFormatError(f"amount must not be negative: {text!r}")
    return fen


def format_fen(fen: int) -> str:
    """Integer fen to exact yuan text with two decimals: 12345 -> "123.45"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _half_up_div(numerator: int, denominator: int) -> int:
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def apply_ratio_bp(amount_fen: int, ratio_bp: int) -> int:
    """``amount × ratio`` with the ratio in basis points, rounded half up to the fen."""
    return _half_up_div(amount_fen * ratio_bp, BP_PER_UNIT)


def apply_fraction(amount_fen: int, numerator: int, denominator: int) -> int:
    """``amount × numerator ÷ denominator`` rounded half up to the fen (e.g. recovery shares)."""
    return _half_up_div(amount_fen * numerator, denominator)


def _to_fen(value: object, info: ValidationInfo) -> int:
    # From JSON only exact text is money: a bare number is ambiguous (yuan or fen?) and may be a float.
    # From Python (our own code building a response) an int is already fen.
    if isinstance(value, str):
        return parse_yuan(value)
    if info.mode == "python" and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise MoneyFormatError("money must be a decimal string such as \"123.45\", not a number")


def _text_to_fen(value: object) -> int:
    if isinstance(value, str):
        return parse_yuan(value)
    raise MoneyFormatError("money must be a decimal string such as \"123.45\", not a number")


_SCHEMA = WithJsonSchema({"type": "string", "pattern": r"^\d{1,15}(\.\d{1,2})?$", "examples": ["1000000.00"]})

# Response/field type: holds integer fen, serialises to exact text "123.45"; our own code builds it from
# int fen, and JSON input must be text.
Yuan = Annotated[int, BeforeValidator(_to_fen), PlainSerializer(format_fen, return_type=str), _SCHEMA]

# Request type: FastAPI validates bodies in Python mode, so a request field must refuse numbers outright
# (a bare 5000000 could mean yuan or fen, and 0.1 is a float): exact decimal text only.
YuanIn = Annotated[int, BeforeValidator(_text_to_fen), PlainSerializer(format_fen, return_type=str), _SCHEMA]
