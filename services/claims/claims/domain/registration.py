"""A loan as a bank declares it, and the rule that decides whether a number registered before is the same loan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .eligibility import LoanFacts

# The bank's words for what it declared, in the order a difference is reported.
DECLARED = (("uscc", "uscc"), ("principal_fen", "principal"), ("rate_ppm", "annual_rate"), ("issued_on", "issued_on"),
            ("matures_on", "matures_on"), ("purpose_category", "purpose_category"), ("loan_type", "loan_type"),
            ("through_platform", "through_platform"), ("first_loan", "first_loan"), ("purpose", "purpose"),
            ("product_id", "product_id"))


@dataclass(frozen=True)
class Application:
    """One loan as the bank's core system declares it (already well-formed: types, money, rate)."""

    bank_loan_no: str
    principal_fen: int
    facts: LoanFacts
    purpose: str
    product_id: str | None

    def declared(self) -> dict[str, Any]:
        """The declared values by their internal names."""
        f = self.facts
        return {"uscc": f.uscc, "principal_fen": self.principal_fen, "rate_ppm": f.rate_ppm, "issued_on": f.issued_on,
                "matures_on": f.matures_on, "purpose_category": f.purpose_category, "loan_type": f.loan_type,
                "through_platform": f.through_platform, "first_loan": f.first_loan, "purpose": self.purpose,
                "product_id": self.product_id}

    def first_difference(self, other: "Application") -> str | None:
        """The first declared field (in the bank's words) in which two declarations of one number differ."""
        mine, theirs = self.declared(), other.declared()
        return next((word for key, word in DECLARED if mine[key] != theirs[key]), None)
