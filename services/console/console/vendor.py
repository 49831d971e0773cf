"""Copy the front-end libraries installed from the npm registry into ``console/static/vendor``.

`make install` runs ``npm ci`` in ``services/console`` (versions pinned by ``package-lock.json``) and then
``python -m console.vendor``; the copied files are build output and are not kept in the repository.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
NODE_MODULES = PACKAGE.parent / "node_modules"
VENDOR = PACKAGE / "static" / "vendor"
# file served by the console -> file inside node_modules
FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def vendor(node_modules: Path = NODE_MODULES, target: Path = VENDOR) -> list[Path]:
    """Copy every file in ``FILES``; raise FileNotFoundError naming the first one npm did not install."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name, source in FILES.items():
        path = node_modules / source
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `npm ci` in {node_modules.parent}")
        copied.append(Path(shutil.copyfile(path, target / name)))
    return copied


def missing(target: Path = VENDOR) -> list[str]:
    """Names of the vendored files not in place (the app refuses to start without them)."""
    return [name for name in FILES if not (target / name).is_file()]


if __name__ == "__main__":
    try:
        for path in vendor():
            print(f"vendored {path.name}")
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from exc
