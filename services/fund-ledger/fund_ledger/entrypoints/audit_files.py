"""The audit pack as files: statement.json, journal.csv, report.pdf (and a zip of the three for the API)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from xinyidai_shared.money import format_fen

from ..adapters.pdf import render_audit_pdf
from ..service_layer.audit import AuditPack


def statement_json(pack: AuditPack) -> str:
    """The statement with amounts as exact yuan text."""

    def yuan(value):  # noqa: ANN001, ANN202
        if isinstance(value, dict):
            return {k: yuan(v) for k, v in value.items()}
        return format_fen(value) if isinstance(value, int) else value

    doc = {(k[:-4] if k.endswith("_fen") else k): (yuan(v) if k.endswith("_fen") else v) for k, v in pack.statement.items()}
    doc["cash_by_day"] = [[d.isoformat(), format_fen(v)] for d, v in pack.cash_by_day]
    return json.dumps(doc, ensure_ascii=False, indent=2)


def pack_files(pack: AuditPack) -> dict[str, bytes]:
    """File name → content for one year's pack."""
    return {
        f"statement-{pack.year}.json": statement_json(pack).encode(),
        f"journal-{pack.year}.csv": pack.journal_csv.encode(),
        f"audit-trail-{pack.year}.csv": pack.audit_trail_csv.encode(),
        f"report-{pack.year}.pdf": render_audit_pdf(pack),
    }


def write_pack(pack: AuditPack, out_dir: Path) -> list[Path]:
    """Write the pack's files into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in pack_files(pack).items():
        path = out_dir / name
        path.write_bytes(content)
        written.append(path)
    return written


def zip_pack(pack: AuditPack) -> bytes:
    """The pack as one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in pack_files(pack).items():
            archive.writestr(name, content)
    return buffer.getvalue()
