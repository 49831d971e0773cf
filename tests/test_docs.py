"""The project stands alone: its code and documents cite only documents that are in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = "../" + "shared/"  # spelled apart so this file does not name it
TEXT_SUFFIXES = {".md", ".py", ".txt", ".toml", ".yml", ".yaml", ".sh", ".ini", ".cfg", ".html", ".js", ".mako", ".tmpl"}
# A repository path: a top-level folder of this project, then a file with a document or code suffix.
PATH_REFERENCE = re.compile(r"(?<![\w/.-])((?:docs|shared|services|tools|bench|deploy|tests)/[\w./-]+?\.(?:md|txt|py|yml|yaml|toml|sh|json))\b")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
SECTION_REFERENCE = re.compile(r"(\S*)\s+§\s?(\d+)")


def _tracked() -> list[Path]:
    """The files git tracks (the working tree's own, when git is not there)."""
    try:
        names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts]
    return [ROOT / n for n in names if (ROOT / n).suffix in TEXT_SUFFIXES or n == "Makefile"]


def _texts() -> dict[Path, str]:
    return {p: p.read_text(errors="replace") for p in _tracked() if p.exists()}


def test_nothing_points_outside_the_repository() -> None:
    outside = [str(p.relative_to(ROOT)) for p, text in _texts().items() if OUTSIDE in text]
    assert outside == [], f"files that point outside the repository: {outside}"


def test_every_document_or_file_a_tracked_file_cites_exists() -> None:
    missing = []
    for path, text in _texts().items():
        for reference in PATH_REFERENCE.findall(text):
            if not (ROOT / reference).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {reference}")
        if path.suffix == ".md":
            for link in MARKDOWN_LINK.findall(text):
                if "://" not in link and not link.startswith("mailto:") and not (path.parent / link).exists():
                    missing.append(f"{path.relative_to(ROOT)} -> {link}")
    assert missing == [], f"references to files that do not exist: {missing}"


def test_section_references_name_the_design_document_and_an_existing_section() -> None:
    design = (ROOT / "docs" / "DESIGN.md").read_text()
    sections = set(re.findall(r"^## (\d+)\.", design, re.M))
    wrong = []
    for path, text in _texts().items():
        for document, number in SECTION_REFERENCE.findall(text):
            if not document.endswith("DESIGN.md") or number not in sections:
                wrong.append(f"{path.relative_to(ROOT)}: {document} §{number}")
    assert wrong == [], f"section references must read 'docs/DESIGN.md §N' with an existing N: {wrong}"


def test_no_stale_notes_remain() -> None:
    notes = [str(p.relative_to(ROOT)) for p in _tracked() if p.name == "NEEDS_FROM_SHARED.md"]
    assert notes == []


def test_the_conventions_list_every_shared_module_and_only_modules_that_exist() -> None:
    conventions = (ROOT / "docs" / "CONVENTIONS.md").read_text()
    block = conventions.split("shared/xinyidai_shared/", 1)[1].split("services/<name>/", 1)[0]
    listed = set(re.findall(r"^\s+(\w+\.py)\b", block, re.M))
    present = {p.name for p in (ROOT / "shared" / "xinyidai_shared").glob("*.py") if p.name != "__init__.py"}
    assert listed - present == set(), f"CONVENTIONS.md lists modules that do not exist: {sorted(listed - present)}"
    assert present - listed == set(), f"CONVENTIONS.md does not list: {sorted(present - listed)}"
    for service in ("credit-data/credit_data", "whitelist/whitelist", "fund-ledger/fund_ledger", "claims/claims"):
        for part in ("domain", "service_layer", "adapters", "entrypoints", "migrations", "schemas.py", "config.py", "app.py"):
            assert (ROOT / "services" / service / part).exists(), f"services/{service} has no {part}"
