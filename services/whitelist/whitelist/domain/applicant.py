"""Who applies for an enterprise, and whose application takes precedence (no squatting on a USCC).

Anyone may apply under a USCC, but only two kinds of applicant have proven they speak for the enterprise:
the enterprise itself (its credential is issued to its USCC) and a department acting for it. An open
application by an unproven applicant never blocks a proven one: the proven application supersedes it.
"""

from __future__ import annotations

from enum import StrEnum

from xinyidai_shared.errors import Forbidden

# Roles are the plain names of ``xinyidai_shared.auth.Role`` (the domain imports no web code).
PUBLIC, ENTERPRISE, DEPARTMENT = "public", "enterprise", "department"


class Applicant(StrEnum):
    PUBLIC = PUBLIC  # anyone, identity not proven (gets a one-time applicant token)
    ENTERPRISE = ENTERPRISE  # the enterprise itself: its credential names its USCC
    DEPARTMENT = DEPARTMENT  # a department acting for the enterprise

    @property
    def proven(self) -> bool:
        """Whether this applicant has proven it speaks for the enterprise."""
        return self is not Applicant.PUBLIC


def applicant_for(role: str, org_id: str, uscc: str) -> Applicant:
    """The kind of applicant a caller is for ``uscc``; an enterprise may apply only under its own USCC."""
    kind = Applicant(role)
    if kind is Applicant.ENTERPRISE and org_id != uscc:
        raise Forbidden("NOT_YOUR_ENTERPRISE", f"an enterprise may apply only under its own USCC ({org_id})")
    return kind


def supersedes(new: Applicant, holder: Applicant) -> bool:
    """Whether ``new`` displaces an open application filed by ``holder`` (proven over unproven only)."""
    return new.proven and not holder.proven
