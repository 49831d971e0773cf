"""The six materials of Measures art.10 and the checks an uploaded file must pass."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from xinyidai_shared.errors import DomainError, ErrorKind, Invalid


class MaterialKind(StrEnum):
    BUSINESS_LICENCE = "business_licence"  # 1. 营业执照 (and tax / organisation code certificates)
    OPERATIONS = "operations"  # 2. 生产经营情况说明: scope, products, technology, employees
    TAX_PROOF = "tax_proof"  # 3. 依法纳税、无拖欠税款证明
    CREDIT_REPORT = "credit_report"  # 4. 企业信用报告
    LOAN_REQUEST = "loan_request"  # 5. 贷款情况: purpose, repayment plan, source of funds
    OTHER = "other"  # 6. 其他需提供的资料


# Item 6 is "other material that needs to be provided": only when asked for, so it is optional.
REQUIRED_MATERIALS: tuple[MaterialKind, ...] = tuple(kind for kind in MaterialKind if kind is not MaterialKind.OTHER)

# What an upload may be, recognised by its first bytes, never trusting the declared type alone.
ALLOWED_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff_content_type(content: bytes) -> str | None:
    """The allowed media type whose signature ``content`` starts with, or None."""
    for media_type, signatures in ALLOWED_TYPES.items():
        if any(content.startswith(signature) for signature in signatures):
            return media_type
    return None


def check_upload(declared_type: str | None, content: bytes, *, max_bytes: int) -> str:
    """The media type of a valid upload; refuses empty, oversized and unrecognised files."""
    if not content:
        raise Invalid("MATERIAL_EMPTY", "the uploaded file is empty", field="file")
    if len(content) > max_bytes:
        raise DomainError(
            "MATERIAL_TOO_LARGE", f"the file has {len(content)} bytes; the limit is {max_bytes}", kind=ErrorKind.TOO_LARGE
        )
    sniffed = sniff_content_type(content)
    if sniffed is None:
        raise DomainError(
            "MATERIAL_TYPE_UNSUPPORTED",
            f"only {', '.join(ALLOWED_TYPES)} are accepted; the content is none of them",
            kind=ErrorKind.UNSUPPORTED,
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", sniffed):
        raise DomainError(
            "MATERIAL_TYPE_MISMATCH",
            f"declared as {declared} but the content is {sniffed}",
            kind=ErrorKind.UNSUPPORTED,
        )
    return sniffed


def missing_materials(present: Iterable[str]) -> list[MaterialKind]:
    """The required materials not yet uploaded, in art.10 order."""
    have = set(present)
    return [kind for kind in REQUIRED_MATERIALS if kind.value not in have]
