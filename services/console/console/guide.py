"""`make run` and `make demo-console` print how each person signs in to the console and what to open."""

from __future__ import annotations

import argparse
import sys

from .adapters.signin import DevSignIn
from .domain.people import NAV, PUBLIC_LINKS, ROLE_NAMES


def lines(base_url: str) -> list[str]:
    """Sign-in and pages per role (dev identity), then the public pages."""
    out = [f"Console: {base_url}  (dev sign-in: {base_url}/sign-in — choose the organisation, type your name)"]
    for choice in DevSignIn("", dev_mode=True).choices():
        pages = "  ".join(f"{base_url}{link.url}" for link in NAV.get(choice.role, ()))
        out.append(f"  {ROLE_NAMES[choice.role][1]:<30} sign in as {choice.org_id:<14} then: {base_url}/work  {pages}")
    enterprise = "  ".join(f"{base_url}{link.url}" for link in NAV["enterprise"])
    out.append(f"  {'Enterprise':<30} sign in as 'enterprise' with its USCC, then: {enterprise}")
    out.append("  Public (no sign-in): " + "  ".join(f"{base_url}{link.url}" for link in PUBLIC_LINKS))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.guide")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    sys.stdout.write("\n".join(lines(args.url.rstrip("/"))) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
