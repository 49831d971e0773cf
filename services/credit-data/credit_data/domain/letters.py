"""Credit commitment letters (信用承诺书): a signed PDF, checked, fingerprinted, void when identity changes."""

from __future__ import annotations

import hashlib

from xinyidai_shared.errors import DomainError, ErrorKind, Invalid

PDF_MAGIC = (b"%PDF-1.", b"%PDF-2.")
EOF_WINDOW = 2048  # real PDFs may carry a little trailing whitespace or garbage after %%EOF


def check_letter(content: bytes, *, max_bytes: int) -> str:
    """The SHA-256 of a letter that is a PDF within the size limit; a typed error otherwise."""
    if not content:
        raise Invalid("LETTER_EMPTY", "the uploaded letter is empty", field="file")
    if len(content) > max_bytes:
        raise DomainError("LETTER_TOO_LARGE", f"a letter may be at most {max_bytes} bytes", kind=ErrorKind.TOO_LARGE)
    if not content.startswith(PDF_MAGIC) or b"%%EOF" not in content[-EOF_WINDOW:]:
        raise DomainError("LETTER_NOT_PDF", "the letter must be a complete PDF file", kind=ErrorKind.UNSUPPORTED)
    return hashlib.sha256(content).hexdigest()


def identity_changed(old_name: str | None, old_rep: str | None, new_name: str, new_rep: str) -> bool:
    """A new name or legal representative voids the letter signed under the old identity (Plan 4.4.2)."""
    if old_name is None and old_rep is None:
        return False
    return (old_name or "") != new_name or (old_rep or "") != new_rep


def void_reason_code(old_name: str | None, old_rep: str | None, new_name: str, new_rep: str) -> str | None:
    """Why an identity change voids the letter, or None when it does not.

    The legal representative signed the letter, so a new one is the reason even when the name changed too.
    """
    if not identity_changed(old_name, old_rep, new_name, new_rep):
        return None
    return "LEGAL_REPRESENTATIVE_CHANGED" if (old_rep or "") != new_rep else "NAME_CHANGED"
