"""Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

from .errors import Invalid

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (weighted sum modulo 31, per GB 32100-2015)."""
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    if not isinstance(code, str) or len(code) != 18:
        return "a USCC has exactly 18 characters"
    if any(ch not in CHARSET for ch in code):
        return "a USCC uses digits and the capitals of GB 32100 only (no I, O, S, V, Z)"
    if not code[2:8].isdigit():
        return "positions 3-8 must be the registration division code (digits)"
    if check_character(code[:17]) != code[17]:
        return f"check character should be {check_character(code[:17])}, not {code[17]}"
    return None


def validate_uscc(code: str) -> str:
    """Return the code when valid; raise ``Invalid`` with code ``USCC_INVALID`` otherwise."""
    problem = uscc_problem(code)
    if problem is not None:
        raise Invalid("USCC_INVALID", f"{code!r}: {problem}", field="uscc")
    return code


def division_code(code: str) -> str:
    """The registration-authority administrative division (positions 3-8), e.g. 211382 for Lingyuan."""
    return code[2:8]


def make_uscc(body: str, *, division: str = "211382", prefix: str = "91") -> str:
    """Build a valid USCC from a 9-character organisation body (tests, demo data, fixtures)."""
    first17 = f"{prefix}{division}{body}"
    if len(first17) != 17:
        raise ValueError("prefix(2) + division(6) + body(9) must be 17 characters")
    if any(ch not in CHARSET for ch in first17):
        raise ValueError(f"{first17!r} uses characters outside GB 32100's set (no I, O, S, V, Z)")
    return first17 + check_character(first17)
