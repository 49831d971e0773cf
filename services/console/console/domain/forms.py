"""A service's refusal, placed next to the field it concerns (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Refusals whose `code` names a field without an `errors` list: the form field they belong to.
CODE_FIELDS: dict[str, str] = {
    "USCC_INVALID": "uscc",
    "PERSON_REQUIRED": "person",
    "ORGANISATION_UNKNOWN": "org_id",
    "REASON_REQUIRED": "reason",
    "REASON_TEXT_REQUIRED": "reason",
    "REASON_UNKNOWN": "reason_code",
    "AMOUNT_INVALID": "amount",
    "MONEY_INVALID": "amount",
    "TRANSFER_ID_REUSED": "transfer_id",
    "OBJECTION_TOO_LARGE": "text",
    "MATERIAL_TOO_LARGE": "file",
    "MATERIAL_TYPE_NOT_ALLOWED": "file",
    "LETTER_TOO_LARGE": "file",
    "LETTER_NOT_PDF": "file",
}


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)
    general: str = ""
    code: str = ""

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)


def _leaf(name: str) -> str:
    """`body.records.0.amount` and `amount` both name the form field `amount`."""
    parts = [p for p in name.split(".") if p and p not in {"body", "query", "path"} and not p.isdigit()]
    return parts[-1] if parts else ""


def place(status: int, code: str, detail: str, errors: list[dict], extra: dict, known: set[str]) -> FormErrors:
    """Put each reason next to a field the form has (``known``); what fits no field is said above the form."""
    out = FormErrors(code=code)
    for e in errors:
        name = _leaf(str(e.get("field") or e.get("loc") or ""))
        reason = str(e.get("reason") or e.get("msg") or detail)
        if name in known:
            out.fields.setdefault(name, reason)
        else:
            out.general = f"{out.general} {name}: {reason}".strip() if name else (out.general or reason)
    named = extra.get("field")
    target = named if isinstance(named, str) and named in known else CODE_FIELDS.get(code)
    if not out.fields and target in known:
        out.fields[target] = detail
    elif not out.fields and not out.general:
        out.general = detail
    if status >= 500 and not out.general:
        out.general = detail
    return out
