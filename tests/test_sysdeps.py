"""A fresh machine gets every external program the tests, demo and bench run: tools/sysdeps.txt lists them."""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "ensure_sysdeps.sh"
LIST = ROOT / "tools" / "sysdeps.txt"
SPAWNERS = {"run", "Popen", "check_output", "check_call", "call", "create_subprocess_exec"}


def _declared() -> list[tuple[set[str], str, str]]:
    needs = []
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            targets, check, package = line.split()[:3]
            needs.append((set(targets.split(",")), check, package))
    return needs


def _programs_in(path: Path) -> set[str]:
    """Programs a module starts: the literal first word of a spawned argv, and names given to shutil.which."""
    tree = ast.parse(path.read_text(), str(path))
    lists = {t.id: n.value for n in ast.walk(tree) if isinstance(n, ast.Assign) and isinstance(n.value, ast.List)
             for t in n.targets if isinstance(t, ast.Name)}  # fmt: skip
    found: set[str] = set()

    def first_word(argv: ast.expr) -> None:
        if not isinstance(argv, ast.List) or not argv.elts:
            return
        head = argv.elts[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            found.add(head.value)
        elif isinstance(head, ast.Starred) and isinstance(head.value, ast.Name) and head.value.id in lists:
            first_word(lists[head.value.id])

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in SPAWNERS:
            first_word(node.args[0])
        elif name == "which" and isinstance(node.args[0], ast.Constant):
            found.add(node.args[0].value)
    return found


def _python_files() -> list[Path]:
    roots = [ROOT / "tests", ROOT / "tools", ROOT / "bench", ROOT / "shared", ROOT / "services"]
    return [p for root in roots for p in root.rglob("*.py") if ".venv" not in p.parts]


def test_every_program_the_code_starts_is_listed_for_installation() -> None:
    listed = {check.removeprefix("cmd:") for _, check, _ in _declared() if check.startswith("cmd:")}
    started = {program: path for path in _python_files() for program in _programs_in(path)}
    unlisted = {p: str(path.relative_to(ROOT)) for p, path in started.items() if p not in listed}
    assert "pdftotext" in started, "the scan no longer finds the PDF test's pdftotext: it is broken"
    assert unlisted == {}, f"programs started but missing from tools/sysdeps.txt: {unlisted}"


def test_this_machine_has_everything_make_test_needs() -> None:
    """`make test` ran the sysdeps step first: nothing listed for it may be missing now."""
    env = {**os.environ, "XYD_SYSDEPS_NO_INSTALL": "1"}
    done = subprocess.run(["bash", str(SCRIPT), "test"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_missing_program_that_cannot_be_installed_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    needs = tmp_path / "sysdeps.txt"
    needs.write_text(
        "# comment\n"
        "test,bench cmd:xyd-absent-tool   xyd-absent-pkg  why one\n"
        "bench      cmd:xyd-bench-only    xyd-bench-pkg   why two\n"
        "test       file:/nonexistent/xyd xyd-file-pkg    why three\n"
        "test       cmd:bash              bash            present\n"
    )
    env = {**os.environ, "XYD_SYSDEPS_FILE": str(needs), "XYD_SYSDEPS_NO_INSTALL": "1"}
    done = subprocess.run(["bash", str(SCRIPT), "test"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "xyd-absent-tool (xyd-absent-pkg)" in lines[0] and "/nonexistent/xyd (xyd-file-pkg)" in lines[0]
    assert "xyd-bench-only" not in lines[0] and "bash" not in lines[0].split("needs", 1)[1]
