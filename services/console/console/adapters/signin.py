"""The one place that knows how people sign in and how the console gets service tokens for them.

Dev identity: the project's dev organisations (``xinyidai_shared.devorgs``) and enterprises by USCC. The
person names themself and picks the organisation; the console then mints a short-lived organisation
token naming that person as its subject, signed with the dev secret, for each call it makes on their
behalf. This works only in dev mode, where the services accept the dev secret.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from xinyidai_shared.auth import OUTSIDE_CALLERS, Role, issue_token
from xinyidai_shared.devorgs import DEMO_ORGS
from xinyidai_shared.errors import Forbidden, Invalid
from xinyidai_shared.uscc import validate_uscc

from .sessions import SignedIn
from .tables import SessionRow

# Officers sign in here; banks and providers use their systems' API clients, enterprises sign in by USCC.
CONSOLE_ROLES = frozenset(Role) - OUTSIDE_CALLERS
CONSOLE_CLIENT = "console"


@dataclass(frozen=True)
class Choice:
    org_id: str
    role: str
    name: str


class DevSignIn:
    """Sign-in against the dev identity (HMAC organisation tokens with a subject)."""

    kind = "dev"

    def __init__(self, secret: str, *, dev_mode: bool, ttl_s: int = 900) -> None:
        self.secret, self.dev_mode, self.ttl_s = secret, dev_mode, ttl_s
        self._minted: dict[tuple[str, str, str], tuple[float, str]] = {}

    def choices(self) -> list[Choice]:
        """The organisations an officer may sign in for (every console role among the dev organisations)."""
        seen: dict[str, Choice] = {}
        for o in DEMO_ORGS:
            # One organisation may have several dev logins (two officers of one bureau): a person signs in for
            # the organisation and names themself, so the organisation is listed once.
            if o.role in CONSOLE_ROLES:
                seen.setdefault(o.org_id, Choice(o.org_id, o.role.value, o.name))
        return list(seen.values())

    def sign_in(self, *, org_id: str, person: str, uscc: str = "", enterprise_name: str = "") -> SignedIn:
        """Who signs in: an officer of a dev organisation, or an enterprise by its USCC."""
        if not self.dev_mode:
            raise Forbidden("DEV_SIGN_IN_DISABLED", "dev sign-in works only in dev mode")
        person = person.strip()
        if not person or len(person) > 100 or any(ord(c) < 32 for c in person):
            raise Invalid("PERSON_REQUIRED", "say who you are (1 to 100 characters)", field="person")
        if org_id == "enterprise":
            code = validate_uscc(uscc.strip())
            return SignedIn(subject=f"{code}:{person}", org_id=code, role=Role.ENTERPRISE.value,
                            org_name=enterprise_name.strip()[:200] or code, display=person)
        choice = next((c for c in self.choices() if c.org_id == org_id), None)
        if choice is None:
            raise Invalid("ORGANISATION_UNKNOWN", "choose one of the organisations listed", field="org_id")
        return SignedIn(subject=f"{org_id}:{person}", org_id=org_id, role=choice.role, org_name=choice.name,
                        display=person)

    def token_for(self, session: SessionRow) -> str:
        """A service token for the signed-in person (reused until a minute before it expires)."""
        return self._mint(session.org_id, session.role, session.subject, session.org_name)

    def service_token(self) -> str:
        """The console's own credential, for public figures and for an enterprise's reads of its own record."""
        return self._mint(CONSOLE_CLIENT, Role.SERVICE.value, CONSOLE_CLIENT, "信易贷控制台")

    def _mint(self, org_id: str, role: str, subject: str, name: str) -> str:
        key = (org_id, role, subject)
        now = time.time()
        cached = self._minted.get(key)
        if cached and cached[0] - 60 > now:
            return cached[1]
        token = issue_token(self.secret, org_id=org_id, role=role, name=name, subject=subject, ttl_s=self.ttl_s)
        if len(self._minted) > 10_000:
            self._minted.clear()
        self._minted[key] = (now + self.ttl_s, token)
        return token
